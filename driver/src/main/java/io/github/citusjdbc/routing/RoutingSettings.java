package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.AddressTranslator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * How units of work are routed: the values of the {@link io.github.citusjdbc.CitusProperty} keys, parsed once.
 * Immutable; start from {@link #defaults()} or {@link #parse(Properties)} and change values with
 * the {@code with*} methods.
 *
 * @param readRouting       whether read-only work goes to secondaries
 * @param readFallback      what read-only work does when no secondary qualifies
 * @param tenantRouting     whether read-write work for a known tenant goes to the tenant's primary
 * @param maxReplicationLag largest lag in bytes of a secondary that receives reads;
 *                          {@link #LAG_UNCHECKED} (negative) when lag is not checked
 * @param nodeBackoffBase   back-off of a node after its first failure
 * @param nodeBackoffMax    largest back-off of a node; at least {@code nodeBackoffBase}
 * @param nodeConnectTimeout connect timeout of physical connections to routed nodes
 * @param allowedHosts      the addresses routing may connect to
 * @param addressMap        {@code nodeAddressMap}, to give to the topology as its
 *                          {@link AddressTranslator} (translation happens once per snapshot there)
 * @param nodeSelector      the {@code nodeSelector} value, checked by {@link NodeSelectors#create}
 */
public record RoutingSettings(ReadRouting readRouting, ReadFallback readFallback, TenantRouting tenantRouting,
                              long maxReplicationLag, Duration nodeBackoffBase, Duration nodeBackoffMax,
                              Duration nodeConnectTimeout, HostAllowList allowedHosts,
                              MappedAddressTranslator addressMap, String nodeSelector) {

    /**
     * The longest duration any duration key takes: long enough for any use, short enough that every
     * value converts to nanoseconds and to pgjdbc's whole seconds ({@code int}) without overflow.
     */
    public static final Duration MAX_DURATION = CitusProperty.MAX_DURATION;

    /** {@link #maxReplicationLag()} when lag is not checked. */
    public static final long LAG_UNCHECKED = -1;

    private static final RoutingSettings DEFAULTS = new RoutingSettings(ReadRouting.SECONDARY, ReadFallback.PRIMARY,
            TenantRouting.COORDINATOR, LAG_UNCHECKED, Duration.ofSeconds(1), Duration.ofSeconds(30),
            Duration.ofSeconds(5), HostAllowList.allowAll(), MappedAddressTranslator.empty(), NodeSelectors.ROUND_ROBIN);

    /** {@code readRouting}. */
    public enum ReadRouting {
        /** Read-only work goes to secondaries (the default). */
        SECONDARY,
        /** Read-only work is routed as read-write work. */
        PRIMARY
    }

    /** {@code readFallback}. */
    public enum ReadFallback {
        /** No secondary qualifies: run on a primary (the default). */
        PRIMARY,
        /** No secondary qualifies: fail with SQLState {@code 08001}, as pgjdbc when no host of a URL qualifies for its {@code targetServerType}. */
        ERROR
    }

    /** {@code tenantRouting}. */
    public enum TenantRouting {
        /** Read-write work goes to the coordinator (the default). */
        COORDINATOR,
        /** Read-write queries and DML for a known tenant go to its group's primary. */
        AFFINITY
    }

    /**
     * Creates settings.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a duration is not positive or {@code nodeBackoffMax < nodeBackoffBase}
     */
    public RoutingSettings {
        Objects.requireNonNull(readRouting, "readRouting");
        Objects.requireNonNull(readFallback, "readFallback");
        Objects.requireNonNull(tenantRouting, "tenantRouting");
        positive(nodeBackoffBase, "nodeBackoffBase");
        positive(nodeBackoffMax, "nodeBackoffMax");
        positive(nodeConnectTimeout, "nodeConnectTimeout");
        Objects.requireNonNull(allowedHosts, "allowedHosts");
        Objects.requireNonNull(addressMap, "addressMap");
        Objects.requireNonNull(nodeSelector, "nodeSelector");
        if (nodeBackoffMax.compareTo(nodeBackoffBase) < 0) {
            throw new IllegalArgumentException("nodeBackoffMax (" + nodeBackoffMax + ") must not be shorter than"
                    + " nodeBackoffBase (" + nodeBackoffBase + ")");
        }
        maxReplicationLag = maxReplicationLag < 0 ? LAG_UNCHECKED : maxReplicationLag;
    }

    /** @return every property at its default (see {@link io.github.citusjdbc.CitusProperty}) */
    public static RoutingSettings defaults() {
        return DEFAULTS;
    }

    /**
     * Parses the routing keys of a configuration; other keys are ignored.
     *
     * @param properties the merged configuration (URL, then {@code Properties}, then defaults)
     * @return the settings
     * @throws SQLException SQLState {@code 22023} naming the property for a bad value
     */
    public static RoutingSettings parse(Properties properties) throws SQLException {
        Objects.requireNonNull(properties, "properties");
        return parse(properties::getProperty);
    }

    /**
     * Parses the routing keys of a configuration; other keys are ignored.
     *
     * @param values key → value
     * @return the settings
     * @throws SQLException SQLState {@code 22023} naming the property for a bad value
     */
    public static RoutingSettings parse(Map<String, String> values) throws SQLException {
        Objects.requireNonNull(values, "values");
        return parse(values::get);
    }

    private static RoutingSettings parse(UnaryOperator<String> lookup) throws SQLException {
        ReadRouting readRouting = CitusProperty.READ_ROUTING.getChoice(lookup, ReadRouting.class);
        ReadFallback readFallback = CitusProperty.READ_FALLBACK.getChoice(lookup, ReadFallback.class);
        TenantRouting tenantRouting = CitusProperty.TENANT_ROUTING.getChoice(lookup, TenantRouting.class);
        long lag = CitusProperty.MAX_REPLICATION_LAG.getBytes(lookup);
        Duration base = CitusProperty.NODE_BACKOFF_BASE.getDuration(lookup);
        Duration max = CitusProperty.NODE_BACKOFF_MAX.getDuration(lookup);
        if (max.compareTo(base) < 0) {
            throw CitusProperty.NODE_BACKOFF_MAX.invalidValue(CitusProperty.NODE_BACKOFF_MAX.getText(lookup),
                    "must not be shorter than nodeBackoffBase (" + CitusProperty.NODE_BACKOFF_BASE.getText(lookup) + ")");
        }
        Duration connect = CitusProperty.NODE_CONNECT_TIMEOUT.getDuration(lookup);
        HostAllowList allowed = HostAllowList.parse(lookup.apply(CitusProperty.ALLOWED_HOSTS.getName()));
        MappedAddressTranslator map = MappedAddressTranslator.parse(lookup.apply(CitusProperty.NODE_ADDRESS_MAP.getName()));
        String selector = CitusProperty.NODE_SELECTOR.getText(lookup).trim();
        NodeSelectors.create(selector); // fail at connect time, not at the first routed unit
        return new RoutingSettings(readRouting, readFallback, tenantRouting, lag, base, max, connect, allowed, map,
                selector);
    }

    /** @return whether {@link #maxReplicationLag()} is checked */
    public boolean lagChecked() {
        return maxReplicationLag >= 0;
    }

    /**
     * @param value new {@code readRouting}
     * @return a copy with it
     */
    public RoutingSettings withReadRouting(ReadRouting value) {
        return new RoutingSettings(value, readFallback, tenantRouting, maxReplicationLag, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, allowedHosts, addressMap, nodeSelector);
    }

    /**
     * @param value new {@code readFallback}
     * @return a copy with it
     */
    public RoutingSettings withReadFallback(ReadFallback value) {
        return new RoutingSettings(readRouting, value, tenantRouting, maxReplicationLag, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, allowedHosts, addressMap, nodeSelector);
    }

    /**
     * @param value new {@code tenantRouting}
     * @return a copy with it
     */
    public RoutingSettings withTenantRouting(TenantRouting value) {
        return new RoutingSettings(readRouting, readFallback, value, maxReplicationLag, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, allowedHosts, addressMap, nodeSelector);
    }

    /**
     * @param bytes new {@code maxReplicationLag}; negative for unchecked
     * @return a copy with it
     */
    public RoutingSettings withMaxReplicationLag(long bytes) {
        return new RoutingSettings(readRouting, readFallback, tenantRouting, bytes, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, allowedHosts, addressMap, nodeSelector);
    }

    /**
     * @param base new {@code nodeBackoffBase}
     * @param max  new {@code nodeBackoffMax}
     * @return a copy with them
     */
    public RoutingSettings withNodeBackoff(Duration base, Duration max) {
        return new RoutingSettings(readRouting, readFallback, tenantRouting, maxReplicationLag, base, max,
                nodeConnectTimeout, allowedHosts, addressMap, nodeSelector);
    }

    /**
     * @param value new {@code allowedHosts}
     * @return a copy with it
     */
    public RoutingSettings withAllowedHosts(HostAllowList value) {
        return new RoutingSettings(readRouting, readFallback, tenantRouting, maxReplicationLag, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, value, addressMap, nodeSelector);
    }

    /**
     * @param value new {@code nodeSelector} (a name or class name; checked when a router is built)
     * @return a copy with it
     */
    public RoutingSettings withNodeSelector(String value) {
        return new RoutingSettings(readRouting, readFallback, tenantRouting, maxReplicationLag, nodeBackoffBase,
                nodeBackoffMax, nodeConnectTimeout, allowedHosts, addressMap, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
