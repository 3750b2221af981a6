package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.routing.EarlyRefresh;
import io.github.citusjdbc.routing.RetryPolicy;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.SqlErrors;
import io.github.citusjdbc.routing.WorkKind;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.ClusterView;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The unit of work a {@link RouteSession} routed last, and what the {@link Router} hears about it:
 * connected once its first statement succeeds, failed, and ended exactly once however the unit
 * ends (the metrics count it started). A unit that may run once more restarts here on its retry
 * route ({@link UnitRetry}). The session and its retry read the fields; only this class changes
 * them. Not thread-safe (one per session).
 */
final class RoutedUnit {

    private final Router router;
    private final ClusterMetrics metrics;
    private final EarlyRefresh refresh;
    private NodeAddress countedAddress; // the node whose counter countedNode is
    private LongAdder countedNode;

    /** The current (or last) unit's route; null for a unit sent to the URL without asking the router. */
    Route route;
    boolean open; // router.ended() still owed for route
    boolean firstPending; // the unit's first statement has not succeeded yet
    boolean readOnly;
    boolean autocommit;
    String tenant;
    WorkKind kind;
    boolean retried; // the unit already used its one retry
    private boolean mdc; // RouteMdc holds this unit's route on the thread that started it

    RoutedUnit(Router router, ClusterMetrics metrics, EarlyRefresh refresh) {
        this.router = router;
        this.metrics = metrics;
        this.refresh = refresh;
    }

    /** A unit starts on {@code r}, as the router returned it; the previous one has ended. */
    void start(Route r, boolean readOnly, boolean autocommit, String tenant, WorkKind kind) {
        route = r;
        if (!r.viaUrl() && r.dialAddress() != countedAddress) {
            countedAddress = r.dialAddress();
            countedNode = metrics.unitsTo(countedAddress);
        }
        metrics.routed(r, countedNode);
        open = true;
        firstPending = true;
        retried = false;
        this.readOnly = readOnly;
        this.autocommit = autocommit;
        this.tenant = tenant;
        this.kind = kind;
    }

    /** A unit sent to the URL's connection without asking the router: no route to report. */
    void unrouted() {
        route = null;
    }

    /** The unit uses its one retry: it ends on its route and starts again on {@code retry}. */
    void retry(Route retry) {
        end();
        route = retry;
        metrics.retried();
        open = true;
        firstPending = true;
        retried = true;
    }

    /** Puts the unit's route in the MDC (at DEBUG) and on the current span (when present). */
    void tag() {
        if (RouteMdc.enabled()) {
            RouteMdc.put(tenant, route);
            mdc = true;
        }
        if (RouteSpan.PRESENT) {
            RouteSpan.tag(tenant, route);
        }
    }

    /** A statement of the unit succeeded: the router learns its node is up, once per unit. */
    void succeeded() {
        if (firstPending) {
            firstPending = false;
            if (route != null) {
                router.connected(route);
            }
        }
    }

    /** Reports a failure on the unit's route to the router (node health, early refresh) and counts a node marked down. */
    SqlErrors.Kind failed(SQLException e) {
        SqlErrors.Kind failure = router.failed(route, e, !readOnly, refresh);
        if (failure == SqlErrors.Kind.NODE_UNAVAILABLE && !route.viaUrl()) {
            metrics.nodeFailed();
        }
        return failure;
    }

    /** @return the route the unit may run on once more after {@code failure} in {@code phase}, or null */
    Route retryRoute(ClusterView view, SqlErrors.Kind failure, RetryPolicy.Phase phase) throws SQLException {
        return router.retryRoute(view, route, failure, phase, autocommit, tenant, readOnly, kind);
    }

    /** Ends the unit: the router hears of it once, and the MDC forgets its route. */
    void end() {
        if (open) {
            open = false;
            router.ended(route);
        }
        if (mdc) {
            mdc = false;
            RouteMdc.clear();
        }
    }
}
