package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a routing decision needs, precomputed once per view so that a decision is a hash
 * lookup and a few field reads: tenant → group, and per group its usable primary and its eligible
 * secondaries (active, of the configured cluster, allowed, within the replication-lag limit), each
 * with its dialled address and its {@link Route}s. Health is not in the table: it changes between
 * views and is checked per decision.
 *
 * <p>Two levels: the {@link Index} (tenant → group index, O(tenants)) depends only on the
 * {@link Topology} instance, which the topology keeps while the catalogs do not change, so it is
 * built once per version; the group routes depend on the view (lag, dial addresses) and are
 * rebuilt per view, O(nodes). Immutable after construction apart from the lazily created routes
 * (benign races: every racer creates an equal route). Package-private.
 */
final class RoutingTable {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingTable.class);

    final Object source;
    final RoutingView view;
    final Index index;
    final Group[] groups;
    final Group coordinator;
    final long version;

    private RoutingTable(Object source, RoutingView view, Index index, Group[] groups, long version) {
        this.source = source;
        this.view = view;
        this.index = index;
        this.groups = groups;
        this.coordinator = groups[index.coordinatorIndex];
        this.version = version;
    }

    /**
     * @param tenant a tenant name, or null
     * @return the tenant's group, or null when the tenant is null or unknown
     */
    Group groupOfTenant(String tenant) {
        if (tenant == null) {
            return null;
        }
        Integer i = index.tenants.get(tenant);
        return i == null ? null : groups[i];
    }

    /**
     * Builds the table of a view.
     *
     * @param source      the cache key (the view the caller holds)
     * @param view        the view, adapted
     * @param index       the index of the view's topology, or null/another topology's to build a new one
     * @param settings    routing settings
     * @param clusterName the {@code nodecluster} whose secondaries may be used
     * @return the table
     */
    static RoutingTable build(Object source, RoutingView view, Index index, RoutingSettings settings,
                              String clusterName) {
        Topology t = view.topology();
        Index idx = index != null && index.topology == t ? index : Index.of(t);
        Group[] groups = new Group[idx.groupIds.length];
        long version = t.version();
        for (int i = 0; i < groups.length; i++) {
            groups[i] = group(idx.groupIds[i], view, t, settings, clusterName, version);
        }
        return new RoutingTable(source, view, idx, groups, version);
    }

    private static Group group(int groupId, RoutingView view, Topology t, RoutingSettings settings, String clusterName,
                               long version) {
        Slot primary;
        if (groupId == Node.COORDINATOR_GROUP) {
            // The coordinator primary is reached through the URL (pgjdbc's host handling), never dialled by catalog name.
            primary = new Slot(t.coordinator().orElse(null), null, version, true, -1);
        } else {
            Node p = t.primaryOf(groupId).orElse(null);
            primary = p != null && p.active() ? usable(p, view, settings, version) : null;
        }
        List<Slot> secondaries = new ArrayList<>();
        String excluded = "no secondary in the group";
        for (Node n : t.nodesInGroup(groupId)) {
            if (n.role() != NodeRole.SECONDARY) {
                continue;
            }
            if (!n.active() || !clusterName.equals(n.clusterName())) {
                excluded = !n.active() ? "secondary " + n.address() + " inactive"
                        : "secondary " + n.address() + " in another nodecluster";
                continue;
            }
            if (settings.lagChecked() && !view.isLagWithin(n, settings.maxReplicationLag())) {
                LOG.debug("secondary {} of group {} not eligible: replication lag unknown or above {} bytes",
                        n.address(), groupId, settings.maxReplicationLag());
                long lag = view.lagBytes(n);
                excluded = "secondary " + n.address() + (lag < 0 ? " lag unknown" : " lag " + lag + " bytes")
                        + ", above maxReplicationLag";
                continue;
            }
            Slot s = usable(n, view, settings, version);
            if (s != null) {
                secondaries.add(s);
            } else {
                excluded = "secondary " + n.address() + " not in allowedHosts";
            }
        }
        return new Group(groupId, primary, secondaries.toArray(new Slot[0]), secondaries.isEmpty() ? excluded : null);
    }

    private static Slot usable(Node n, RoutingView view, RoutingSettings settings, long version) {
        NodeAddress dial = view.dialAddress(n);
        if (!settings.allowedHosts().allows(dial)) {
            LOG.debug("node {} (dialled as {}) is not in allowedHosts: never routed to", n.address(), dial);
            return null;
        }
        return new Slot(n, dial, version, false, n.role() == NodeRole.SECONDARY ? view.lagBytes(n) : -1);
    }

    /** One group's usable primary and eligible secondaries. */
    static final class Group {
        final int groupId;
        /** Active and allowed primary; the URL slot for the coordinator's group; null when unusable. */
        final Slot primary;
        final Slot[] secondaries;
        /** The secondaries' nodes, in the same order, for the {@link io.github.citusjdbc.spi.NodeSelector}. */
        final List<Node> secondaryNodes;
        /** Why no secondary is eligible (for {@code lastServedBy}); null when some is. */
        final String noSecondary;

        Group(int groupId, Slot primary, Slot[] secondaries, String noSecondary) {
            this.groupId = groupId;
            this.noSecondary = noSecondary;
            this.primary = primary;
            this.secondaries = secondaries;
            List<Node> nodes = new ArrayList<>(secondaries.length);
            for (Slot s : secondaries) {
                nodes.add(s.node);
            }
            this.secondaryNodes = List.copyOf(nodes);
        }

        /**
         * @param node a node the selector chose from {@link #secondaryNodes} (or a subset)
         * @return its slot
         * @throws IllegalStateException when the selector returned a node that was not offered
         */
        Slot secondarySlot(Node node) {
            for (Slot s : secondaries) {
                if (s.node == node) {
                    return s;
                }
            }
            for (Slot s : secondaries) {
                if (s.node.equals(node)) {
                    return s;
                }
            }
            throw new IllegalStateException("the NodeSelector returned " + node + ", which was not a candidate");
        }
    }

    /** A routable node with its dialled address and its routes, one per reason, created on first use. */
    static final class Slot {
        final Node node;
        final NodeAddress dial;
        final long version;
        final boolean viaUrl;
        /** A secondary's replication lag in the view the table was built from; -1 when not measured. */
        final long lagBytes;
        private final Route[] routes = new Route[RouteReason.values().length];

        Slot(Node node, NodeAddress dial, long version, boolean viaUrl, long lagBytes) {
            this.node = node;
            this.dial = dial;
            this.version = version;
            this.viaUrl = viaUrl;
            this.lagBytes = lagBytes;
        }

        Route route(RouteReason reason) {
            Route r = routes[reason.ordinal()];
            if (r == null) {
                r = new Route(node, dial, reason, version, viaUrl, lagBytes);
                routes[reason.ordinal()] = r; // racy publication is fine: Route is immutable with final fields
            }
            return r;
        }
    }

    /** Tenant → group index of one {@link Topology} instance. */
    static final class Index {
        final Topology topology;
        final int[] groupIds;
        final int coordinatorIndex;
        final Map<String, Integer> tenants;

        private Index(Topology topology, int[] groupIds, int coordinatorIndex, Map<String, Integer> tenants) {
            this.topology = topology;
            this.groupIds = groupIds;
            this.coordinatorIndex = coordinatorIndex;
            this.tenants = tenants;
        }

        static Index of(Topology t) {
            TreeSet<Integer> ids = new TreeSet<>(t.groupIds());
            ids.addAll(t.tenantGroups().values());
            ids.add(Node.COORDINATOR_GROUP);
            int[] groupIds = new int[ids.size()];
            Map<Integer, Integer> position = new HashMap<>();
            int i = 0;
            for (int id : ids) {
                position.put(id, i);
                groupIds[i++] = id;
            }
            Map<String, Integer> tenants = new HashMap<>(Math.max(16, t.tenantGroups().size() * 4 / 3 + 1));
            t.tenantGroups().forEach((tenant, group) -> tenants.put(tenant, position.get(group)));
            return new Index(t, groupIds, position.get(Node.COORDINATOR_GROUP), tenants);
        }
    }
}
