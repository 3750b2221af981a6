package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.CitusTenantAdmin;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A tenant created (and moved) through {@link CitusTenantAdmin} is routed to its group at once: the
 * first read-only unit of work after the call lands on the group's standby, with a periodic refresh
 * far away (10 minutes) and a topology of its own, so only the admin's re-read can have told the
 * driver where the tenant is. Before, such reads went to the coordinator's standby (which forwards
 * them to the worker primary, offloading nothing) until the next refresh.
 */
class TenantAdminRefreshTest {

    @Test
    void theFirstReadOnlyUnitAfterCreateTenantLandsOnTheGroupsStandby() throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode worker1 = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(worker1);
        String tenant = "fresh_" + ThreadLocalRandom.current().nextInt(1_000_000);
        CitusDataSource ds = new CitusDataSource();
        // A topology of its own (the allow-list of lag probes is part of the cluster's key), read every 10 minutes.
        ds.setUrl(Served.url(cluster, "maxReplicationLag=1GB&allowedHosts=127.0.0.1,*." + tenant + ".invalid"
                + "&topologyRefreshInterval=10m&topologyMaxStaleness=20m"));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        try (Connection c = ds.getConnection()) {
            assertTrue(c.unwrap(CitusConnection.class).topologyVersion() > 0, "the topology was read once, before");
        }
        CitusTenantAdmin admin = CitusTenantAdmin.of(ds);
        try {
            admin.createTenant(tenant, "CREATE TABLE items (id int PRIMARY KEY)");
            if (cluster.citus().tenantGroup(tenant).orElseThrow() != worker1.groupId()) {
                admin.moveTenant(tenant, worker1.host(), worker1.port()); // the group that has a standby
            }
            assertEquals(worker1.groupId(), cluster.citus().tenantGroup(tenant).orElseThrow());
            cluster.waitForReplay(worker1, standby);
            try (Connection c = ds.getConnection()) {
                assertReadOnlyUnitOnStandby(c, tenant, worker1, standby);
            }
        } finally {
            admin.dropTenant(tenant);
        }
    }

    /**
     * The same with plain SQL on a connection of the driver: {@code CREATE SCHEMA} with schema-based
     * sharding and a table, then {@code citus_schema_move} to worker 1 (by way of worker 2 when Citus
     * put the tenant on worker 1). The driver sees SQL that may change the topology and reads it again once committed:
     * the first read-only unit after the move lands on worker 1's standby.
     */
    @Test
    void theFirstReadOnlyUnitAfterCreateSchemaAndAMoveInSqlLandsOnTheGroupsStandby() throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode worker1 = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(worker1);
        String tenant = "fresh_sql_" + ThreadLocalRandom.current().nextInt(1_000_000);
        String url = Served.url(cluster, "maxReplicationLag=1GB&allowedHosts=127.0.0.1,*." + tenant + ".invalid"
                + "&topologyRefreshInterval=10m&topologyMaxStaleness=20m");
        try (Connection c = java.sql.DriverManager.getConnection(url, Served.app(cluster)); Statement s = c.createStatement()) {
            assertTrue(c.unwrap(CitusConnection.class).topologyVersion() > 0, "the topology was read once, before");
            s.execute("SET citus.enable_schema_based_sharding TO on");
            s.execute("CREATE SCHEMA " + tenant);
            s.execute("RESET citus.enable_schema_based_sharding");
            c.setAutoCommit(false);
            s.execute("CREATE TABLE " + tenant + ".items (id int PRIMARY KEY)");
            c.commit();
            c.setAutoCommit(true);
            if (cluster.citus().tenantGroup(tenant).orElseThrow() == worker1.groupId()) {
                move(c, tenant, cluster.worker(2)); // so that the move below is the one the driver must follow
            }
            move(c, tenant, worker1);
            assertEquals(worker1.groupId(), cluster.citus().tenantGroup(tenant).orElseThrow());
            cluster.waitForReplay(worker1, standby);
            assertReadOnlyUnitOnStandby(c, tenant, worker1, standby);
        } finally {
            cluster.citus().dropTenant(tenant);
        }
    }

    private static void move(Connection c, String tenant, ClusterNode to) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT citus_schema_move(?::regnamespace, ?, ?)")) {
            ps.setString(1, tenant);
            ps.setString(2, to.host());
            ps.setInt(3, to.port());
            ps.execute();
        }
    }

    /** Runs one read-only unit of {@code tenant} and checks that the standby of its group served it. */
    private static void assertReadOnlyUnitOnStandby(Connection c, String tenant, ClusterNode primary, ClusterNode standby)
            throws SQLException {
        c.setReadOnly(true);
        c.setSchema(tenant);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
            assertTrue(rs.next());
            assertEquals(0, rs.getInt(1));
        }
        ServedBy by = c.unwrap(CitusConnection.class).lastServedBy();
        assertEquals(standby.port(), by.address().port(), "served by " + by);
        assertEquals(primary.groupId(), by.node().groupId(), "served by " + by);
    }
}
