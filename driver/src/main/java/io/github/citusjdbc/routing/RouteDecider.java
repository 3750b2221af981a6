package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeSelector;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.TopologySettings;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides where one unit of work (a transaction, or one autocommit statement) runs, by the decision
 * table below (docs/routing.md explains it for users).
 *
 * <table>
 *   <caption>Targets, in order of preference (the first that exists, is usable and is not down wins)</caption>
 *   <tr><th>unit of work</th><th>targets</th></tr>
 *   <tr><td>routing off (not Citus, no topology, stale)</td><td>the URL's hosts</td></tr>
 *   <tr><td>{@link WorkKind#COORDINATOR} (DDL, CREATE SCHEMA, Citus functions), read-only or not</td>
 *       <td>coordinator primary</td></tr>
 *   <tr><td>read-write, or read-only with {@code readRouting=primary}</td>
 *       <td>with {@code tenantRouting=affinity}, a known tenant and {@link WorkKind#DATA}: the tenant's
 *       primary; then the coordinator primary</td></tr>
 *   <tr><td>read-only, {@code readFallback=primary}</td>
 *       <td>an eligible secondary of the tenant's group; with affinity and {@link WorkKind#DATA} the
 *       tenant's primary; a coordinator secondary; the coordinator primary</td></tr>
 *   <tr><td>read-only, {@code readFallback=error}</td>
 *       <td>an eligible secondary of the tenant's group; a coordinator secondary; else
 *       {@link SQLException} {@code 08001} ({@link CitusSqlState#UNABLE_TO_CONNECT}) (read-only work never reaches a primary)</td></tr>
 * </table>
 * "Eligible secondary": active, of the configured {@code nodecluster}, allowed by {@code allowedHosts},
 * lag within {@code maxReplicationLag} (when set), and not down in {@link NodeHealth}. A tenant that
 * is null, unknown to the snapshot, or given while the cluster has no tenant catalog (Citus before
 * 12) counts as no tenant. The coordinator primary is always reached through the URL and is never
 * skipped: it is the last resort. Among eligible secondaries the {@link NodeSelector} chooses; a
 * node whose back-off expired is probed by the first unit that may use it.
 *
 * <p>Cost: the table of each snapshot (tenant → group → candidates) is built on the first decision
 * that sees a new view and cached (keyed by the view instance); a decision is then a hash lookup
 * and a few field reads, with no allocation while no node is down (an allocation of the filtered
 * candidate list when some are). Thread-safe; one instance per cluster, shared by its connections.
 */
public final class RouteDecider {

    private final RoutingSettings settings;
    private final NodeHealth health;
    private final NodeSelector selector;
    private final String clusterName;
    private final boolean affinity;
    private final boolean readRouting;
    private final boolean fallbackError;
    private final Object buildLock = new Object();
    private volatile RoutingTable table;

    /**
     * @param settings    routing settings
     * @param health      the cluster's node health
     * @param selector    chooses among eligible secondaries
     * @param clusterName the {@code nodecluster} whose secondaries may be used (usually
     *                    {@link TopologySettings#DEFAULT_CLUSTER_NAME})
     */
    public RouteDecider(RoutingSettings settings, NodeHealth health, NodeSelector selector, String clusterName) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.health = Objects.requireNonNull(health, "health");
        this.selector = Objects.requireNonNull(selector, "selector");
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        this.affinity = settings.tenantRouting() == RoutingSettings.TenantRouting.AFFINITY;
        this.readRouting = settings.readRouting() == RoutingSettings.ReadRouting.SECONDARY;
        this.fallbackError = settings.readFallback() == RoutingSettings.ReadFallback.ERROR;
    }

    /**
     * Decides the route of a unit of work against the topology's current view.
     *
     * @param view     {@code lease.current()}
     * @param tenant   the unit's tenant schema, or null
     * @param readOnly the connection's read-only flag when the unit starts
     * @param kind     the kind of the unit's first statement
     * @return the route
     * @throws SQLException {@code 08001} ({@link CitusSqlState#UNABLE_TO_CONNECT}) for read-only work when no secondary
     *                      qualifies and {@code readFallback=error}
     */
    public Route decide(ClusterView view, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        return decide(tableFor(view), tenant, readOnly, kind, null);
    }

    /**
     * As {@link #decide(ClusterView, String, boolean, WorkKind)}, for a hand-built view.
     *
     * @param view     the view; the routing table is cached per view instance
     * @param tenant   the unit's tenant schema, or null
     * @param readOnly the connection's read-only flag when the unit starts
     * @param kind     the kind of the unit's first statement
     * @return the route
     * @throws SQLException as {@link #decide(ClusterView, String, boolean, WorkKind)}
     */
    public Route decide(RoutingView view, String tenant, boolean readOnly, WorkKind kind) throws SQLException {
        return decide(tableFor(view), tenant, readOnly, kind, null);
    }

    /**
     * Decides again for a unit of work whose first route failed before any result (see
     * {@link RetryPolicy}), never choosing the failed target again.
     *
     * @param view     the current view (may be newer than the failed route's)
     * @param tenant   the unit's tenant schema, or null
     * @param readOnly the read-only flag the unit started with
     * @param kind     the kind of the unit's first statement
     * @param failed   the route that failed
     * @return another route, or null when the only remaining target is the failed one
     * @throws SQLException as {@link #decide(ClusterView, String, boolean, WorkKind)}
     */
    public Route decideAvoiding(ClusterView view, String tenant, boolean readOnly, WorkKind kind, Route failed)
            throws SQLException {
        return avoiding(tableFor(view), tenant, readOnly, kind, failed);
    }

    /**
     * As {@link #decideAvoiding(ClusterView, String, boolean, WorkKind, Route)}, for a hand-built view.
     *
     * @param view     the view
     * @param tenant   the unit's tenant schema, or null
     * @param readOnly the read-only flag the unit started with
     * @param kind     the kind of the unit's first statement
     * @param failed   the route that failed
     * @return another route, or null when the only remaining target is the failed one
     * @throws SQLException as {@link #decide(ClusterView, String, boolean, WorkKind)}
     */
    public Route decideAvoiding(RoutingView view, String tenant, boolean readOnly, WorkKind kind, Route failed)
            throws SQLException {
        return avoiding(tableFor(view), tenant, readOnly, kind, failed);
    }

    /**
     * The route of read-only work whose secondary has not replayed the application's last write
     * ({@code readYourWrites}): the tenant's primary with affinity (and {@link WorkKind#DATA}), else
     * the coordinator primary, both with reason {@link RouteReason#READ_OWN_WRITES_PRIMARY}.
     *
     * @param view   {@code lease.current()}
     * @param tenant the unit's tenant, or null
     * @param kind   the kind of the unit's first statement
     * @return the route
     * @throws SQLException {@code 08001} with {@code readFallback=error}, which forbids primaries to read-only work
     */
    public Route decideOwnWrites(ClusterView view, String tenant, WorkKind kind) throws SQLException {
        return ownWrites(tableFor(view), tenant, kind);
    }

    /** As {@link #decideOwnWrites(ClusterView, String, WorkKind)}, for a hand-built view. */
    Route decideOwnWrites(RoutingView view, String tenant, WorkKind kind) throws SQLException {
        return ownWrites(tableFor(view), tenant, kind);
    }

    private Route ownWrites(RoutingTable t, String tenant, WorkKind kind) throws SQLException {
        if (fallbackError) {
            throw new SQLException("citus-jdbc: the secondary has not replayed this application's last write within"
                    + " readYourWritesWait, and readFallback=error forbids reading from a primary. Raise"
                    + " readYourWritesWait, or set readFallback=primary.", CitusSqlState.UNABLE_TO_CONNECT.getState());
        }
        RoutingTable.Group group = t.view.tenantsSupported() ? t.groupOfTenant(tenant) : null;
        if (affinity && kind == WorkKind.DATA && group != null) {
            Route r = primary(group, RouteReason.READ_OWN_WRITES_PRIMARY, null);
            if (r != null) {
                return r;
            }
        }
        return t.coordinator.primary.route(RouteReason.READ_OWN_WRITES_PRIMARY);
    }

    /**
     * Why a read-only unit of work did not run on a secondary of its tenant's group, for
     * {@code lastServedBy()}: from the routing table of {@code view} and the node health now.
     *
     * @param view   {@code lease.current()}
     * @param tenant the unit's tenant, or null
     * @param route  the unit's route
     * @return the cause in words, or null when the route is no fallback (a secondary of the tenant's
     *         group, a write, a statement for the coordinator)
     */
    public String fallbackCause(ClusterView view, String tenant, Route route) {
        return fallbackCause(tableFor(view), tenant, route);
    }

    /** As {@link #fallbackCause(ClusterView, String, Route)}, for a hand-built view. */
    String fallbackCause(RoutingView view, String tenant, Route route) {
        return fallbackCause(tableFor(view), tenant, route);
    }

    private String fallbackCause(RoutingTable t, String tenant, Route route) {
        RouteReason reason = route.reason();
        if (reason == RouteReason.READ_OWN_WRITES_PRIMARY) {
            return "the secondary had not replayed this application's last write within readYourWritesWait";
        }
        if (reason == RouteReason.WRITE_TENANT_PRIMARY_UNAVAILABLE) {
            return "the tenant's primary is inactive, not in allowedHosts, or backed off after a failure";
        }
        if (reason != RouteReason.READ_TENANT_PRIMARY && reason != RouteReason.READ_COORDINATOR_SECONDARY
                && reason != RouteReason.READ_FALLBACK_PRIMARY) {
            return null;
        }
        RoutingTable.Group group = t.view.tenantsSupported() ? t.groupOfTenant(tenant) : null;
        String own = group == null ? (tenant == null ? "no tenant" : "tenant " + tenant + " not in the topology")
                : group == t.coordinator ? null : noSecondary(group);
        if (reason != RouteReason.READ_FALLBACK_PRIMARY) {
            return own;
        }
        String coordinator = noSecondary(t.coordinator);
        return own == null ? "coordinator: " + coordinator : own + "; coordinator: " + coordinator;
    }

    private static String noSecondary(RoutingTable.Group group) {
        return group.noSecondary != null ? group.noSecondary
                : "the group's secondaries are backed off after failures";
    }

    /** @return the settings decisions follow */
    public RoutingSettings settings() {
        return settings;
    }

    /** @return the node health decisions consult */
    public NodeHealth health() {
        return health;
    }

    /** @return the selector choosing among candidates */
    public NodeSelector selector() {
        return selector;
    }

    private Route avoiding(RoutingTable t, String tenant, boolean readOnly, WorkKind kind, Route failed)
            throws SQLException {
        Objects.requireNonNull(failed, "failed");
        Route r = decide(t, tenant, readOnly, kind, failed.viaUrl() ? null : failed.dialAddress());
        return r.sameTarget(failed) ? null : r;
    }

    private Route decide(RoutingTable t, String tenant, boolean readOnly, WorkKind kind, NodeAddress avoid)
            throws SQLException {
        RoutingView view = t.view;
        if (!view.routingEnabled()) {
            return view.status() == ClusterView.Status.NOT_CITUS ? Route.notCitus() : Route.topologyUnavailable();
        }
        RoutingTable.Group coordinator = t.coordinator;
        if (kind == WorkKind.COORDINATOR) {
            return coordinator.primary.route(RouteReason.COORDINATOR_STATEMENT);
        }
        RoutingTable.Group group = view.tenantsSupported() ? t.groupOfTenant(tenant) : null;
        boolean tenantPrimaryAllowed = affinity && kind == WorkKind.DATA && group != null;
        if (!readOnly || !readRouting) {
            if (!tenantPrimaryAllowed) {
                return coordinator.primary.route(RouteReason.WRITE_COORDINATOR);
            }
            Route r = primary(group, RouteReason.WRITE_TENANT_PRIMARY, avoid);
            return r != null ? r : coordinator.primary.route(RouteReason.WRITE_TENANT_PRIMARY_UNAVAILABLE);
        }
        Route r;
        if (group != null) {
            r = secondary(group, RouteReason.READ_TENANT_SECONDARY, avoid);
            if (r != null) {
                return r;
            }
            if (tenantPrimaryAllowed && !fallbackError) {
                r = primary(group, RouteReason.READ_TENANT_PRIMARY, avoid);
                if (r != null) {
                    return r;
                }
            }
        }
        if (group != coordinator) {
            r = secondary(coordinator, RouteReason.READ_COORDINATOR_SECONDARY, avoid);
            if (r != null) {
                return r;
            }
        }
        if (fallbackError) {
            throw noSecondary(tenant, group);
        }
        return coordinator.primary.route(RouteReason.READ_FALLBACK_PRIMARY);
    }

    /** The group's primary when usable and not down (claiming its probe when due); null otherwise. */
    private Route primary(RoutingTable.Group group, RouteReason reason, NodeAddress avoid) {
        RoutingTable.Slot p = group.primary;
        if (p == null) {
            return null;
        }
        if (p.viaUrl) {
            return p.route(reason); // the coordinator: never skipped
        }
        return usable(p, avoid) ? p.route(reason) : null;
    }

    /** An eligible secondary of the group that is not down, chosen by the selector; null when none. */
    private Route secondary(RoutingTable.Group group, RouteReason reason, NodeAddress avoid) {
        RoutingTable.Slot[] slots = group.secondaries;
        if (slots.length == 0) {
            return null;
        }
        if (avoid == null && !health.anyDown()) {
            return group.secondarySlot(selector.select(group.secondaryNodes)).route(reason);
        }
        // Degraded path (a node is down, or a retry): filter, allocating the candidate list.
        List<Node> up = new ArrayList<>(slots.length);
        for (RoutingTable.Slot s : slots) {
            if (s.dial.equals(avoid)) {
                continue;
            }
            NodeHealth.State state = health.state(s.dial);
            if (state == NodeHealth.State.PROBE_DUE && health.tryClaimProbe(s.dial)) {
                return s.route(reason); // the first unit after the back-off probes the node
            }
            if (state == NodeHealth.State.UP) {
                up.add(s.node);
            }
        }
        if (up.isEmpty()) {
            return null;
        }
        return group.secondarySlot(up.size() == 1 ? up.get(0) : selector.select(up)).route(reason);
    }

    private boolean usable(RoutingTable.Slot s, NodeAddress avoid) {
        if (s.dial.equals(avoid)) {
            return false;
        }
        NodeHealth.State state = health.state(s.dial);
        return state == NodeHealth.State.UP || (state == NodeHealth.State.PROBE_DUE && health.tryClaimProbe(s.dial));
    }

    private RoutingTable tableFor(ClusterView view) {
        RoutingTable t = table;
        if (t != null && t.source == view) {
            return t;
        }
        return rebuild(view, RoutingView.of(view));
    }

    private RoutingTable tableFor(RoutingView view) {
        RoutingTable t = table;
        if (t != null && t.source == view) {
            return t;
        }
        return rebuild(view, view);
    }

    private RoutingTable rebuild(Object source, RoutingView view) {
        synchronized (buildLock) {
            RoutingTable t = table;
            if (t != null && t.source == source) {
                return t; // another thread built it meanwhile
            }
            RoutingTable built = RoutingTable.build(source, view, t == null ? null : t.index, settings, clusterName);
            table = built;
            return built;
        }
    }

    private static SQLException noSecondary(String tenant, RoutingTable.Group group) {
        String which = tenant == null ? "work without a tenant"
                : group == null ? "tenant " + tenant + " (not in the topology)" : "tenant " + tenant + " (group " + group.groupId + ")";
        return new SQLException("No secondary can serve read-only " + which + ": none is active, reachable, allowed"
                + " and within maxReplicationLag, and readFallback=error forbids a primary. Set readFallback=primary to"
                + " read from a primary instead, or setReadOnly(false).", CitusSqlState.UNABLE_TO_CONNECT.getState());
    }
}
