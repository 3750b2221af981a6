package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.assertServedBy;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routing follows the cluster as it changes, on a private cluster with a 1 s topology refresh:
 * a lagging standby, a disabled standby, a tenant moved under a concurrent writer, the metadata
 * unreadable beyond the maximum staleness, and (last, it reshapes the cluster) a worker failover
 * with {@code tenantRouting=affinity}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChangesRoutingTest {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterChangesRoutingTest.class);
    static final String FAST = "topologyRefreshInterval=1s&topologyMaxStaleness=3s&nodeBackoffBase=200ms"
            + "&nodeBackoffMax=1s&nodeConnectTimeout=2s&connectTimeout=2";

    private static LocalCluster cluster;
    private static ClusterNode worker1Standby;
    private static ClusterNode coordinatorStandby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        worker1Standby = cluster.standbyOf(cluster.worker(1));
        coordinatorStandby = cluster.standbyOf(cluster.coordinator());
        for (String t : List.of("cc_a", "cc_b", "cc_c")) {
            cluster.citus().createTenant(t, cluster.worker(1), List.of("CREATE TABLE t(id int)"), cluster.user());
        }
        cluster.citus().createTenant("cc_d", cluster.worker(1), List.of("CREATE TABLE t(id int PRIMARY KEY)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), worker1Standby);
        cluster.waitForReplay(cluster.coordinator(), coordinatorStandby);
        awaitTenants(url(null), app(cluster), "cc_a", "cc_b", "cc_c", "cc_d");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String url(String more) {
        return "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?" + FAST
                + (more == null ? "" : "&" + more);
    }

    private static Connection readOnly(String more, String tenant) throws SQLException {
        Connection c = DriverManager.getConnection(url(more), app(cluster));
        c.setReadOnly(true);
        c.setSchema(tenant);
        return c;
    }

    private static void awaitServedBy(Connection c, ClusterNode expected, Duration within) {
        LocalCluster.waitUntil(() -> Served.by(c).port() == expected.port(), within, "reads on " + expected.name());
    }

    @Test
    @Order(1)
    void aStandbyLaggingBeyondMaxReplicationLagStopsReceivingReadsUntilItCatchesUp() throws SQLException {
        try (Connection c = readOnly("maxReplicationLag=64kB", "cc_a");
             Connection standbyAdmin = cluster.admin(worker1Standby);
             Connection primaryAdmin = cluster.admin(cluster.worker(1))) {
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(10));
            standbyAdmin.createStatement().execute("SELECT pg_wal_replay_pause()");
            try {
                primaryAdmin.createStatement().execute(
                        "CREATE TABLE lag_fill AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 5000) g");
                awaitServedBy(c, coordinatorStandby, Duration.ofSeconds(10));
                assertEquals("READ_COORDINATOR_SECONDARY", c.unwrap(CitusConnection.class).lastServedBy().reason());
            } finally {
                standbyAdmin.createStatement().execute("SELECT pg_wal_replay_resume()");
            }
            cluster.waitForReplay(cluster.worker(1), worker1Standby);
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(10));
        }
    }

    @Test
    @Order(2)
    void aDisabledStandbyGetsNoReadsAndGetsThemBackWhenActivated() throws SQLException {
        try (Connection c = readOnly(null, "cc_a")) {
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(10));
            cluster.citus().disableNode(worker1Standby);
            try {
                awaitServedBy(c, coordinatorStandby, Duration.ofSeconds(5));
            } finally {
                cluster.citus().activateNode(worker1Standby);
            }
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(5));
        }
    }

    @Test
    @Order(3)
    void aMovedTenantIsFollowedWithinARefreshAndNoWriteFailsDuringTheMove() throws Exception {
        moveUnderWrites("cc_b", "block_writes");
    }

    /** The same with logical replication, Citus's default when the tables have a primary key. */
    @Test
    @Order(3)
    void aTenantMovedWithLogicalReplicationIsFollowedAndNoWriteFails() throws Exception {
        moveUnderWrites("cc_d", "force_logical");
    }

    private static void moveUnderWrites(String tenant, String transferMode) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Integer> ports = new ArrayList<>();
        Thread writer = new Thread(() -> {
            try (Connection w = DriverManager.getConnection(url("tenantRouting=affinity"), app(cluster))) {
                w.setSchema(tenant);
                try (Statement st = w.createStatement()) {
                    for (int i = 0; !Thread.currentThread().isInterrupted() && failure.get() == null; i++) {
                        st.executeUpdate("INSERT INTO t VALUES (" + i + ")");
                        synchronized (ports) {
                            ports.add(Served.by(w, "SELECT count(*) FROM t").port());
                        }
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "writer");
        writer.start();
        try {
            LocalCluster.waitUntil(() -> { synchronized (ports) { return ports.size() > 5; } }, Duration.ofSeconds(10),
                    "writes before the move");
            cluster.citus().moveTenant(tenant, cluster.worker(2), transferMode);
            long moved = System.nanoTime();
            LocalCluster.waitUntil(() -> {
                synchronized (ports) {
                    return !ports.isEmpty() && ports.get(ports.size() - 1) == cluster.worker(2).port();
                }
            }, Duration.ofSeconds(5), "writes on worker 2");
            long followedMillis = (System.nanoTime() - moved) / 1_000_000;
            LOG.info("tenant moved ({}) followed after {} ms", transferMode, followedMillis);
            assertTrue(followedMillis <= 1_500, "followed within one refresh interval (+ the read): " + followedMillis);
        } finally {
            writer.interrupt();
            writer.join(10_000);
        }
        if (failure.get() != null) {
            throw new AssertionError("a write failed during the move", failure.get());
        }
    }

    @Test
    @Order(4)
    void unreadableMetadataBeyondMaxStalenessGivesCoordinatorOnlyRoutingWithoutBlocking() throws SQLException {
        try (Connection c = readOnly(null, "cc_a"); Connection admin = cluster.admin(cluster.coordinator())) {
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(10));
            // The app role can no longer read the catalog on the coordinator: every refresh fails.
            admin.createStatement().execute("REVOKE SELECT ON pg_catalog.pg_dist_node FROM PUBLIC");
            try {
                long start = System.nanoTime();
                LocalCluster.waitUntil(() -> {
                    long t0 = System.nanoTime();
                    Served s = Served.by(c);
                    assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "a statement never waits for metadata");
                    return s.port() == cluster.coordinator().port();
                }, Duration.ofSeconds(10), "coordinator-only routing");
                LOG.info("coordinator-only after {} ms", (System.nanoTime() - start) / 1_000_000);
                assertEquals("TOPOLOGY_UNAVAILABLE", c.unwrap(CitusConnection.class).lastServedBy().reason());
            } finally {
                admin.createStatement().execute("GRANT SELECT ON pg_catalog.pg_dist_node TO PUBLIC");
            }
            awaitServedBy(c, worker1Standby, Duration.ofSeconds(10));
        }
    }

    @Test
    @Order(5)
    void afterAFailoverWritesForTheTenantResumeWithinTwoRefreshIntervals() throws Exception {
        try (Connection c = DriverManager.getConnection(url("tenantRouting=affinity"), app(cluster))) {
            c.setSchema("cc_c");
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO t VALUES (1)");
            }
            assertServedBy(cluster.worker(1), Served.by(c));
            ClusterNode oldPrimary = cluster.worker(1);
            ClusterNode promoted = worker1Standby;
            cluster.promote(promoted);
            cluster.stop(oldPrimary);
            long stopped = System.nanoTime();
            int failures = 0;
            long resumedNanos = -1;
            long onPromotedNanos = -1;
            while (System.nanoTime() - stopped < 10_000_000_000L) {
                try (Statement st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO t VALUES (2)");
                    if (resumedNanos < 0) {
                        resumedNanos = System.nanoTime() - stopped;
                    }
                    if (Served.by(c).port() == promoted.port()) {
                        onPromotedNanos = System.nanoTime() - stopped;
                        break;
                    }
                } catch (SQLException e) {
                    failures++;
                    LOG.info("write during failover failed: {} {}", e.getSQLState(), e.getMessage());
                }
                Thread.sleep(20);
            }
            LOG.info("writes resumed {} ms after the stop ({} failed), on the promoted node after {} ms",
                    resumedNanos / 1_000_000, failures, onPromotedNanos / 1_000_000);
            assertTrue(resumedNanos >= 0 && resumedNanos <= 2_000_000_000L, "resumed within 2 refresh intervals: "
                    + resumedNanos / 1_000_000 + " ms");
            assertTrue(onPromotedNanos >= 0 && onPromotedNanos <= 2_000_000_000L,
                    "on the promoted node within 2 refresh intervals: " + onPromotedNanos / 1_000_000 + " ms");
            Served after = Served.by(c);
            assertEquals(promoted.port(), after.port());
            assertEquals(false, after.inRecovery(), "the promoted node is a primary");
            assertEquals("WRITE_TENANT_PRIMARY", c.unwrap(CitusConnection.class).lastServedBy().reason());
        }
    }
}
