package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.topology.ClusterKey;
import io.github.citusjdbc.topology.ClusterTopology;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.RefreshScheduler;
import io.github.citusjdbc.topology.TopologyRegistry;
import io.github.citusjdbc.topology.TopologySettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A {@link RouteDecider} on a real {@link ClusterView}, read by the topology package from the
 * shared test-kit cluster (coordinator + standby, worker 1 + standby, worker 2): decisions name the
 * right kit nodes, and the node a decision names is the one that answers (server port, recovery).
 */
class RoutingClusterTest {

    private static LocalCluster cluster;
    private static ClusterTopology topology;
    private static String onWorker1;
    private static String onWorker2;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.shared();
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1_000_000));
        onWorker1 = "route_w1_" + suffix;
        onWorker2 = "route_w2_" + suffix;
        cluster.citus().createTenant(onWorker1, cluster.worker(1), List.of("CREATE TABLE t(id int)"), cluster.user());
        cluster.citus().createTenant(onWorker2, cluster.worker(2), List.of("CREATE TABLE t(id int)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), cluster.standbyOf(cluster.worker(1)));
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        // Lag measured on every node (as with maxReplicationLag and no allowedHosts).
        ClusterKey key = new ClusterKey(List.of(address(cluster.coordinator())), cluster.database(), cluster.user(),
                TopologySettings.DEFAULT_CLUSTER_NAME, "", HostAllowList.allowAll());
        // A private holder (not the shared registry): its first read is guaranteed to see the tenants just created.
        topology = TopologyRegistry.pgjdbcFactory(p).create(key, TopologySettings.defaults(), Ticker.systemTicker(),
                RefreshScheduler.shared());
        topology.start();
        topology.awaitFirstLoad();
        LocalCluster.waitUntil(() -> topology.current().routingEnabled(), Duration.ofSeconds(30), "first topology read");
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    private static NodeAddress address(ClusterNode n) {
        return new NodeAddress(n.host(), n.port());
    }

    private static RouteDecider decider(RoutingSettings settings) {
        return new RouteDecider(settings, new NodeHealth(Duration.ofSeconds(1), Duration.ofSeconds(30), Ticker.systemTicker()),
                new RoundRobinSelector(), TopologySettings.DEFAULT_CLUSTER_NAME);
    }

    private static void assertRoutedTo(ClusterNode expected, Route r) {
        assertFalse(r.viaUrl(), r.toString());
        assertEquals(expected.port(), r.dialAddress().port(), "expected " + expected.name() + ", got " + r);
    }

    @Test
    void readOnlyWorkForATenantOnWorker1GoesToWorker1sStandbyAndIsServedThere() throws SQLException {
        ClusterView view = topology.current();
        assertTrue(view.tenantsSupported());
        Route r = decider(RoutingSettings.defaults()).decide(view, onWorker1, true, WorkKind.DATA);
        ClusterNode standby = cluster.standbyOf(cluster.worker(1));
        assertRoutedTo(standby, r);
        assertEquals(RouteReason.READ_TENANT_SECONDARY, r.reason());
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + r.dialAddress() + "/" + cluster.database(), p);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT inet_server_port(), pg_is_in_recovery(), count(*) FROM " + onWorker1 + ".t")) {
            assertTrue(rs.next());
            assertEquals(standby.port(), rs.getInt(1));
            assertTrue(rs.getBoolean(2), "served by a hot standby");
        }
    }

    @Test
    void readOnlyWorkForATenantOnWorker2DependsOnAffinity() throws SQLException {
        ClusterView view = topology.current();
        Route plain = decider(RoutingSettings.defaults()).decide(view, onWorker2, true, WorkKind.DATA);
        assertRoutedTo(cluster.standbyOf(cluster.coordinator()), plain);
        assertEquals(RouteReason.READ_COORDINATOR_SECONDARY, plain.reason());
        RoutingSettings affinity = RoutingSettings.defaults().withTenantRouting(RoutingSettings.TenantRouting.AFFINITY);
        Route withAffinity = decider(affinity).decide(view, onWorker2, true, WorkKind.DATA);
        assertRoutedTo(cluster.worker(2), withAffinity);
        assertEquals(RouteReason.READ_TENANT_PRIMARY, withAffinity.reason());
    }

    @Test
    void readOnlyWorkWithoutTenantGoesToTheCoordinatorStandby() throws SQLException {
        Route r = decider(RoutingSettings.defaults()).decide(topology.current(), null, true, WorkKind.DATA);
        assertRoutedTo(cluster.standbyOf(cluster.coordinator()), r);
    }

    @Test
    void writesGoToTheCoordinatorOrWithAffinityToTheTenantsWorker() throws SQLException {
        ClusterView view = topology.current();
        RouteDecider plain = decider(RoutingSettings.defaults());
        for (String tenant : new String[] {null, onWorker1, onWorker2}) {
            Route r = plain.decide(view, tenant, false, WorkKind.DATA);
            assertTrue(r.viaUrl(), r.toString());
            assertEquals(address(cluster.coordinator()), r.node().address(), "the URL route names the coordinator");
        }
        RouteDecider affinity = decider(RoutingSettings.defaults().withTenantRouting(RoutingSettings.TenantRouting.AFFINITY));
        assertRoutedTo(cluster.worker(1), affinity.decide(view, onWorker1, false, WorkKind.DATA));
        assertRoutedTo(cluster.worker(2), affinity.decide(view, onWorker2, false, WorkKind.DATA));
        assertTrue(affinity.decide(view, onWorker1, false, WorkKind.COORDINATOR).viaUrl(), "DDL on the coordinator");
    }

    @Test
    void measuredLagKeepsCaughtUpStandbysEligible() throws SQLException {
        ClusterView view = topology.current();
        RoutingSettings s = RoutingSettings.defaults().withMaxReplicationLag(16L << 20);
        assertTrue(view.replicationLagBytes(view.topology().nodes().stream()
                .filter(n -> n.address().port() == cluster.standbyOf(cluster.worker(1)).port()).findFirst().orElseThrow())
                .isPresent(), "the topology measured the standby's lag: " + view);
        assertRoutedTo(cluster.standbyOf(cluster.worker(1)), decider(s).decide(view, onWorker1, true, WorkKind.DATA));
        assertRoutedTo(cluster.standbyOf(cluster.worker(1)), decider(s.withMaxReplicationLag(0)).decide(view, onWorker1, true,
                WorkKind.DATA)); // idle cluster: a caught-up standby has lag 0
    }
}
