package io.github.citusjdbc.consistency;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.NodeConnector;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-your-writes for one cluster: the {@link WriteMarks} of this JVM's writes and the
 * {@link WalProbe}s that tell whether a standby has replayed them. A read-only unit of work may run
 * on a standby of group <i>g</i> when the standby has replayed a position of <i>g</i>'s primary read
 * after <i>g</i>'s last write; otherwise it waits (re-reading the standby's position about every
 * millisecond) at most the configured time, and the caller routes it to the primary.
 *
 * <p>Cost: nothing while the group was not written. After a write, the first unit to ask reads the
 * primary's position (one round trip) and, unless a higher replay position of the standby is known
 * already, the standby's (one more); units asking at the same time share these reads, and later
 * units reuse them until the next write. Thread-safe; one per cluster, closed with its topology.
 */
public final class StandbyCatchUp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StandbyCatchUp.class);

    private final WriteMarks marks = new WriteMarks();
    private final NodeConnector connector;
    private final ConcurrentHashMap<NodeAddress, WalProbe> primaries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<NodeAddress, WalProbe> standbys = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final ClusterMetrics metrics;

    /**
     * @param connector opens the probes' connections (autocommit, the application's credentials)
     * @param metrics   counts the checks and the positions read
     */
    public StandbyCatchUp(NodeConnector connector, ClusterMetrics metrics) {
        this.connector = connector;
        this.metrics = metrics;
    }

    /** @return the marks writes are recorded in */
    public WriteMarks marks() {
        return marks;
    }

    /**
     * Whether the standby at {@code standby} has every write this JVM made to {@code group}, waiting
     * at most {@code waitNanos} for it to replay them.
     *
     * @param group     the standby's group
     * @param primary   its primary's dialled address
     * @param standby   the standby's dialled address
     * @param waitNanos how long to wait for the replay (0: do not wait)
     * @param required  a position the standby must have replayed besides ({@link io.github.citusjdbc.CitusConsistency}
     *                  tokens), or -1
     * @return true when the standby may serve the unit; false when it is behind, or when a position
     *         could not be read (the caller then uses the primary)
     */
    public boolean caughtUp(int group, NodeAddress primary, NodeAddress standby, long waitNanos, long required) {
        long written = marks.lastWrite(group);
        if (written == WriteMarks.NEVER && required < 0) {
            return true;
        }
        boolean caughtUp = check(group, primary, standby, waitNanos, written, required);
        metrics.readYourWritesChecked(!caughtUp);
        return caughtUp;
    }

    /** Counts a read-your-writes check that did not reach {@link #caughtUp} (the primary was not allowed). */
    public void uncheckedToPrimary() {
        metrics.readYourWritesChecked(true);
    }

    private boolean check(int group, NodeAddress primary, NodeAddress standby, long waitNanos, long written,
                          long required) {
        try {
            long target = required;
            if (written != WriteMarks.NEVER) {
                target = Math.max(target, probe(primaries, primary, true).positionReadAfter(written));
            }
            WalProbe replay = probe(standbys, standby, false);
            long deadline = System.nanoTime() + waitNanos;
            while (!replay.replayed(target)) {
                if (System.nanoTime() - deadline >= 0) {
                    LOG.debug("{} has replayed {}, not yet {} of group {}: the primary serves", standby, replay.highest(),
                            target, group);
                    return false;
                }
                LockSupport.parkNanos(1_000_000L);
            }
            return true;
        } catch (SQLException e) {
            LOG.debug("read-your-writes check of {} (group {}) failed, the primary serves: {} {}", standby, group,
                    e.getSQLState(), e.getMessage());
            return false;
        }
    }

    private WalProbe probe(ConcurrentHashMap<NodeAddress, WalProbe> probes, NodeAddress address, boolean primary)
            throws SQLException {
        if (closed) {
            throw new SQLException("citus-jdbc: the cluster's topology is closed", CitusSqlState.CONNECTION_DOES_NOT_EXIST.getState());
        }
        return probes.computeIfAbsent(address, a -> new WalProbe(a, connector, primary, metrics::walPositionRead));
    }

    /**
     * For a {@link io.github.citusjdbc.CitusConsistency} token: each written group's primary position,
     * read after the group's last write.
     *
     * @param primaryAddresses every group's primary, dialled address (null when it may not be dialled)
     * @return group → position, for the groups written
     * @throws SQLException {@code 08001} when a written group's primary cannot be read or dialled
     */
    public java.util.Map<Integer, Long> positionsAfterWrites(java.util.Map<Integer, NodeAddress> primaryAddresses)
            throws SQLException {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        for (int group : marks.written(primaryAddresses.keySet())) {
            NodeAddress primary = primaryAddresses.get(group);
            if (primary == null) {
                throw new SQLException("citus-jdbc: the primary of group " + group + " may not be dialled (allowedHosts):"
                        + " no read-your-writes token can name it", CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
            try {
                out.put(group, probe(primaries, primary, true).positionReadAfter(marks.lastWrite(group)));
            } catch (SQLException e) {
                throw new SQLException("citus-jdbc: the WAL position of group " + group + "'s primary could not be read: "
                        + e.getMessage(), CitusSqlState.UNABLE_TO_CONNECT.getState(), e);
            }
        }
        return out;
    }

    /** Closes every probe connection. */
    @Override
    public void close() {
        closed = true;
        primaries.values().forEach(WalProbe::close);
        standbys.values().forEach(WalProbe::close);
    }
}
