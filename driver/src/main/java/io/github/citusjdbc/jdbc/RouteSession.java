package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.routing.EarlyRefresh;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.RouteReason;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.RoutingSettings;
import io.github.citusjdbc.routing.WorkKind;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.topology.ClusterTopology;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.Driver;
import java.sql.SQLException;
import org.postgresql.core.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing of one logical connection: decides each unit of work's node through the cluster's
 * {@link Router} at the unit's first statement, owns the physical connections (the URL's, opened
 * with the logical connection, and at most one per routed node, opened lazily) and switches the
 * logical connection and the executing statement onto the unit's connection ({@link NodeConnections}
 * keeps the physical connections, {@link RoutedUnit} the unit in progress, {@link UnitRetry} its one
 * retry, {@link AfterEffects} what its SQL leaves to do once committed). A unit of work is an
 * autocommit statement or a transaction; while the physical connection is inside a transaction
 * nothing moves. Exists only on Citus with something to route ({@code readRouting=secondary} or
 * {@code tenantRouting=affinity}); otherwise the logical connection has none and costs nothing.
 * Not thread-safe (one per logical connection).
 */
final class RouteSession {

    private static final Logger LOG = LoggerFactory.getLogger(RouteSession.class);

    private final LogicalConnection connection;
    private final DriverConfig config;
    private final TopologyRegistry.Lease lease;
    private final Router router;
    private static final String NODE_DOWN = "a node is backed off";
    private final EarlyRefresh refresh;
    private final boolean readsRouted;
    private final boolean affinity;
    final Physical url;
    private final NodeConnections nodes;

    private final RoutedUnit unit; // the current (or last) unit
    private final UnitRetry retries;
    /** What a successful execution leaves to do once committed; {@link UnitRunner} tells it of each. */
    final AfterEffects effects;
    private boolean retrying; // failed() prepared a retry route: the next enter() keeps it
    private Physical current;
    private boolean served; // a unit ran at least once (observability)
    /** Read-your-writes ({@code readYourWrites=tenant}); null when off. */
    final OwnWrites ownWrites;
    /** The cluster's counters, shared by its connections. */
    final ClusterMetrics metrics;

    RouteSession(LogicalConnection connection, Driver pgjdbc, DriverConfig config, TopologyRegistry.Lease lease,
                 Router router, Physical url) {
        this.connection = connection;
        this.config = config;
        this.lease = lease;
        this.router = router;
        this.refresh = lease::requestEarlyRefresh;
        RoutingSettings s = config.routing();
        this.readsRouted = s.readRouting() == RoutingSettings.ReadRouting.SECONDARY;
        this.affinity = s.tenantRouting() == RoutingSettings.TenantRouting.AFFINITY;
        this.url = url;
        this.current = url;
        this.nodes = new NodeConnections(connection, pgjdbc, config, url);
        ClusterTopology topology = lease.topology();
        this.metrics = ClusterMetrics.of(lease.key());
        metrics.attach(topology::current, topology::lastRefreshNanos, router.health());
        this.ownWrites = OwnWrites.of(config, lease, metrics);
        this.unit = new RoutedUnit(router, metrics, refresh);
        this.retries = new UnitRetry(unit, nodes, router, ownWrites, lease);
        this.effects = new AfterEffects(connection, ownWrites, refresh);
    }

    /** @return whether anything can be routed with these settings (otherwise no session is needed) */
    static boolean routes(RoutingSettings s) {
        return s.readRouting() == RoutingSettings.ReadRouting.SECONDARY
                || s.tenantRouting() == RoutingSettings.TenantRouting.AFFINITY;
    }

    // ------------------------------------------------------------------ unit of work

    /**
     * The cheap path: enters the execution on the URL's connection when it has nothing to route
     * (read-write work without affinity, already on the URL's connection, no unit open), moving a
     * statement created on another physical connection back to it; the caller then executes
     * directly, with nothing to report. Otherwise does nothing and answers false: the execution must
     * be routed ({@link #enter}).
     *
     * @param work      the unit of work the execution belongs to
     * @param statement the executing statement, or null (COPY)
     * @return whether it was entered: execute without {@link #enter}/{@link #succeeded}/{@link #failed}
     */
    boolean enterUnrouted(UnitOfWork work, LogicalStatement statement) throws SQLException {
        if (retrying || unit.open || current != url || affinity || (readsRouted && work.readOnly())) {
            return false;
        }
        if (statement != null && statement.home != url.connection) {
            statement.retargetIfNeeded(); // created while another unit was routed elsewhere
        }
        return true;
    }

