package io.github.citusjdbc.topology;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the driver currently knows about one cluster: the last good {@link Topology}, how old it
 * is, the address to dial for each node and each secondary's replication lag. Returned by
 * {@link ClusterTopology#current()} without blocking.
 *
 * <p>How routing consumes it: when {@link #routingEnabled()} is false (not Citus, nothing loaded
 * yet, or the last good read is older than the maximum staleness) route every unit of work to the
 * URL's hosts as plain pgjdbc would ("coordinator only"). Otherwise use {@link #topology()} to
 * find candidate nodes, {@link #dialAddress(Node)} to connect to them, and
 * {@link #isLagWithin(Node, long)} to exclude secondaries that are too far behind.
 *
 * <p>Immutable apart from the clock: {@link #age()}, {@link #isStale()} and
 * {@link #routingEnabled()} compare the read time with the current time of the ticker, so one
 * view held for long becomes stale by itself. Thread-safe.
 */
public final class ClusterView {

    /** How far the driver got with this cluster. */
    public enum Status {
        /** Nothing read yet: the first read is running. */
        LOADING,
        /** A Citus cluster; {@link #topology()} is the last good snapshot. */
        CITUS,
        /** The server has no Citus catalogs: plain PostgreSQL, routing off. */
        NOT_CITUS,
        /** No read has succeeded yet and the last attempt failed. */
        UNREACHABLE
    }

    private final Status status;
    private final Topology topology;
    private final boolean tenantsSupported;
    private final long readAtNanos;
    private final Map<Integer, NodeAddress> dialAddresses;
    private final Map<Integer, Long> lagBytes;
    private final String lastFailure;
    private final Ticker ticker;
    private final long maxStalenessNanos;

    ClusterView(Status status, Topology topology, boolean tenantsSupported, long readAtNanos,
                Map<Integer, NodeAddress> dialAddresses, Map<Integer, Long> lagBytes, String lastFailure,
                Ticker ticker, long maxStalenessNanos) {
        this.status = Objects.requireNonNull(status, "status");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.tenantsSupported = tenantsSupported;
        this.readAtNanos = readAtNanos;
        this.dialAddresses = Map.copyOf(dialAddresses);
        this.lagBytes = Map.copyOf(lagBytes);
        this.lastFailure = lastFailure;
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.maxStalenessNanos = maxStalenessNanos;
    }

    static ClusterView loading(Ticker ticker, long maxStalenessNanos) {
        return new ClusterView(Status.LOADING, Topology.empty(), false, 0, Map.of(), Map.of(), null, ticker,
                maxStalenessNanos);
    }

    /** @return the status */
    public Status status() {
        return status;
    }

    /** @return true for a Citus cluster (with a snapshot, possibly stale) */
    public boolean isCitus() {
        return status == Status.CITUS;
    }

    /**
     * @return the last good snapshot; {@link Topology#empty()} while nothing was read and for a
     *         server without Citus
     */
    public Topology topology() {
        return topology;
    }

    /** @return the snapshot's version; 0 when there is no Citus snapshot */
    public long version() {
        return topology.version();
    }

    /** @return false on Citus before 12 (no {@code pg_dist_schema}): no tenant is ever known */
    public boolean tenantsSupported() {
        return tenantsSupported;
    }

    /** @return time since the start of the last successful read; empty when none succeeded */
    public Optional<Duration> age() {
        return hasGoodRead() ? Optional.of(Duration.ofNanos(ticker.read() - readAtNanos)) : Optional.empty();
    }

    /**
     * @return true when no read has succeeded, or the last successful one is older than the
     *         maximum staleness
     */
    public boolean isStale() {
        return !hasGoodRead() || ticker.read() - readAtNanos > maxStalenessNanos;
    }

    /**
     * @return true when routing may use the topology: a Citus cluster whose snapshot is not stale.
     *         When false, route everything to the URL's hosts (coordinator only).
     */
    public boolean routingEnabled() {
        return status == Status.CITUS && !isStale();
    }

    /**
     * @param node a node of {@link #topology()}
     * @return the address to connect to, after the {@link io.github.citusjdbc.spi.AddressTranslator}
     */
    public NodeAddress dialAddress(Node node) {
        NodeAddress translated = dialAddresses.get(node.nodeId());
        return translated != null ? translated : node.address();
    }

    /**
     * @param node a secondary of {@link #topology()}
     * @return its replication lag in bytes of WAL as last measured (during the last refresh), or
     *         empty when unknown (unreachable, not replaying, not a secondary, not measured yet)
     */
    public OptionalLong replicationLagBytes(Node node) {
        Long lag = lagBytes.get(node.nodeId());
        return lag == null ? OptionalLong.empty() : OptionalLong.of(lag);
    }

    /**
     * @param node     a secondary
     * @param maxBytes the largest acceptable lag in bytes
     * @return true when its lag is known and at most {@code maxBytes}; an unknown lag is never
     *         within bounds (a standby that cannot be measured cannot be shown fresh)
     */
    public boolean isLagWithin(Node node, long maxBytes) {
        Long lag = lagBytes.get(node.nodeId());
        return lag != null && lag <= maxBytes;
    }

    /** @return node id → lag in bytes of every measured secondary; unmodifiable */
    public Map<Integer, Long> replicationLags() {
        return lagBytes;
    }

    /** @return why the last refresh failed (SQLState and message, no credentials), if it did */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    boolean hasGoodRead() {
        return status == Status.CITUS || status == Status.NOT_CITUS;
    }

    long readAtNanos() {
        return readAtNanos;
    }

    Map<Integer, NodeAddress> dialAddresses() {
        return dialAddresses;
    }

    ClusterView withRead(Status newStatus, Topology newTopology, boolean tenants, long readAt,
                         Map<Integer, NodeAddress> dial, Map<Integer, Long> lags) {
        return new ClusterView(newStatus, newTopology, tenants, readAt, dial, lags, null, ticker, maxStalenessNanos);
    }

    ClusterView withFailure(String failure, Map<Integer, Long> lags) {
        Status s = hasGoodRead() ? status : Status.UNREACHABLE;
        return new ClusterView(s, topology, tenantsSupported, readAtNanos, dialAddresses, lags, failure, ticker,
                maxStalenessNanos);
    }

    @Override
    public String toString() {
        return "ClusterView[" + status + ", " + topology + ", stale=" + isStale() + ", lags=" + lagBytes
                + (lastFailure == null ? "" : ", lastFailure=" + lastFailure) + "]";
    }
}
