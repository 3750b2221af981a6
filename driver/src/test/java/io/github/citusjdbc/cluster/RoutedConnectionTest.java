package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.assertServedBy;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static io.github.citusjdbc.cluster.Served.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * End to end through {@code jdbc:citus:} on the shared test-kit cluster (coordinator + standby,
 * worker 1 + standby, worker 2): where each unit of work runs, proven by the server
 * ({@code inet_server_port()}, {@code pg_is_in_recovery()}), directly, through HikariCP and through
 * each node's PgBouncer with {@code nodeAddressMap}.
 */
class RoutedConnectionTest {

    private static LocalCluster cluster;
    private static String onWorker1;
    private static String onWorker2;
    private static ClusterNode coordinator;
    private static ClusterNode coordinatorStandby;
    private static ClusterNode worker1Standby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.shared();
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1_000_000));
        onWorker1 = "rc_w1_" + suffix;
        onWorker2 = "rc_w2_" + suffix;
        cluster.citus().createTenant(onWorker1, cluster.worker(1), List.of("CREATE TABLE t(id int)"), cluster.user());
        cluster.citus().createTenant(onWorker2, cluster.worker(2), List.of("CREATE TABLE t(id int)"), cluster.user());
        coordinator = cluster.coordinator();
        coordinatorStandby = cluster.standbyOf(coordinator);
        worker1Standby = cluster.standbyOf(cluster.worker(1));
        cluster.waitForReplay(cluster.worker(1), worker1Standby);
        cluster.waitForReplay(coordinator, coordinatorStandby);
        awaitTenants(url(cluster, null), app(cluster), onWorker1, onWorker2);
    }

    private static Connection open(String query) throws SQLException {
        return DriverManager.getConnection(url(cluster, query), app(cluster));
    }

    private static Served readIn(Connection c, String tenant) throws SQLException {
        c.setSchema(tenant);
        return Served.by(c, "SELECT count(*) FROM t");
    }

    @Test
    void readOnlyWorkGoesToTheTenantsStandbyOrTheCoordinatorStandby() throws SQLException {
        try (Connection c = open(null)) {
            c.setReadOnly(true);
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            ServedBy by = c.unwrap(CitusConnection.class).lastServedBy();
            assertEquals("READ_TENANT_SECONDARY", by.reason());
            assertEquals(worker1Standby.port(), by.address().port());
            assertEquals(io.github.citusjdbc.spi.NodeRole.SECONDARY, by.role());
            assertTrue(c.unwrap(CitusConnection.class).topologyVersion() > 0);

            assertServedBy(coordinatorStandby, readIn(c, onWorker2)); // worker 2 has no standby
            c.setSchema(null);
            assertServedBy(coordinatorStandby, Served.by(c)); // no tenant
        }
    }

    @Test
    void withAffinityReadsWithoutAStandbyAndWritesGoToTheTenantsPrimary() throws SQLException {
        try (Connection c = open("tenantRouting=affinity")) {
            c.setReadOnly(true);
            assertServedBy(cluster.worker(2), readIn(c, onWorker2));
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            c.setReadOnly(false);
            assertServedBy(cluster.worker(1), readIn(c, onWorker1));
            c.setSchema(onWorker2);
            try (Statement st = c.createStatement()) {
                assertEquals(1, st.executeUpdate("INSERT INTO t VALUES (7)"));
            }
            assertServedBy(cluster.worker(2), readIn(c, onWorker2));
            assertEquals("WRITE_TENANT_PRIMARY", c.unwrap(CitusConnection.class).lastServedBy().reason());
            c.setSchema(null);
            assertServedBy(coordinator, Served.by(c)); // no tenant: the coordinator
        }
    }

    @Test
    void writesGoToTheCoordinatorWithoutAffinity() throws SQLException {
        try (Connection c = open(null)) {
            assertServedBy(coordinator, readIn(c, onWorker1));
            c.setSchema(onWorker1);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO t VALUES (1)");
            }
            assertServedBy(coordinator, Served.by(c));
        }
    }

    @Test
    void ddlGoesToTheCoordinatorAndDdlAfterDmlInAWorkerTransactionFailsClearly() throws SQLException {
        try (Connection c = open("tenantRouting=affinity")) {
            c.setSchema(onWorker1);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE ddl_first (id int)");
                assertServedBy(coordinator, Served.by(c)); // the transaction started with DDL: coordinator
                c.rollback();

                st.executeUpdate("INSERT INTO t VALUES (2)");
                assertServedBy(cluster.worker(1), Served.by(c));
                SQLException e = assertThrows(SQLException.class, () -> st.execute("CREATE TEMP TABLE ddl_late (id int)"));
                assertEquals("25000", e.getSQLState());
                assertTrue(e.getMessage().contains("tenantRouting=affinity") && e.getMessage().contains("Fix"),
                        e.getMessage());
                c.rollback();
            }
        }
    }

    @Test
    void aTransactionNeverChangesNodeAndSetReadOnlyInsideOneFailsAsInPgjdbc() throws SQLException {
        try (Connection c = open(null)) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            c.setSchema(onWorker1);
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            c.setSchema(onWorker2); // re-pins inside the transaction, does not move it
            assertServedBy(worker1Standby, readIn(c, onWorker2));
            assertThrows(SQLException.class, () -> c.setReadOnly(false));
            c.commit();
            c.setReadOnly(false);
            assertServedBy(coordinator, readIn(c, onWorker2));
            c.commit();
        }
    }

    @Test
    void statementsCreatedBeforeASwitchRunOnTheNewRouteWithTheirParameters() throws SQLException {
        try (Connection c = open(null)) {
            c.setSchema(onWorker1);
            Statement st = c.createStatement();
            // No tenant table in the probes: Citus would push such a query down to the worker holding
            // the shard, and inet_server_port() would name that worker. The pinned tenant shows in current_schema().
            PreparedStatement probe = c.prepareStatement(Served.WHERE + ", ?::int, current_schema()");
            CallableStatement call = c.prepareCall("{? = call inet_server_port()}");
            call.registerOutParameter(1, Types.INTEGER);
            probe.setInt(1, 42);
            try (ResultSet rs = probe.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(coordinator.port(), rs.getInt(1));
            }
            c.setReadOnly(true); // both statements were created on the coordinator's physical connection
            try (ResultSet rs = probe.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(worker1Standby.port(), rs.getInt(1));
                assertEquals(42, rs.getInt(3), "parameters replayed onto the new physical statement");
                assertEquals(onWorker1, rs.getString(4), "pinned on the new route");
            }
            try (ResultSet rs = st.executeQuery(Served.WHERE + ", current_schema()")) {
                assertTrue(rs.next());
                assertEquals(worker1Standby.port(), rs.getInt(1));
            }
            assertEquals(worker1Standby.port(), c.unwrap(CitusConnection.class).lastServedBy().address().port());
            call.execute(); // re-created on the new route with its OUT registration
            assertEquals(worker1Standby.port(), call.getInt(1));
            c.setReadOnly(false);
            call.execute();
            assertEquals(coordinator.port(), call.getInt(1));
            try (ResultSet rs = probe.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(coordinator.port(), rs.getInt(1));
                assertEquals(42, rs.getInt(3));
            }
            probe.setInt(1, 43);
            c.setReadOnly(true);
            try (ResultSet rs = probe.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(worker1Standby.port(), rs.getInt(1));
                assertEquals(43, rs.getInt(3));
            }
        }
    }

    @Test
    void unwrapReachesThePhysicalConnectionOfTheLastUnit() throws SQLException {
        try (Connection c = open(null); Statement st = c.createStatement()) {
            c.setReadOnly(true);
            st.executeQuery("SELECT 1").close();
            int pid = c.unwrap(PGConnection.class).getBackendPID();
            try (ResultSet rs = st.executeQuery("SELECT pg_backend_pid(), inet_server_port()")) {
                assertTrue(rs.next());
                assertEquals(pid, rs.getInt(1), "the same physical connection");
                assertEquals(coordinatorStandby.port(), rs.getInt(2));
            }
        }
    }

    @Test
    void aDataSourceConfiguredByBeanPropertiesRoutes() throws SQLException {
        io.github.citusjdbc.CitusDataSource ds = new io.github.citusjdbc.CitusDataSource();
        ds.setUrl(url(cluster, null));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        ds.setTenantRouting("affinity");
        assertThrows(IllegalArgumentException.class, () -> ds.setReadRouting("replica"));
        try (Connection c = ds.getConnection()) {
            assertServedBy(cluster.worker(2), readIn(c, onWorker2));
        }
    }

    @Test
    void anIdleRoutedConnectionIsValidatedBeforeReuseAndReplacedWhenBroken() throws Exception {
        try (Connection c = open("nodeIdleValidation=100ms"); Connection admin = cluster.admin(worker1Standby);
             Statement kill = admin.createStatement()) {
            c.setReadOnly(true);
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            int pid = c.unwrap(PGConnection.class).getBackendPID();
            kill.execute("SELECT pg_terminate_backend(" + pid + ")");
            Thread.sleep(300);
            // Without validation the broken connection would fail and the retry would avoid this standby.
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            assertTrue(pid != c.unwrap(PGConnection.class).getBackendPID(), "a new physical connection");
        }
    }

    @Test
    void preparedBatchesAreRoutedWhenBuiltAndRefusedWhenTheRouteChangesBeforeExecution() throws SQLException {
        try (Connection c = open("tenantRouting=affinity")) {
            c.setSchema(onWorker2);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
                for (int i = 0; i < 3; i++) {
                    ps.setInt(1, 100 + i);
                    ps.addBatch();
                }
                assertEquals(3, ps.executeBatch().length);
                assertEquals("WRITE_TENANT_PRIMARY", c.unwrap(CitusConnection.class).lastServedBy().reason());
                assertEquals(cluster.worker(2).port(), c.unwrap(CitusConnection.class).lastServedBy().address().port());

                ps.setInt(1, 200);
                ps.addBatch();
                c.setSchema(null);
                assertServedBy(coordinator, Served.by(c)); // another unit ran elsewhere between addBatch and executeBatch
                SQLException e = assertThrows(SQLException.class, ps::executeBatch);
                assertEquals("0A000", e.getSQLState());
            }
        }
    }

    @Test
    void aSavepointOpeningATransactionRoutesIt() throws SQLException {
        try (Connection c = open(null)) {
            c.setReadOnly(true);
            assertServedBy(coordinatorStandby, Served.by(c));
            c.setReadOnly(false);
            c.setAutoCommit(false);
            c.setSavepoint(); // opens the transaction: on the coordinator, not the standby of the last unit
            assertServedBy(coordinator, Served.by(c));
            c.rollback();
        }
    }

    private static int backends(ClusterNode node, String applicationName) throws SQLException {
        try (Connection admin = cluster.admin(node);
             PreparedStatement ps = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void atMostOnePhysicalConnectionPerNodeCarryingTheClientInfoAllClosedWithTheLogicalOne() throws Exception {
        String name = "rc_count_" + ThreadLocalRandom.current().nextInt(1_000_000);
        Connection c = open(null);
        try {
            c.setClientInfo("ApplicationName", name);
            for (int i = 0; i < 3; i++) {
                c.setReadOnly(true);
                readIn(c, onWorker1);
                readIn(c, onWorker2);
                c.setReadOnly(false);
                readIn(c, onWorker1);
            }
            assertEquals(1, backends(coordinator, name), "the URL's connection, with the client info");
            assertEquals(1, backends(worker1Standby, name));
            assertEquals(1, backends(coordinatorStandby, name));
        } finally {
            c.close();
        }
        LocalCluster.waitUntil(() -> backends(coordinator, name) + backends(worker1Standby, name)
                + backends(coordinatorStandby, name) == 0, java.time.Duration.ofSeconds(5), "all closed");
    }

    @Test
    void nodesOutsideAllowedHostsNeverReceiveWork() throws SQLException {
        try (Connection c = open("allowedHosts=" + coordinatorStandby.address())) {
            c.setReadOnly(true);
            assertServedBy(coordinatorStandby, readIn(c, onWorker1)); // worker 1's standby is not allowed
        }
    }

    @Test
    void plainPostgresqlIsNotRouted() throws SQLException {
        // The postgres database of the coordinator has no Citus catalogs: plain PostgreSQL.
        String plain = "jdbc:citus://" + coordinator.address() + "/postgres";
        try (Connection c = DriverManager.getConnection(plain, app(cluster))) {
            CitusConnection citus = c.unwrap(CitusConnection.class);
            assertTrue(!citus.isCitus());
            c.setReadOnly(true);
            assertServedBy(coordinator, Served.by(c));
            assertNull(citus.lastServedBy(), "no routing on plain PostgreSQL");
            assertEquals(0, citus.topologyVersion());
        }
    }

    @Test
    void throughHikariCp() throws SQLException {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url(cluster, null));
        hc.setUsername(cluster.user());
        hc.setPassword(cluster.password());
        hc.setMaximumPoolSize(2);
        hc.setReadOnly(true);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            for (int i = 0; i < 4; i++) {
                try (Connection c = ds.getConnection()) {
                    assertServedBy(worker1Standby, readIn(c, onWorker1));
                    c.setSchema(null);
                    assertServedBy(coordinatorStandby, Served.by(c));
                }
            }
        }
    }

    @Test
    void throughEachNodesPgBouncerWithNodeAddressMap() throws SQLException {
        String map = cluster.nodeAddressMap(ClusterNode::bouncerAddress);
        String bouncerUrl = "jdbc:citus://" + coordinator.bouncerAddress() + "/" + cluster.database()
                + "?pooler=pgbouncer-transaction&tenantRouting=affinity&nodeAddressMap=" + map;
        awaitTenants(bouncerUrl, app(cluster), onWorker1, onWorker2);
        try (Connection c = DriverManager.getConnection(bouncerUrl, app(cluster))) {
            c.setReadOnly(true);
            assertServedBy(worker1Standby, readIn(c, onWorker1));
            assertEquals(worker1Standby.bouncerPort(), c.unwrap(CitusConnection.class).lastServedBy().address().port(),
                    "dialled through the standby's PgBouncer");
            c.setReadOnly(false);
            assertServedBy(cluster.worker(2), readIn(c, onWorker2));
            c.setSchema(null);
            assertServedBy(coordinator, Served.by(c));
        }
    }

    @Test
    void withNothingToRouteTheConnectionDoesNotRoute() throws SQLException {
        try (Connection c = open("readRouting=primary")) {
            c.setReadOnly(true);
            assertServedBy(coordinator, readIn(c, onWorker1));
            assertNull(c.unwrap(CitusConnection.class).lastServedBy());
            assertTrue(c.unwrap(CitusConnection.class).isCitus());
        }
        try (Connection c = open(null)) {
            assertNotNull(c.unwrap(PGConnection.class));
            assertTrue(c.isValid(2));
        }
    }
}
