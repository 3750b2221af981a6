package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Row-to-snapshot rules of {@link TopologyAssembler}, and LSN arithmetic of the lag probe. */
class TopologyAssemblerTest {

    @Test
    void secondariesOfOtherClustersAreDroppedButPrimariesAlwaysKept() {
        TopologyAssembler a = new TopologyAssembler("analytics", 0);
        a.addNode(1, 0, "coord", 5432, true, "primary", "default", false);
        a.addNode(2, 1, "w1", 5432, true, "primary", "default", true);
        a.addNode(3, 1, "w1-standby", 5432, true, "secondary", "default", true);
        a.addNode(4, 1, "w1-analytics", 5432, false, "secondary", "analytics", true);
        Topology t = a.build(7);
        assertEquals(List.of(1, 2, 4), t.nodes().stream().map(n -> n.nodeId()).toList());
        assertEquals(NodeRole.SECONDARY, t.node(4).orElseThrow().role());
        assertEquals(false, t.node(4).orElseThrow().active());
        assertEquals(7, t.version());
    }

    @Test
    void aTenantWithoutPlacementBelongsToTheCoordinatorAndAnAmbiguousOneToItsLowestGroup() {
        TopologyAssembler a = new TopologyAssembler("default", 3);
        a.addTenant("empty_schema", null);
        a.addTenant("moving", 2);
        a.addTenant("moving", 1);
        a.addTenant("plain", 2);
        assertEquals(Map.of("empty_schema", 0, "moving", 1, "plain", 2), a.build(1).tenantGroups());
    }

    @Test
    void inconsistentRowsAreRejected() {
        TopologyAssembler a = new TopologyAssembler("default", 0);
        a.addNode(1, 1, "a", 5432, true, "primary", "default", true);
        a.addNode(2, 1, "b", 5432, true, "primary", "default", true);
        assertThrows(IllegalArgumentException.class, () -> a.build(1));
        assertThrows(IllegalArgumentException.class, () -> a.addNode(3, 2, "c", 5432, true, "leader", "default", true));
    }

    @Test
    void lsnTextIsParsedAsA64BitPosition() {
        assertEquals(0x16B374D848L, ReplicationLagProbe.parseLsn("16/B374D848"));
        assertEquals(0L, ReplicationLagProbe.parseLsn("0/0"));
        assertEquals(0xFFFFFFFFFFFFFFFFL, ReplicationLagProbe.parseLsn("FFFFFFFF/FFFFFFFF"));
        assertThrows(IllegalArgumentException.class, () -> ReplicationLagProbe.parseLsn("16B374D848"));
        assertThrows(IllegalArgumentException.class, () -> ReplicationLagProbe.parseLsn("1/"));
    }
}
