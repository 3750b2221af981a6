package io.github.citusjdbc.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TopologyTest {

    private static Node node(int id, int group, int port, NodeRole role, boolean active) {
        return new Node(id, group, new NodeAddress("127.0.0.1", port), role, active, "default", group != 0);
    }

    // The pg_dist_node sample of docs/facts.md (Catalogs): coordinator + standby, two workers, a standby of worker 1, plus a disabled one.
    private final Topology topology = new Topology(7, List.of(
            node(9, 1, 9711, NodeRole.SECONDARY, true),
            node(1, 0, 9700, NodeRole.PRIMARY, true),
            node(2, 1, 9701, NodeRole.PRIMARY, true),
            node(3, 2, 9702, NodeRole.PRIMARY, true),
            node(5, 0, 9710, NodeRole.SECONDARY, true),
            node(6, 2, 9712, NodeRole.SECONDARY, false)),
            Map.of("tenant_b", 2, "tenant_a", 1));

    @Test
    void looksUpNodesGroupsAndTenants() {
        assertEquals(7, topology.version());
        assertEquals(List.of(1, 2, 3, 5, 6, 9), topology.nodes().stream().map(Node::nodeId).toList());
        assertEquals(List.of(0, 1, 2), List.copyOf(topology.groupIds()));
        assertEquals(1, topology.coordinator().orElseThrow().nodeId());
        assertEquals(2, topology.primaryOf(1).orElseThrow().nodeId());
        assertEquals(List.of(9), topology.activeSecondariesOf(1).stream().map(Node::nodeId).toList());
        assertEquals(List.of(), topology.activeSecondariesOf(2), "disabled secondary is not offered");
        assertEquals(OptionalInt.of(2), topology.groupOfTenant("tenant_b"));
        assertEquals(OptionalInt.empty(), topology.groupOfTenant("TENANT_B"));
        assertEquals(List.of("tenant_a", "tenant_b"), List.copyOf(topology.tenantGroups().keySet()));
        assertTrue(topology.node(4).isEmpty());
        assertTrue(topology.nodesInGroup(42).isEmpty());
    }

    @Test
    void isUnmodifiable() {
        assertThrows(UnsupportedOperationException.class, () -> topology.nodes().clear());
        assertThrows(UnsupportedOperationException.class, () -> topology.tenantGroups().put("x", 0));
        assertThrows(UnsupportedOperationException.class, () -> topology.nodesInGroup(0).clear());
    }

    @Test
    void rejectsInconsistentSnapshots() {
        assertThrows(IllegalArgumentException.class, () -> new Topology(1,
                List.of(node(1, 0, 1, NodeRole.PRIMARY, true), node(1, 1, 2, NodeRole.PRIMARY, true)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Topology(1,
                List.of(node(1, 0, 1, NodeRole.PRIMARY, true), node(2, 0, 2, NodeRole.PRIMARY, true)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Topology(1,
                List.of(node(1, 0, 1, NodeRole.PRIMARY, true), node(2, 1, 1, NodeRole.PRIMARY, true)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Topology(-1, List.of(), Map.of()));
    }

    @Test
    void emptyHasVersionZero() {
        assertEquals(0, Topology.empty().version());
        assertTrue(Topology.empty().coordinator().isEmpty());
    }

    @Test
    void nodeRoleReadsCatalogText() {
        assertEquals(NodeRole.SECONDARY, NodeRole.fromCatalog("secondary"));
        assertThrows(IllegalArgumentException.class, () -> NodeRole.fromCatalog("leader"));
    }
}
