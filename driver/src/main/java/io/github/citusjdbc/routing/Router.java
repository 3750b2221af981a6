package io.github.citusjdbc.routing;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.NodeSelector;
import io.github.citusjdbc.topology.ClusterView;
import java.sql.SQLException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a logical connection calls to route its units of work: one object per cluster and
 * {@link RoutingSettings}, shared by every connection (see {@link Routers}).
 *
 * <p>Protocol, per unit of work (a transaction, or one autocommit statement):
 * <ol>
 *   <li>At its first statement: {@link #route} with {@code lease.current()}, the tenant, the
 *       read-only flag and the statement's {@link WorkKind}. Use the physical connection of the
 *       route's target (open it lazily; {@link Route#viaUrl()} is the URL's).</li>
 *   <li>After the unit's first statement succeeded on its target (which covers a physical
 *       connection that opened, and a reused one): {@link #connected} — one volatile read while no
 *       node is down; it ends a node's back-off after a successful probe.</li>
 *   <li>On an {@link SQLException} from that target (connecting or executing): {@link #failed},
 *       then, for an autocommit statement, {@link #retryRoute} — non-null means execute it once
 *       more there.</li>
 *   <li>When the unit ends (commit, rollback, the autocommit statement done, or failed):
 *       {@link #ended}, exactly once per {@link #route} that returned.</li>
 * </ol>
 * Thread-safe.
 */
public final class Router {

    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final RouteDecider decider;
    private final NodeHealth health;
    private final LoadAwareSelector loadAware;
    private final String name;

    /**
     * @param decider decides routes
     * @param name    identifies the cluster in logs (no secrets, e.g. the cluster key)
     */
    public Router(RouteDecider decider, String name) {
        this.decider = Objects.requireNonNull(decider, "decider");
        this.health = decider.health();
        NodeSelector s = decider.selector();
        this.loadAware = s instanceof LoadAwareSelector l ? l : null;
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Builds a router with its own selector (from {@link RoutingSettings#nodeSelector()}).
     *
     * @param settings    routing settings
     * @param health      the cluster's node health (shared by the cluster's routers)
     * @param clusterName the {@code nodecluster} whose secondaries may be used
     * @param name        identifies the cluster in logs (no secrets)
     * @return the router
     * @throws SQLException SQLState {@code 22023} when the selector cannot be created
     */
    public static Router create(RoutingSettings settings, NodeHealth health, String clusterName, String name)
            throws SQLException {
        return new Router(new RouteDecider(settings, health, NodeSelectors.create(settings.nodeSelector()), clusterName),
                name);
    }

    /**
     * Builds a router with its own health tracker on the system clock.
     *
     * @param settings    routing settings
     * @param clusterName the {@code nodecluster} whose secondaries may be used
     * @param name        identifies the cluster in logs (no secrets)
     * @return the router
     * @throws SQLException SQLState {@code 22023} when the selector cannot be created
     */
    public static Router create(RoutingSettings settings, String clusterName, String name) throws SQLException {
        return create(settings, NodeHealth.of(settings, Ticker.systemTicker()), clusterName, name);
    }

    /**
     * Routes a unit of work at its first statement. Never blocks, never does I/O.
     *
     * @param view     {@code lease.current()}
     * @param tenant   the unit's tenant, or null
     * @param readOnly the connection's read-only flag
     * @param kind     {@link WorkKind#of} the first statement
     * @return the route; call {@link #ended} when the unit ends
     * @throws SQLException {@code 08001} ({@link io.github.citusjdbc.CitusSqlState#UNABLE_TO_CONNECT}) with {@code readFallback=error} and no eligible secondary
     */
    public Route route(ClusterView view, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        Route r = decider.decide(view, tenant, readOnly, kind);
        started(r, tenant, readOnly, kind);
        return r;
    }

    /** As {@link #route(ClusterView, String, boolean, WorkKind)} on a hand-built view (tests). */
    Route route(RoutingView view, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        Route r = decider.decide(view, tenant, readOnly, kind);
        started(r, tenant, readOnly, kind);
        return r;
    }

    /**
     * Routes read-only work away from a secondary that has not replayed the application's last
     * write ({@link RouteDecider#decideOwnWrites}); {@link #ended} the secondary's route first.
     *
     * @param view   {@code lease.current()}
     * @param tenant the unit's tenant, or null
     * @param kind   the kind of the unit's first statement
     * @return the route; call {@link #ended} when the unit ends
     * @throws SQLException as {@link RouteDecider#decideOwnWrites}
     */
    public Route routeOwnWrites(ClusterView view, String tenant, WorkKind kind) throws SQLException {
        Route r = decider.decideOwnWrites(view, tenant, kind);
        started(r, tenant, true, kind);
        return r;
    }

    /**
     * After {@link #failed}: where an autocommit statement may run once more, per {@link RetryPolicy}.
     * When non-null, {@link #ended} the failed route and use the returned one (already started).
     *
     * @param view       {@code lease.current()}
     * @param failedOn   the route that failed
     * @param failure    what {@link #failed} returned
     * @param phase      how far the statement got
     * @param autocommit whether the statement was its own unit of work
     * @param tenant     the unit's tenant, or null
     * @param readOnly   the read-only flag the unit started with
     * @param kind       the statement's kind
     * @return another route to execute the statement on once more, or null to surface the failure
     * @throws SQLException as {@link #route} (surface it with the original failure as suppressed)
     */
    public Route retryRoute(ClusterView view, Route failedOn, SqlErrors.Kind failure, RetryPolicy.Phase phase,
                            boolean autocommit, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        if (!RetryPolicy.mayRetry(autocommit, readOnly, 1, phase, failure, failedOn)) {
            return null;
        }
        return retried(decider.decideAvoiding(view, tenant, readOnly, kind, failedOn), failedOn, phase, tenant, readOnly,
                kind);
    }

    /** As {@link #retryRoute(ClusterView, Route, SqlErrors.Kind, RetryPolicy.Phase, boolean, String, boolean, WorkKind)} (tests). */
    Route retryRoute(RoutingView view, Route failedOn, SqlErrors.Kind failure, RetryPolicy.Phase phase,
                     boolean autocommit, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        if (!RetryPolicy.mayRetry(autocommit, readOnly, 1, phase, failure, failedOn)) {
            return null;
        }
        return retried(decider.decideAvoiding(view, tenant, readOnly, kind, failedOn), failedOn, phase, tenant, readOnly,
                kind);
    }

    private Route retried(Route r, Route failedOn, RetryPolicy.Phase phase, String tenant, boolean readOnly,
                          WorkKind kind) {
        if (r != null) {
            LOG.debug("[{}] retrying a read-only statement that failed on {} ({}) on {}", name, failedOn, phase, r);
            started(r, tenant, readOnly, kind);
        }
        return r;
    }

    /**
     * Reports that a physical connection to the route's target opened (or that work on it
     * succeeded after a probe): the node is up.
     *
     * @param route the route
     */
    public void connected(Route route) {
        if (!route.viaUrl()) {
            health.markUp(route.dialAddress());
        }
    }

    /**
     * Reports a failure on a route: classifies it, marks the node down (not the URL's hosts,
     * which pgjdbc handles) and asks for an early topology refresh when the failure suggests the
     * topology changed.
     *
     * @param route         the route the failure happened on
     * @param e             the failure
     * @param readWriteUnit whether the unit was routed as read-write (a read-only violation then
     *                      means the node is no longer a primary)
     * @param refresh       {@code lease::requestEarlyRefresh}
     * @return the classification, for {@link #retryRoute}
     */
    public SqlErrors.Kind failed(Route route, SQLException e, boolean readWriteUnit, EarlyRefresh refresh) {
        SqlErrors.Kind kind = SqlErrors.classify(e);
        if (kind == SqlErrors.Kind.NODE_UNAVAILABLE && !route.viaUrl()) {
            health.markDown(route.dialAddress(), e.getSQLState() + " " + kind);
        }
        if (kind.triggersEarlyRefresh(readWriteUnit)) {
            refresh.request(kind + " (" + e.getSQLState() + ") on " + route);
        }
        return kind;
    }

    /**
     * Reports that the unit of work routed by {@link #route} or {@link #retryRoute} ended.
     *
     * @param route the route returned
     */
    public void ended(Route route) {
        if (loadAware != null && route.node() != null && !route.viaUrl()) {
            loadAware.released(route.node());
        }
    }

    /** @return the decider */
    public RouteDecider decider() {
        return decider;
    }

    /** @return the node health */
    public NodeHealth health() {
        return health;
    }

    private void started(Route r, String tenant, boolean readOnly, WorkKind kind) {
        if (loadAware != null && r.node() != null && !r.viaUrl()) {
            loadAware.acquired(r.node());
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("[{}] {} {} unit{} -> {}", name, readOnly ? "read-only" : "read-write", kind,
                    tenant == null ? "" : " for tenant " + tenant, r);
        }
    }
}
