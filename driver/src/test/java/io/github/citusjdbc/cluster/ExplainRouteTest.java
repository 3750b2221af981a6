package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CitusConnection#explain}: where a unit of work would go, without running it, on real Citus;
 * and the unit then run lands where the explanation said.
 */
class ExplainRouteTest {

    private static LocalCluster cluster;
    private static String tenant;
    private static ClusterNode worker1;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        worker1 = cluster.worker(1);
        tenant = "explain_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(tenant, worker1, List.of("CREATE TABLE items (id bigint PRIMARY KEY, v text)"),
                cluster.user());
        cluster.waitForReplay(worker1, cluster.standbyOf(worker1));
        cluster.waitForReplay(cluster.coordinator(), cluster.standbyOf(cluster.coordinator()));
        Served.awaitTenants(Served.url(cluster, null), props(), tenant);
        Served.awaitTenants(Served.url(cluster, "tenantRouting=affinity"), props(), tenant);
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(tenant);
    }

    private static Properties props() {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        return p;
    }

    private static ServedBy runAndSee(Connection c, boolean readOnly, String sql) throws SQLException {
        c.setReadOnly(readOnly);
        c.setSchema(tenant);
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
        return c.unwrap(CitusConnection.class).lastServedBy();
    }

    @Test
    void theDataSourceExplainsAsItsConnectionsDo() throws SQLException {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl(Served.url(cluster, null));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        ServedBy explained = ds.explain(tenant, true);
        assertEquals("READ_TENANT_SECONDARY", explained.reason(), explained.toString());
        assertEquals(cluster.standbyOf(worker1).port(), explained.address().port(), explained.toString());
        try (Connection c = ds.getConnection()) {
            ServedBy served = runAndSee(c, true, "SELECT count(*) FROM items");
            assertEquals(explained.address(), served.address(), "explained " + explained + ", served " + served);
        }
        assertEquals("42602", assertThrows(SQLException.class, () -> ds.explain("no such\u0000tenant", true)).getSQLState());
    }

    @Test
    void readOnlyWorkOfATenantIsExplainedAsItsGroupsStandbyAndGoesThere() throws SQLException {
        try (Connection c = DriverManager.getConnection(Served.url(cluster, null), props())) {
            CitusConnection citus = c.unwrap(CitusConnection.class);
            ServedBy explained = citus.explain(tenant, true);
            assertEquals("READ_TENANT_SECONDARY", explained.reason(), explained.toString());
            assertEquals(cluster.standbyOf(worker1).port(), explained.address().port(), explained.toString());
            assertEquals(worker1.groupId(), explained.node().groupId());
            ServedBy served = runAndSee(c, true, "SELECT count(*) FROM items");
            assertEquals(explained.address(), served.address(), "explained " + explained + ", served " + served);
            assertEquals(explained.reason(), served.reason());

            ServedBy noTenant = citus.explain(null, true);
            assertEquals(cluster.standbyOf(cluster.coordinator()).port(), noTenant.address().port(), noTenant.toString());
            ServedBy write = citus.explain(tenant, false);
            assertEquals(cluster.coordinator().port(), write.address().port(), "writes go through the coordinator: " + write);
        }
    }

    @Test
    void withAffinityTenantWritesAreExplainedAsItsWorkerAndGoThere() throws SQLException {
        try (Connection c = DriverManager.getConnection(Served.url(cluster, "tenantRouting=affinity"), props())) {
            ServedBy explained = c.unwrap(CitusConnection.class).explain(tenant, false);
            assertEquals("WRITE_TENANT_PRIMARY", explained.reason(), explained.toString());
            assertEquals(worker1.port(), explained.address().port());
            long id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            ServedBy served = runAndSee(c, false, "INSERT INTO items VALUES (" + id + ", 'e')");
            assertEquals(explained.address(), served.address(), "explained " + explained + ", served " + served);
            assertEquals(explained.reason(), served.reason());
        }
    }

    /**
     * {@code lastServedBy()} also says the tenant, the standby's lag as the decision saw it (measured
     * with {@code maxReplicationLag}), and why a tenant's read-only work did not run on its group's
     * standby: worker 2 has none.
     */
    @Test
    void theLastRouteSaysTenantLagAndWhyNoStandbyOfTheGroupServed() throws SQLException {
        String url = Served.url(cluster, "maxReplicationLag=1GB&topologyRefreshInterval=1s");
        String onWorker2 = "explain2_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(onWorker2, cluster.worker(2), List.of("CREATE TABLE items (id bigint PRIMARY KEY)"),
                cluster.user());
        try {
            Served.awaitTopology(url, props(), v -> v.topology().groupOfTenant(tenant).isPresent()
                    && v.topology().groupOfTenant(onWorker2).isPresent()
                    && v.replicationLagBytes(v.topology().activeSecondariesOf(worker1.groupId()).get(0)).isPresent(),
                    "both tenants and the standby's lag");
            try (Connection c = DriverManager.getConnection(url, props())) {
                ServedBy served = runAndSee(c, true, "SELECT count(*) FROM items");
                assertEquals(tenant, served.tenant());
                assertEquals("READ_TENANT_SECONDARY", served.reason(), served.toString());
                assertTrue(served.lagBytes() >= 0, "the lag the decision saw: " + served);
                assertEquals(null, served.fallbackCause(), served.toString());

                c.setSchema(onWorker2); // runAndSee pins the class's tenant: run it here
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT count(*) FROM items");
                }
                ServedBy fallback = c.unwrap(CitusConnection.class).lastServedBy();
                assertEquals(onWorker2, fallback.tenant());
                assertEquals("READ_COORDINATOR_SECONDARY", fallback.reason(), fallback.toString());
                assertEquals("no secondary in the group", fallback.fallbackCause(), fallback.toString());
                assertEquals("no secondary in the group",
                        c.unwrap(CitusConnection.class).explain(onWorker2, true).fallbackCause(), "explain says it too");
            }
        } finally {
            cluster.citus().dropTenant(onWorker2);
        }
    }

    @Test
    void explainingSendsNothingAndRefusesABadName() throws SQLException {
        try (Connection c = DriverManager.getConnection(Served.url(cluster, null), props())) {
            CitusConnection citus = c.unwrap(CitusConnection.class);
            SQLException e = assertThrows(SQLException.class, () -> citus.explain("no\"such", true));
            assertEquals("42602", e.getSQLState());
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                assertTrue(rs.next());
            }
            c.close();
            assertEquals("08003", assertThrows(SQLException.class, () -> citus.explain(tenant, true)).getSQLState());
        }
    }
}
