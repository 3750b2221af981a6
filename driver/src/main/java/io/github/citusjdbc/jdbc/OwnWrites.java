package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusConsistency;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.consistency.StandbyCatchUp;
import io.github.citusjdbc.consistency.WriteMarks;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.WorkKind;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.PgjdbcConnections;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Read-your-writes ({@code readYourWrites=tenant}) for one logical connection: records the groups its
 * read-write units wrote once they commit, and keeps its read-only units off secondaries that have
 * not replayed the JVM's writes to their group, nor the position a bound {@link CitusConsistency}
 * token names for it ({@link StandbyCatchUp}, shared per cluster). Exists
 * only with the setting on. Not thread-safe (one per logical connection).
 */
final class OwnWrites {

    private static final int NO_WRITE = -2;

    private final StandbyCatchUp catchUp;
    private final long waitNanos;
    private final DriverConfig config;
    private final TopologyRegistry.Lease lease;
    private int uncommittedGroup = NO_WRITE; // what the open transaction wrote, marked at its commit

    private OwnWrites(StandbyCatchUp catchUp, long waitNanos, DriverConfig config, TopologyRegistry.Lease lease) {
        this.catchUp = catchUp;
        this.waitNanos = waitNanos;
        this.config = config;
        this.lease = lease;
    }

    /** @return the connection's read-your-writes, or null when {@code readYourWrites=off} */
    static OwnWrites of(DriverConfig config, TopologyRegistry.Lease lease, ClusterMetrics metrics) {
        java.time.Duration wait = config.readYourWritesWait();
        if (wait == null) {
            return null;
        }
        StandbyCatchUp catchUp = lease.topology().attachment(StandbyCatchUp.class,
                () -> new StandbyCatchUp(PgjdbcConnections.nodes(config.database(), config.pgjdbcProperties(),
                        config.topology()), metrics));
        return new OwnWrites(catchUp, wait.toNanos(), config, lease);
    }

    /**
     * Keeps read-only work on the secondary {@code r} when it has replayed the JVM's last write to its
     * group (waiting up to {@code readYourWritesWait}); otherwise ends {@code r} and routes the unit to
     * the primary.
     */
    Route visibleOn(ClusterView view, Route r, Router router, String tenant, WorkKind kind) throws SQLException {
        int group = r.node().groupId();
        Optional<Node> primary = view.topology().primaryOf(group);
        if (primary.isPresent()) {
            NodeAddress primaryDial = view.dialAddress(primary.get());
            boolean allowed = allowed(primaryDial);
            java.util.Map<Integer, Long> token = CitusConsistency.required();
            Long required = token == null ? null : token.get(group);
            if (!allowed) {
                catchUp.uncheckedToPrimary();
            } else if (catchUp.caughtUp(group, primaryDial, r.dialAddress(), waitNanos, required == null ? -1 : required)) {
                return r;
            }
        } else {
            catchUp.uncheckedToPrimary();
        }
        router.ended(r);
        return router.routeOwnWrites(view, tenant, kind);
    }

    /** {@link io.github.citusjdbc.CitusConnection#readYourWritesToken}: the JVM's writes to the cluster, as positions. */
    String token() throws SQLException {
        ClusterView view = lease.current();
        java.util.Map<Integer, NodeAddress> primaries = new java.util.TreeMap<>();
        for (int group : view.topology().groupIds()) {
            Optional<Node> primary = view.topology().primaryOf(group);
            if (primary.isPresent()) {
                NodeAddress dial = view.dialAddress(primary.get());
                primaries.put(group, allowed(dial) ? dial : null);
            }
        }
        return CitusConsistency.format(catchUp.positionsAfterWrites(primaries));
    }

    /** Only addresses the application may reach get its credentials. */
    private boolean allowed(NodeAddress dial) {
        return config.hosts().contains(dial) || config.routing().allowedHosts().allows(dial);
    }

    /**
     * A statement of a read-write unit succeeded: its group is marked written once the write is
     * committed (at once when no transaction is open after it, else at the commit).
     *
     * @param work          the unit
     * @param transactionOpen whether the physical connection is inside a transaction after the statement
     */
    void wrote(UnitOfWork work, boolean transactionOpen) {
        String tenant = work.tenantName();
        Integer g = tenant == null ? null : lease.current().topology().tenantGroups().get(tenant);
        int group = g == null ? WriteMarks.ANY_GROUP : g;
        uncommittedGroup = uncommittedGroup == NO_WRITE || uncommittedGroup == group ? group : WriteMarks.ANY_GROUP;
        if (!transactionOpen) {
            committed();
        }
    }

    /** The transaction committed (or its outcome is unknown): its writes are marked, timed after the acknowledgement. */
    void committed() {
        if (uncommittedGroup != NO_WRITE) {
            catchUp.marks().written(uncommittedGroup, System.nanoTime());
            uncommittedGroup = NO_WRITE;
        }
    }

    /** The transaction rolled back: nothing it wrote is visible anywhere. */
    void rolledBack() {
        uncommittedGroup = NO_WRITE;
    }
}
