package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster's shared topology goes away once nobody uses it: after the last connection closes, its
 * refreshes stop and its metadata connection closes within one refresh interval, seen on the
 * coordinator's {@code pg_stat_activity} (the topology's connections carry the application's
 * {@code ApplicationName}).
 */
class TopologyLifetimeClusterTest {

    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.shared();
    }

    private static int backends(String applicationName) throws SQLException {
        try (Connection admin = cluster.admin(cluster.coordinator());
             PreparedStatement ps = admin.prepareStatement(
                     "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void theMetadataConnectionClosesWithinAnIntervalOfTheLastConnection() throws SQLException {
        String name = "topo_lifetime_" + ThreadLocalRandom.current().nextInt(1_000_000);
        // A cluster name of its own: a topology no other test shares.
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?topologyRefreshInterval=1s&clusterName=" + name + "&ApplicationName=" + name;
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        try (Connection c = DriverManager.getConnection(url, p); Statement st = c.createStatement()) {
            st.execute("SELECT 1");
            assertTrue(backends(name) >= 2, "the connection and its topology's metadata connection");
        }
        // One interval (1 s) plus slack for a refresh in flight and a loaded machine.
        LocalCluster.waitUntil(() -> backends(name) == 0, Duration.ofSeconds(4),
                "the topology's metadata connection to close after the last connection closed");
        // And it stays closed: no refresh reopens it.
        sleep(2_500);
        assertEquals(0, backends(name), "a refresh after the last connection closed");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
