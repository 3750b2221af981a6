package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.github.citusjdbc.testkit.citus.CitusOpsTest.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Failover on a private cluster (it damages it): promote worker 1's standby, stop the old primary,
 * and the tenant it held is served by the promoted server through every node; then a second
 * {@link CitusOps} obtained by {@link CitusOpsFactory#detect(io.github.citusjdbc.testkit.AdminConnector,
 * ClusterNode, CitusOpsFactory.Credentials)} finds the cluster from {@code pg_dist_node} and moves the tenant.
 */
class CitusFailoverTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withBouncers(false).withStandbys(false, true));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void promotedStandbyServesItsGroupEverywhereAndDetectFindsTheCluster() throws SQLException {
        CitusOps citus = cluster.citus();
        String t = "fo_tenant";
        ClusterNode w1 = cluster.worker(1);
        ClusterNode w2 = cluster.worker(2);
        ClusterNode standby = cluster.standbyOf(w1);
        citus.createTenant(t, w1, List.of("CREATE TABLE items (id bigserial PRIMARY KEY, v text)"), cluster.user());
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + t + ".items (v) VALUES ('a'), ('b'), ('c')");
        }
        cluster.waitForReplay(w1, standby);
        try (Connection c = cluster.admin(w1); Statement s = c.createStatement()) {
            // a synchronous WAL-writing commit, so the standby surely has the rows before promotion
            s.execute("SET synchronous_commit = on");
            s.execute("SELECT pg_logical_emit_message(true, 'test', 'x')");
        }
        StandbySync.await(cluster::admin, List.of(standby), x -> w1);

        cluster.promote(standby);
        cluster.stop(w1);

        for (ClusterNode n : List.of(cluster.coordinator(), w2, standby)) {
            try (Connection c = cluster.appConnection(n)) {
                assertEquals(List.of("1|" + standby.port()), strings(c, "SELECT groupid || '|' || nodeport FROM pg_dist_node"
                        + " WHERE groupid = 1"), "group 1 rows on " + n.name());
                assertEquals(List.of("3"), strings(c, "SELECT count(*)::text FROM " + t + ".items"), n.name());
            }
        }
        try (Connection c = cluster.appConnection(w2); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + t);
            s.execute("INSERT INTO items (v) VALUES ('through worker2')");
        }
        try (Connection c = cluster.admin(standby)) {
            assertEquals(List.of("4"), strings(c, "SELECT count(*)::text FROM " + t + ".items"));
        }

        CitusOps found = CitusOpsFactory.detect(cluster::admin, cluster.coordinator(), new CitusOpsFactory.Credentials(
                cluster.adminUser(), cluster.adminPassword(), cluster.user(), cluster.password(), cluster.database()));
        assertEquals(List.of(t), found.tenants());
        assertEquals(1, found.tenantGroup(t).getAsInt());
        found.moveTenant(t, w2);
        assertEquals(2, citus.tenantGroup(t).getAsInt());
        try (Connection c = cluster.appConnection(cluster.coordinator())) {
            assertEquals(List.of("4"), strings(c, "SELECT count(*)::text FROM " + t + ".items"));
        }
        try (Connection c = cluster.admin(w2)) {
            assertEquals(List.of("r|4"), strings(c, "SELECT (SELECT relkind::text FROM pg_class WHERE oid = '" + t
                    + ".items'::regclass) || '|' || count(*) FROM " + t + ".items"));
        }
    }
}
