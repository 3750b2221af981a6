package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real {@link ClusterTopology} (pgjdbc metadata source and lag probe) following changes of a
 * private cluster that the test damages: node disabled, removed and re-added, tenant moved, the
 * metadata host killed, then every metadata host. Refreshes are driven by a fake clock, so each
 * "next refresh" is exactly one interval later and runs on the test thread against the servers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyChangesClusterTest {

    private static final Duration INTERVAL = TopologySettings.defaults().refreshInterval();
    private static final String TENANT = "moving_tenant";

    private static LocalCluster cluster;
    private static ManualClock clock;
    private static ClusterTopology topology;
    private static final List<Long> notified = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        cluster.citus().createTenant(TENANT, cluster.worker(1), List.of("CREATE TABLE items (id int PRIMARY KEY)"),
                LocalCluster.APP_USER);
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        // The URL lists the coordinator and its standby, as an application with coordinator HA would.
        ClusterKey key = new ClusterKey(List.of(addr(cluster.coordinator()), addr(cluster.standbyOf(cluster.coordinator()))),
                cluster.database(), cluster.user(), TopologySettings.DEFAULT_CLUSTER_NAME, "", dialled -> true);
        TopologySettings settings = TopologySettings.defaults().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
        clock = new ManualClock();
        topology = TopologyRegistry.pgjdbcFactory(p).create(key, settings, clock, clock);
        topology.addListener((before, after) -> notified.add(after.version()));
        topology.start();
        clock.runDue();
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private static NodeAddress addr(ClusterNode n) {
        return new NodeAddress(n.host(), n.port());
    }

    private static Optional<Node> find(Topology t, ClusterNode n) {
        return t.nodes().stream().filter(x -> x.address().equals(addr(n))).findFirst();
    }

    private static ClusterView nextRefresh() {
        clock.advance(INTERVAL);
        return topology.current();
    }

    @Test
    @Order(1)
    void firstLoadSeesTheWholeClusterAndMeasuresBothStandbys() {
        ClusterView v = topology.current();
        assertTrue(v.routingEnabled(), v.toString());
        assertEquals(5, v.topology().nodes().size());
        assertEquals(1, v.topology().groupOfTenant(TENANT).getAsInt());
        assertEquals(2, v.replicationLags().size(), v.toString());
        for (Node s : List.of(v.topology().activeSecondariesOf(0).get(0), v.topology().activeSecondariesOf(1).get(0))) {
            assertTrue(v.replicationLagBytes(s).isPresent(), s.toString());
        }
    }

    @Test
    @Order(2)
    void aDisabledNodeIsPickedUpByTheNextRefreshAndReactivatedLikewise() throws SQLException {
        long version = topology.current().version();
        cluster.citus().disableNode(cluster.worker(2));
        assertTrue(find(topology.current().topology(), cluster.worker(2)).orElseThrow().active(), "not before the refresh");
        ClusterView v = nextRefresh();
        assertFalse(find(v.topology(), cluster.worker(2)).orElseThrow().active());
        assertEquals(version + 1, v.version());
        cluster.citus().activateNode(cluster.worker(2));
        v = nextRefresh();
        assertTrue(find(v.topology(), cluster.worker(2)).orElseThrow().active());
        assertEquals(version + 2, v.version());
        assertEquals(List.of(version + 1, version + 2), notified.subList(notified.size() - 2, notified.size()));
    }

    @Test
    @Order(3)
    void aRemovedSecondaryDisappearsAndReturnsWithANewNodeIdWhenReAdded() throws SQLException {
        ClusterNode standby = cluster.standbyOf(cluster.worker(1));
        int oldId = find(topology.current().topology(), standby).orElseThrow().nodeId();
        cluster.citus().removeNode(standby);
        ClusterView v = nextRefresh();
        assertTrue(find(v.topology(), standby).isEmpty());
        assertEquals(List.of(), v.topology().activeSecondariesOf(1));
        assertEquals(1, v.replicationLags().size(), "only the coordinator standby is measured now");

        int newId = cluster.citus().addNode(standby);
        v = nextRefresh();
        Node readded = find(v.topology(), standby).orElseThrow();
        assertEquals(newId, readded.nodeId());
        assertNotEquals(oldId, newId);
        assertEquals(1, readded.groupId());
        assertTrue(readded.isActiveSecondary());
        assertTrue(v.replicationLagBytes(readded).isPresent(), "the new secondary is measured in the same refresh");
    }

    @Test
    @Order(4)
    void aTenantMoveIsFollowedAfterTheNextRefresh() throws SQLException {
        cluster.citus().moveTenant(TENANT, cluster.worker(2));
        assertEquals(1, topology.current().topology().groupOfTenant(TENANT).getAsInt(), "the stale route until the refresh");
        assertEquals(2, nextRefresh().topology().groupOfTenant(TENANT).getAsInt());
    }

    @Test
    @Order(5)
    void nothingChangedKeepsTheSnapshot() {
        Topology before = topology.current().topology();
        assertSame(before, nextRefresh().topology());
    }

    @Test
    @Order(6)
    void theMetadataHostDyingMovesReadsToAnotherUrlHost() {
        Topology before = topology.current().topology();
        cluster.kill(cluster.coordinator());
        ClusterView v = nextRefresh();
        assertTrue(v.lastFailure().isEmpty(), "read from the coordinator's standby in the same refresh: " + v);
        assertEquals(Duration.ZERO, v.age().orElseThrow());
        assertTrue(v.routingEnabled());
        assertTrue(ViewRefresh.sameContent(before, v.topology()), "the standby has the same catalogs");
        v = nextRefresh();
        assertTrue(v.lastFailure().isEmpty());
    }

    @Test
    @Order(7)
    void withEveryMetadataHostDownTheLastGoodSnapshotIsServedUntilTooStaleThenCoordinatorOnly() {
        Topology before = topology.current().topology();
        cluster.kill(cluster.standbyOf(cluster.coordinator()));
        ClusterView v = nextRefresh();
        assertTrue(v.lastFailure().isPresent());
        assertSame(before, v.topology());
        assertTrue(v.routingEnabled(), "still within maxStaleness");
        clock.advance(TopologySettings.defaults().maxStaleness());
        long t0 = System.nanoTime();
        v = topology.current();
        assertTrue(System.nanoTime() - t0 < 5_000_000L, "current() never waits");
        assertTrue(v.isStale());
        assertFalse(v.routingEnabled());
        assertSame(before, v.topology());
    }
}
