package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.routing.RetryPolicy;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.SqlErrors;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.SQLException;

/**
 * The one retry of a routed unit of work on another route, where the router's {@link RetryPolicy}
 * allows it: after the unit's node could not be connected, or after its first autocommit statement
 * failed before anything reached the application. The retry route is checked for read-your-writes
 * and connected, and the unit restarts on it ({@link RoutedUnit#retry}). Not thread-safe (one per
 * {@link RouteSession}).
 */
final class UnitRetry {

    private final RoutedUnit unit;
    private final NodeConnections nodes;
    private final Router router;
    private final OwnWrites ownWrites; // null when readYourWrites=off
    private final TopologyRegistry.Lease lease;

    UnitRetry(RoutedUnit unit, NodeConnections nodes, Router router, OwnWrites ownWrites, TopologyRegistry.Lease lease) {
        this.unit = unit;
        this.nodes = nodes;
        this.router = router;
        this.ownWrites = ownWrites;
        this.lease = lease;
    }

    /**
     * The unit's node could not be connected.
     *
     * @param view the topology the unit was routed with
     * @param e    the failure, thrown when the unit has no retry route
     * @return the connection of the retry route, the unit restarted on it
     */
    Physical afterConnectFailure(ClusterView view, SQLException e) throws SQLException {
        SqlErrors.Kind kind = unit.failed(e);
        Route retry;
        try {
            retry = unit.retryRoute(view, kind, RetryPolicy.Phase.CONNECT);
        } catch (SQLException again) {
            again.addSuppressed(e);
            unit.end();
            throw again;
        }
        unit.end();
        if (retry == null) {
            throw e;
        }
        if (ownWrites != null && retry.readsSecondary()) {
            retry = ownWrites.visibleOn(view, retry, router, unit.tenant, unit.kind);
        }
        try {
            return connect(retry);
        } catch (SQLException second) {
            second.addSuppressed(e);
            throw second;
        }
    }

    /**
     * The unit's statement failed: reports it to the router (node health, early refresh).
     *
     * @param e        the failure; a failure to find a retry route is added to it as suppressed
     * @param mayRetry whether the caller can execute the statement again (nothing reached the application)
     * @return the route to run the statement on once more ({@link #connect} it), or null
     */
    Route afterStatementFailure(SQLException e, boolean mayRetry) {
        SqlErrors.Kind kind = unit.failed(e);
        if (!mayRetry || !unit.firstPending || !unit.autocommit || unit.retried) {
            return null;
        }
        try {
            ClusterView view = lease.current();
            Route retry = unit.retryRoute(view, kind, RetryPolicy.Phase.BEFORE_RESULT);
            if (retry != null && ownWrites != null && retry.readsSecondary()) {
                // A secondary that cannot be shown to have the unit's writes is no retry route: when the
                // check fails, the unit is not retried (the check has already ended that route).
                retry = ownWrites.visibleOn(view, retry, router, unit.tenant, unit.kind);
            }
            return retry;
        } catch (SQLException again) {
            e.addSuppressed(again);
            return null;
        }
    }

    /** The unit restarts on {@code retry}; when that cannot be connected either, it is reported and ended. */
    Physical connect(Route retry) throws SQLException {
        unit.retry(retry);
        try {
            return nodes.physicalFor(retry);
        } catch (SQLException second) {
            unit.failed(second);
            unit.end();
            throw second;
        }
    }
}
