package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static io.github.citusjdbc.cluster.Served.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * TLS settings reach every routed node: with {@code sslmode=verify-full} a read routed to a standby
 * runs over TLS, and the certificate is checked against the address actually dialled (after
 * {@code nodeAddressMap}), not the one registered in {@code pg_dist_node}. Private cluster with TLS on.
 */
class RoutedTlsTest {
    private static final String Q = "SELECT inet_server_port(), pg_is_in_recovery(),"
            + " (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), (SELECT count(*) FROM t)";
    private static LocalCluster cluster;
    private static ClusterNode standby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1).withStandbys(false, true)
                .withBouncers(false).withSsl(true));
        standby = cluster.standbyOf(cluster.worker(1));
        cluster.citus().createTenant("tls_a", cluster.worker(1), List.of("CREATE TABLE t(id int)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), standby);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String tls() {
        return ClusterChangesRoutingTest.FAST + "&sslmode=verify-full&sslrootcert=" + cluster.sslRootCert();
    }

    @Test
    void verifyFullReadReachesTheTenantsStandbyOverTls() throws SQLException {
        String url = url(cluster, tls());
        awaitTenants(url, app(cluster), "tls_a");
        try (Connection c = DriverManager.getConnection(url, app(cluster))) {
            c.setReadOnly(true);
            c.setSchema("tls_a");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Q)) {
                assertTrue(rs.next());
                assertEquals(standby.port(), rs.getInt(1), "read-only work for tls_a belongs on worker1's standby");
                assertTrue(rs.getBoolean(2));
                assertTrue(rs.getBoolean(3), "the routed connection must use TLS");
            }
        }
    }

    @Test
    void certificateIsVerifiedAgainstTheDialledNameNotTheRegisteredOne() throws SQLException {
        String dialled = "localhost:" + standby.port(); // the certificate names only IP 127.0.0.1
        SQLException direct = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://" + dialled + "/" + cluster.database() + "?sslmode=verify-full&sslrootcert="
                        + cluster.sslRootCert(), app(cluster)), "control: pgjdbc itself refuses localhost");
        assertTrue(direct.getSQLState().startsWith("08"), direct.getSQLState());

        String map = "&nodeAddressMap=" + standby.address() + "=" + dialled;
        // Control first (before any failure backs the node off): without hostname checks the mapped standby serves.
        String noVerify = url(cluster, ClusterChangesRoutingTest.FAST + "&sslmode=require" + map);
        awaitTenants(noVerify, app(cluster), "tls_a");
        try (Connection c = DriverManager.getConnection(noVerify, app(cluster))) {
            c.setReadOnly(true);
            c.setSchema("tls_a");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Q)) {
                assertTrue(rs.next());
                assertEquals(standby.port(), rs.getInt(1), "control: the map routes tls_a's reads to the standby as localhost");
                assertTrue(rs.getBoolean(3));
            }
        }

        String url = url(cluster, tls() + map);
        awaitTenants(url, app(cluster), "tls_a");
        try (Connection c = DriverManager.getConnection(url, app(cluster))) {
            c.setReadOnly(true);
            c.setSchema("tls_a");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(Q)) {
                assertTrue(rs.next());
                // The standby was dialled as localhost, failed verification, and the read fell back to a primary.
                assertNotEquals(standby.port(), rs.getInt(1), "an unverifiable node must never serve");
                assertTrue(rs.getBoolean(3), "the fallback runs over TLS too");
            }
        }
    }
}