    /**
     * Called before each execution: at the first statement of a unit of work decides its route and
     * moves the logical connection (and {@code statement}) onto that route's physical connection.
     *
     * @param work      the unit of work the execution belongs to, decided by {@link TenantPins#begin}
     * @param statement the executing statement, or null (COPY)
     * @param sql       its SQL, classified
     * @throws SQLException when no route can be connected, or DDL follows DML in a transaction on a worker
     */
    void enter(UnitOfWork work, LogicalStatement statement, SqlInfo sql) throws SQLException {
        if (retrying) {
            retrying = false;
            retarget(statement);
            return;
        }
        // Hot standbys refuse SERIALIZABLE: such read-only work stays on primaries (still READ ONLY there).
        boolean readRouted = readsRouted && work.readOnly();
        boolean wanted = affinity || readRouted;
        if (!wanted && current == url && !unit.open) {
            if (statement != null && statement.home != url.connection) {
                statement.retargetIfNeeded(); // created while another unit was routed elsewhere
            }
            return; // nothing to route, already on the URL's connection: the cheap path
        }
        if (connection.pins.callState() != TransactionState.IDLE) {
            inTransaction(statement, sql); // a transaction never changes node
            return;
        }
        if (unit.open && work.autocommit() && statement instanceof LogicalPreparedStatement p && p.batchOpen
                && p.home == current.connection) {
            return; // addBatch() already routed this batch
        }
        unit.end();
        if (!wanted) {
            unit.unrouted();
            use(nodes.fresh(url), statement);
            return;
        }
        WorkKind kind = WorkKind.of(sql);
        String tenant = work.tenantName();
        ClusterView view = lease.current();
        Route r = router.route(view, tenant, readRouted, kind);
        if (ownWrites != null && r.readsSecondary()) {
            r = ownWrites.visibleOn(view, r, router, tenant, kind);
        }
        if (router.health().anyDown()) {
            // Units avoid a down node; a refresh (rate-limited) learns whether it was replaced (a
            // failover's citus_update_node) rather than waiting for the refresh interval.
            refresh.request(NODE_DOWN);
        }
        unit.start(r, readRouted, work.autocommit(), tenant, kind);
        Physical target;
        try {
            target = nodes.physicalFor(r);
        } catch (SQLException e) {
            target = retries.afterConnectFailure(view, e);
        }
        use(target, statement);
        unit.tag();
    }

    private void inTransaction(LogicalStatement statement, SqlInfo sql) throws SQLException {
        if (current != url && unit.open && unit.route != null && !unit.route.readsSecondary()) {
            WorkKind kind = WorkKind.of(sql);
            if (kind == WorkKind.COORDINATOR) {
                throw new SQLException("citus-jdbc: this statement (DDL, CREATE SCHEMA or a Citus management function)"
                        + " must run on the coordinator, but the open transaction was routed to worker " + current
                        + " (" + unit.route.reason() + ", tenantRouting=affinity) at its first statement, and Citus workers"
                        + " reject DDL. Fix: run the DDL in its own transaction or as the transaction's first statement"
                        + " (it then goes to the coordinator), or use tenantRouting=coordinator.", CitusSqlState.INVALID_TRANSACTION_STATE.getState());
            }
        }
        retarget(statement);
    }

    /**
     * After the unit's statement succeeded: reports the node up once per unit, restores the socket
     * timeout of a new routed connection, and ends an autocommit unit.
     */
    void succeeded() throws SQLException {
        unit.succeeded();
        if (unit.open && connection.state.autoCommit && current.transactionState() == TransactionState.IDLE) {
            unit.end();
        }
        if (current != url) {
            current.lastUsedNanos = System.nanoTime(); // for nodeIdleValidation; the URL's is the pool's to validate
        }
    }

