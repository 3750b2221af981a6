package io.github.citusjdbc.cluster;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.assertServedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The URL's own connection carries writes and DDL. With a host list such as a Patroni-style
 * {@code standby,coordinator} it must reach the coordinator primary whatever the order, and find the
 * new primary after a coordinator failover. A private cluster: the test promotes the coordinator's standby.
 */
class HostOrderTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1).withStandbys(true, false)
                .withBouncers(false));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String url(ClusterNode first, ClusterNode second, String query) {
        return "jdbc:citus://" + first.address() + "," + second.address() + "/" + cluster.database()
                + (query == null ? "" : "?" + query);
    }

    private static void write(Connection c, String what) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS host_order (what text)");
            assertEquals(1, s.executeUpdate("INSERT INTO host_order VALUES ('" + what + "')"));
        }
    }

    @Test
    void theUrlConnectionFindsTheCoordinatorPrimaryWhateverTheHostOrderAndAfterAFailover() throws Exception {
        ClusterNode coordinator = cluster.coordinator();
        ClusterNode standby = cluster.standbyOf(coordinator);
        String standbyFirst = url(standby, coordinator, null);
        try (Connection c = DriverManager.getConnection(standbyFirst, app(cluster))) {
            assertServedBy(coordinator, Served.by(c));
            write(c, "standby listed first");
        }
        try (Connection c = DriverManager.getConnection(url(standby, coordinator, "targetServerType=any"), app(cluster))) {
            assertServedBy(standby, Served.by(c)); // asked for explicitly: pgjdbc's first reachable host
        }

        cluster.waitForReplay(coordinator, standby);
        cluster.promote(standby);
        cluster.stop(coordinator);
        for (String url : new String[]{standbyFirst, url(coordinator, standby, null)}) {
            try (Connection c = DriverManager.getConnection(url, app(cluster))) {
                Served served = Served.by(c);
                assertEquals(standby.port(), served.port(), "the promoted standby");
                assertEquals(false, served.inRecovery(), "the promoted standby is the primary now");
                write(c, "after the failover");
            }
        }
    }
}
