package io.github.citusjdbc.cluster;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant's worker primary down: read-only work of that tenant keeps succeeding on its group's
 * standby (also with a lag bound), a write fails fast with a connection-class SQLState instead of
 * hanging; and after the operator's failover (promote the standby, {@code citus_update_node}) writes
 * resume within 2 s of the first failure with the default settings, not after a refresh interval.
 * A private cluster: it kills worker 1, then fails it over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrimaryDownReadsTest {
    private static LocalCluster cluster;
    private static ClusterNode worker1;
    private static ClusterNode standby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withStandbys(false, true).withBouncers(false));
        worker1 = cluster.worker(1);
        standby = cluster.standbyOf(worker1);
        cluster.citus().createTenant("pd_a", worker1, List.of("CREATE TABLE items (id int PRIMARY KEY, v text)"),
                cluster.user());
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO pd_a.items SELECT g, 'v' || g FROM generate_series(1, 10) g");
        }
        cluster.waitForReplay(worker1, standby);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest
    @Order(1)
    @ValueSource(strings = {"", "&maxReplicationLag=16MB"})
    void readsOfATenantWhosePrimaryIsDownContinueOnItsStandbyAndWritesFailFast(String lagBound) throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?"
                + ClusterChangesRoutingTest.FAST + lagBound;
        awaitTenants(url, app(cluster), "pd_a");
        try (Connection reader = DriverManager.getConnection(url, app(cluster));
             Connection writer = DriverManager.getConnection(url, app(cluster))) {
            reader.setReadOnly(true);
            reader.setSchema("pd_a");
            writer.setSchema("pd_a");
            LocalCluster.waitUntil(() -> Served.by(reader).port() == standby.port(), java.time.Duration.ofSeconds(15),
                    "reads on the tenant's standby");
            cluster.kill(worker1);
            try {
                long end = System.nanoTime() + 3_000_000_000L; // beyond the refresh interval and back-offs
                int reads = 0;
                while (System.nanoTime() < end) {
                    try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
                        rs.next();
                        assertEquals(10, rs.getInt(1));
                    }
                    assertEquals(standby.port(), Served.by(reader).port(), "the tenant's standby serves its reads");
                    reads++;
                }
                assertTrue(reads > 20, "reads: " + reads);
                long t0 = System.nanoTime();
                SQLException write = assertThrows(SQLException.class, () -> {
                    try (Statement s = writer.createStatement()) {
                        s.executeUpdate("INSERT INTO items VALUES (99, 'lost')");
                    }
                });
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(write.getSQLState() != null && write.getSQLState().startsWith("08"),
                        write.getSQLState() + " " + write.getMessage());
                assertTrue(ms < 5_000, "the write failed fast: " + ms + " ms");
            } finally {
                cluster.start(worker1);
                cluster.waitForReplay(worker1, standby);
            }
        }
    }

    /** Default settings (30 s topology refresh): a routing failure asks for an early refresh at once. */
    @Test
    @Order(2)
    void afterAWorkerFailoverWritesResumeWithin2SecondsOfTheFirstFailureWithDefaultSettings() throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?tenantRouting=affinity";
        awaitTenants(url, app(cluster), "pd_a");
        try (Connection c = DriverManager.getConnection(url, app(cluster)); Statement s = c.createStatement()) {
            c.setSchema("pd_a");
            s.executeUpdate("INSERT INTO items VALUES (100, 'before')");
            assertEquals(worker1.port(), Served.by(c).port());
            cluster.kill(worker1);
            long firstFailure = -1;
            long resumed = -1;
            long deadline = System.nanoTime() + 15_000_000_000L;
            boolean promoted = false;
            for (int i = 101; System.nanoTime() < deadline; i++) {
                try {
                    s.executeUpdate("INSERT INTO items VALUES (" + i + ", 'during')");
                    if (firstFailure >= 0) {
                        resumed = System.nanoTime();
                        break;
                    }
                } catch (SQLException e) {
                    if (firstFailure < 0) {
                        firstFailure = System.nanoTime();
                    }
                    if (!promoted) {
                        cluster.promote(standby); // the operator's failover, right after the first failure
                        promoted = true;
                    }
                }
                Thread.sleep(10);
            }
            assertTrue(firstFailure >= 0, "the kill was noticed");
            assertTrue(resumed >= 0, "writes resumed");
            long ms = (resumed - firstFailure) / 1_000_000;
            System.out.printf("worker failover, default settings: writes resumed %d ms after the first failure%n", ms);
            assertTrue(ms < 2_000, "resumed " + ms + " ms after the first failure");
            LocalCluster.waitUntil(() -> Served.by(c).port() == standby.port(), java.time.Duration.ofSeconds(5),
                    "writes on the promoted node");
        }
    }
}