    /**
     * After the unit's statement failed: reports it to the router (node health, early refresh).
     * Returns normally only when the statement may run once more on another route, already
     * switched to; otherwise throws {@code e}.
     *
     * @param e        the failure
     * @param mayRetry whether the caller can execute the statement again (nothing reached the application)
     */
    void failed(SQLException e, boolean mayRetry) throws SQLException {
        if (!unit.open || unit.route == null) {
            if (current != url && current.connection.isClosed()) {
                nodes.forget(current);
            }
            throw e;
        }
        Route retry = retries.afterStatementFailure(e, mayRetry);
        Physical broken = current;
        if (broken != url && broken.connection.isClosed()) {
            nodes.forget(broken);
            current = url;
            connection.switchTo(url.connection);
            try {
                // The application still ends the lost unit (commit, rollback): the URL's connection must
                // answer as the session it had (autocommit off, read-only, ...), not as pgjdbc's defaults.
                connection.state.applyTo(url, !connection.pins.ownsIsolation());
            } catch (SQLException urlFailed) {
                e.addSuppressed(urlFailed);
            }
        }
        if (retry == null) {
            if (connection.state.autoCommit) {
                unit.end();
            }
            throw e;
        }
        Physical target;
        try {
            target = retries.connect(retry);
        } catch (SQLException second) {
            e.addSuppressed(second);
            throw e;
        }
        LOG.debug("{}: retrying on {} after {}", connection, target, e.getSQLState());
        unit.tag();
        current = target;
        connection.switchTo(target.connection);
        retrying = true;
    }

    /** A unit failed to reach a node and will run again ({@code failoverWait}): refresh the topology early. */
    void nodeUnreachable() {
        refresh.request(NODE_DOWN);
    }

    /** A session-state setter reached the current physical connection directly. */
    void stateApplied() {
        if (current.appliedVersion == connection.state.version() - 1) {
            current.appliedVersion = connection.state.version();
        }
    }

    /** The explicit transaction committed ({@code commit()}, or autocommit switched on). */
    void committed() {
        boolean topologyChanged = effects.committed();
        transactionEnded();
        if (topologyChanged) {
            refreshTopology();
        }
    }

    /** {@code commit()} failed: its outcome is unknown, so its writes count as committed. */
    void commitFailed() {
        effects.commitFailed();
    }

    /** The explicit transaction rolled back. */
    void rolledBack() {
        effects.rolledBack();
        transactionEnded();
    }

    /** The explicit transaction ended (commit, rollback, autocommit switched on, a pool's endRequest). */
    void transactionEnded() {
        unit.end();
        if (current != url) {
            current.lastUsedNanos = System.nanoTime();
        }
    }

    // ------------------------------------------------------------------ physical connections

    private void use(Physical target, LogicalStatement statement) throws SQLException {
        if (target != current) {
            current = target;
            connection.switchTo(target.connection);
        }
        served = true;
        retarget(statement);
    }

    private static void retarget(LogicalStatement statement) throws SQLException {
        if (statement != null) {
            statement.retargetIfNeeded();
        }
    }

    // ------------------------------------------------------------------ observability and lifecycle

    /** @return the route of the last unit of work, or null when it went to the URL without routing */
    Route lastRoute() {
        return unit.route;
    }

    /** @return the tenant of the last routed unit of work, or null */
    String lastTenant() {
        return unit.route == null ? null : unit.tenant;
    }

    /** @return why the last unit did not run on a secondary of its tenant's group; null when no fallback */
    String fallbackCause() {
        return unit.route == null ? null : fallbackCause(unit.tenant, unit.route);
    }

    /** @return why a unit of {@code tenant} routed to {@code route} did not run on a secondary of its group */
    String fallbackCause(String tenant, Route route) {
        return router.decider().fallbackCause(lease.current(), tenant, route);
    }

    /** @return whether a unit was routed through this session yet */
    boolean served() {
        return served;
    }

    /** @return the physical connection the last unit used */
    Physical current() {
        return current;
    }

    /** @return the version of the topology snapshot currently known; 0 when none */
    long topologyVersion() {
        return lease.current().version();
    }

    /**
     * {@code CitusConnection.explain}: the route the pure decision gives a unit of {@code tenant} now
     * (nothing started, no node health or selector state touched).
     */
    Route explain(String tenant, boolean readOnly) throws SQLException {
        return router.decider().decide(lease.current(), tenant, readsRouted && readOnly, WorkKind.DATA);
    }

    /** {@code CitusConnection.refreshTopology}: a read of the catalogs started now, waited for. */
    void refreshTopology() {
        lease.topology().refreshNow(config.topology().initialLoadTimeout());
    }

    /** @return why the last unit went where it went */
    RouteReason lastReason() {
        return unit.route == null ? RouteReason.WRITE_COORDINATOR : unit.route.reason();
    }

    /** Closes every routed physical connection and returns the lease; the URL's is closed by the caller. */
    void close() {
        unit.end();
        nodes.close();
        lease.close();
    }

    /** Aborts every routed physical connection and returns the lease; may run on another thread (a pool's). */
    void abort(java.util.concurrent.Executor executor) {
        nodes.abort(executor);
        unit.end(); // a load-aware selector must not count an aborted unit forever
        lease.close();
    }
}
