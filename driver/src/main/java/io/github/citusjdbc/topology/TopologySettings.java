package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.AddressTranslator;
import java.time.Duration;
import java.util.Objects;

/**
 * How one cluster's topology is read and kept fresh. Immutable; start from {@link #defaults()}
 * and change values with the {@code with*} methods.
 *
 * <p>The first data source to register a {@link ClusterKey} decides the settings of that
 * cluster's shared {@link ClusterTopology}; later registrations with other settings reuse it.
 *
 * @param refreshInterval         how often the catalog is re-read in the background
 * @param maxStaleness            once the last successful read is older than this, the view is
 *                                {@linkplain ClusterView#isStale() stale} and routing must use the
 *                                coordinator only; at least {@code refreshInterval}
 * @param initialLoadTimeout      the longest a caller waits for the very first read of a cluster;
 *                                afterwards it proceeds with a coordinator-only view
 * @param earlyRefreshMinInterval the least time between the start of one refresh and an early
 *                                refresh requested by routing (rate limit against error storms)
 * @param idleTimeout             the longest a cluster nobody holds a lease on is kept before it is
 *                                closed; it is closed at its next refresh anyway (see {@link TopologyRegistry})
 * @param connectTimeout          connect timeout of metadata and lag-probe connections
 * @param queryTimeout            socket timeout of metadata and lag-probe connections: the longest a
 *                                hung server can hold the refresh thread
 * @param addressTranslator       maps registered node addresses to the addresses to dial
 */
public record TopologySettings(Duration refreshInterval, Duration maxStaleness, Duration initialLoadTimeout,
                               Duration earlyRefreshMinInterval, Duration idleTimeout, Duration connectTimeout,
                               Duration queryTimeout, AddressTranslator addressTranslator) {

    /** The {@code nodecluster} Citus gives nodes unless told otherwise. */
    public static final String DEFAULT_CLUSTER_NAME = "default";

    private static final TopologySettings DEFAULTS = new TopologySettings(Duration.ofSeconds(30),
            Duration.ofMinutes(2), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofSeconds(5), Duration.ofSeconds(10), AddressTranslator.identity());

    /**
     * Creates settings.
     *
     * @throws NullPointerException     if an argument is null
     * @throws IllegalArgumentException if a duration is not positive ({@code earlyRefreshMinInterval}
     *                                  may be zero), or {@code maxStaleness < refreshInterval}
     */
    public TopologySettings {
        positive(refreshInterval, "refreshInterval");
        positive(maxStaleness, "maxStaleness");
        positive(initialLoadTimeout, "initialLoadTimeout");
        Objects.requireNonNull(earlyRefreshMinInterval, "earlyRefreshMinInterval");
        if (earlyRefreshMinInterval.isNegative()) {
            throw new IllegalArgumentException("earlyRefreshMinInterval must not be negative: " + earlyRefreshMinInterval);
        }
        positive(idleTimeout, "idleTimeout");
        positive(connectTimeout, "connectTimeout");
        positive(queryTimeout, "queryTimeout");
        Objects.requireNonNull(addressTranslator, "addressTranslator");
        if (maxStaleness.compareTo(refreshInterval) < 0) {
            throw new IllegalArgumentException("maxStaleness (" + maxStaleness + ") must not be shorter than refreshInterval ("
                    + refreshInterval + ")");
        }
    }

    /**
     * @return refresh every 30 s, stale after 2 min, first load waits at most 5 s, early refresh at
     *         most every 5 s, idle clusters kept 5 min, 5 s connect and 10 s socket timeouts, no
     *         address translation
     */
    public static TopologySettings defaults() {
        return DEFAULTS;
    }

    /**
     * @param value the new {@code refreshInterval}
     * @return a copy with it
     */
    public TopologySettings withRefreshInterval(Duration value) {
        return new TopologySettings(value, maxStaleness, initialLoadTimeout, earlyRefreshMinInterval, idleTimeout,
                connectTimeout, queryTimeout, addressTranslator);
    }

    /**
     * @param value the new {@code maxStaleness}
     * @return a copy with it
     */
    public TopologySettings withMaxStaleness(Duration value) {
        return new TopologySettings(refreshInterval, value, initialLoadTimeout, earlyRefreshMinInterval, idleTimeout,
                connectTimeout, queryTimeout, addressTranslator);
    }

    /**
     * @param value the new {@code initialLoadTimeout}
     * @return a copy with it
     */
    public TopologySettings withInitialLoadTimeout(Duration value) {
        return new TopologySettings(refreshInterval, maxStaleness, value, earlyRefreshMinInterval, idleTimeout,
                connectTimeout, queryTimeout, addressTranslator);
    }

    /**
     * @param value the new {@code earlyRefreshMinInterval}
     * @return a copy with it
     */
    public TopologySettings withEarlyRefreshMinInterval(Duration value) {
        return new TopologySettings(refreshInterval, maxStaleness, initialLoadTimeout, value, idleTimeout,
                connectTimeout, queryTimeout, addressTranslator);
    }

    /**
     * @param value the new {@code idleTimeout}
     * @return a copy with it
     */
    public TopologySettings withIdleTimeout(Duration value) {
        return new TopologySettings(refreshInterval, maxStaleness, initialLoadTimeout, earlyRefreshMinInterval, value,
                connectTimeout, queryTimeout, addressTranslator);
    }

    /**
     * @param connect the new {@code connectTimeout}
     * @param query   the new {@code queryTimeout}
     * @return a copy with them
     */
    public TopologySettings withTimeouts(Duration connect, Duration query) {
        return new TopologySettings(refreshInterval, maxStaleness, initialLoadTimeout, earlyRefreshMinInterval,
                idleTimeout, connect, query, addressTranslator);
    }

    /**
     * @param value the new {@code addressTranslator}
     * @return a copy with it
     */
    public TopologySettings withAddressTranslator(AddressTranslator value) {
        return new TopologySettings(refreshInterval, maxStaleness, initialLoadTimeout, earlyRefreshMinInterval,
                idleTimeout, connectTimeout, queryTimeout, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
