package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.AddressTranslator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
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
    public static final Duration MAX_DURATION = Duration.ofDays(7);

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
        ReadRouting readRouting = choice(lookup, CitusProperty.READ_ROUTING, ReadRouting.class);
        ReadFallback readFallback = choice(lookup, CitusProperty.READ_FALLBACK, ReadFallback.class);
        TenantRouting tenantRouting = choice(lookup, CitusProperty.TENANT_ROUTING, TenantRouting.class);
        long lag = bytes(lookup, CitusProperty.MAX_REPLICATION_LAG);
        Duration base = duration(lookup, CitusProperty.NODE_BACKOFF_BASE);
        Duration max = duration(lookup, CitusProperty.NODE_BACKOFF_MAX);
        if (max.compareTo(base) < 0) {
            throw CitusProperty.NODE_BACKOFF_MAX.invalidValue(value(lookup, CitusProperty.NODE_BACKOFF_MAX),
                    "must not be shorter than nodeBackoffBase (" + value(lookup, CitusProperty.NODE_BACKOFF_BASE) + ")");
        }
        Duration connect = duration(lookup, CitusProperty.NODE_CONNECT_TIMEOUT);
        HostAllowList allowed = HostAllowList.parse(lookup.apply(CitusProperty.ALLOWED_HOSTS.getName()));
        MappedAddressTranslator map = MappedAddressTranslator.parse(lookup.apply(CitusProperty.NODE_ADDRESS_MAP.getName()));
        String selector = value(lookup, CitusProperty.NODE_SELECTOR).trim();
        NodeSelectors.create(selector); // fail at connect time, not at the first routed unit
        return new RoutingSettings(readRouting, readFallback, tenantRouting, lag, base, max, connect, allowed, map,
                selector);
    }

    /**
     * Parses a duration property ({@code 500ms}, {@code 30s}, {@code 2m}; a bare number is seconds)
     * with the rules of the routing durations, for the driver's other duration keys.
     *
     * @param properties the merged configuration
     * @param property   the key
     * @return the value, or the parsed default when absent
     * @throws SQLException SQLState {@code 22023} naming the property for a bad or non-positive value
     */
    public static Duration duration(Properties properties, CitusProperty property) throws SQLException {
        return duration(properties::getProperty, property);
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

    private static String value(UnaryOperator<String> lookup, CitusProperty p) {
        String v = lookup.apply(p.getName());
        if (v == null) {
            v = p.getDefaultValue();
        }
        return v == null ? "" : v;
    }

    private static <E extends Enum<E>> E choice(UnaryOperator<String> lookup, CitusProperty p, Class<E> type)
            throws SQLException {
        String v = value(lookup, p).trim();
        if (!p.getChoices().contains(v)) {
            throw p.invalidValue(v, "expected one of " + String.join(", ", p.getChoices()));
        }
        return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
    }

    /**
     * Parses a size: digits with an optional unit {@code B}, {@code kB}, {@code MB}, {@code GB}
     * (powers of 1024, case-insensitive, as PostgreSQL's memory units); blank means unchecked.
     */
    static long bytes(UnaryOperator<String> lookup, CitusProperty p) throws SQLException {
        String v = value(lookup, p).trim();
        if (v.isEmpty()) {
            return LAG_UNCHECKED;
        }
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') {
            end++;
        }
        String unit = v.substring(end).trim().toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "", "b" -> 0;
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            default -> -1;
        };
        if (end == 0 || end > 15 || shift < 0) {
            throw p.invalidValue(v, "expected a number of bytes, optionally with unit kB, MB or GB (e.g. 16MB)");
        }
        long n = Long.parseLong(v.substring(0, end));
        if (n > Long.MAX_VALUE >> shift) {
            throw p.invalidValue(v, "too large: at most " + (Long.MAX_VALUE >> 30) + "GB");
        }
        return n << shift;
    }

    /** Parses a positive duration: digits with unit {@code ms}, {@code s} or {@code m}; bare digits are seconds. */
    static Duration duration(UnaryOperator<String> lookup, CitusProperty p) throws SQLException {
        String v = value(lookup, p).trim();
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') {
            end++;
        }
        String unit = v.substring(end).trim().toLowerCase(Locale.ROOT);
        if (end == 0 || end > 9 || !(unit.isEmpty() || unit.equals("ms") || unit.equals("s") || unit.equals("m"))) {
            throw p.invalidValue(v, "expected a duration such as 500ms, 30s or 2m (a bare number is seconds)");
        }
        long n = Long.parseLong(v.substring(0, end));
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw p.invalidValue(v, "must be positive");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw p.invalidValue(v, "too long: at most 7 days (10080m)");
        }
        return d;
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
