package io.github.citusjdbc.cluster;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worker 1's standby, which serves a tenant's read-only work, reached through the kit's relay
 * ({@code nodeAddressMap}), stalls (the relay accepts connections and answers nothing) or resets
 * connections in the middle of a result. What the application sees is bounded by its settings:
 * a unit that opens a connection to the stalled node has sent nothing and moves on after
 * {@code nodeConnectTimeout}; a statement already sent there ends at the application's
 * {@code socketTimeout} (an autocommit read-only one is then run once more elsewhere); later units
 * avoid the node while it is backed off and return to it after it answers again. A reset in the
 * middle of a read-only transaction's rows fails that transaction with 08006, never with a short
 * result, and the next unit of the same connection runs. Worker 1's primary, which serves the
 * tenant's writes with {@code tenantRouting=affinity}, sits behind a second relay whose sessions are
 * reset between writes and in the middle of a read: no acknowledged write is lost.
 */
class StalledAndResetNodeTest {
    private static final String TENANT = "stall_a";
    private static LocalCluster cluster;
    private static ClusterNode standby;
    private static RoundTripRelay relay;
    private static String url;
    private static RoundTripRelay primaryRelay;
    private static String writeUrl;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.shared();
        standby = cluster.standbyOf(cluster.worker(1));
        cluster.citus().createTenant(TENANT, cluster.worker(1),
                List.of("CREATE TABLE items (id int PRIMARY KEY)", "INSERT INTO items SELECT generate_series(1, 50000)",
                        "CREATE TABLE writes (id int PRIMARY KEY)"),
                cluster.user());
        cluster.waitForReplay(cluster.worker(1), standby);
        relay = RoundTripRelay.start(standby.host(), standby.port());
        url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?nodeConnectTimeout=2s&socketTimeout=3&nodeBackoffBase=500ms&nodeBackoffMax=1s"
                + "&nodeAddressMap=" + standby.address() + "=" + relay.address();
        awaitTenants(url, app(cluster), TENANT);
        primaryRelay = RoundTripRelay.start(cluster.worker(1).host(), cluster.worker(1).port());
        writeUrl = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?tenantRouting=affinity&nodeConnectTimeout=2s&socketTimeout=3&nodeBackoffBase=500ms&nodeBackoffMax=1s"
                + "&nodeAddressMap=" + cluster.worker(1).address() + "=" + primaryRelay.address();
    }

    @AfterAll
    static void stop() throws SQLException {
        relay.close();
        primaryRelay.close();
        cluster.citus().dropTenant(TENANT);
    }

    private static Connection readOnly() throws SQLException {
        Connection c = DriverManager.getConnection(url, app(cluster));
        c.setReadOnly(true);
        c.setSchema(TENANT);
        return c;
    }

    private static int count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM items")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Waits until a new connection's read-only unit runs on the standby (a back-off from another test may still run). */
    private static void awaitReadsOnTheStandby() {
        LocalCluster.waitUntil(() -> {
            try (Connection c = readOnly()) {
                return Served.by(c).port() == standby.port();
            }
        }, Duration.ofSeconds(15), "reads on the standby");
    }

    @Test
    @Timeout(90) // a statement in flight on a routed connection used to wait there for ever (socketTimeout lost)
    void aStalledNodeCostsAtMostTheTimeoutsAndIsAvoidedUntilItAnswersAgain() throws Exception {
        awaitReadsOnTheStandby();
        try (Connection inFlight = readOnly(); Connection opening = readOnly()) {
            assertEquals(standby.port(), Served.by(inFlight).port(), "read-only work goes to the group's standby");
            relay.freeze();
            try {
                long start = System.nanoTime();
                assertEquals(50000, count(inFlight), "run once more elsewhere after the socket timeout");
                long sent = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertTrue(sent >= 2500 && sent < 6000, "ended by socketTimeout=3 (then retried): " + sent + " ms");

                start = System.nanoTime();
                Served served = Served.by(opening);
                long opened = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertNotEquals(standby.port(), served.port());
                assertTrue(opened < 3000, "a unit opening a connection there moves on within nodeConnectTimeout=2s"
                        + " (or at once when the node is already backed off): " + opened + " ms");

                try (Connection later = readOnly()) {
                    start = System.nanoTime();
                    assertNotEquals(standby.port(), Served.by(later).port());
                    long avoided = Duration.ofNanos(System.nanoTime() - start).toMillis();
                    System.out.printf("stalled standby: sent statement %d ms, opening unit %d ms, later unit %d ms%n",
                            sent, opened, avoided);
                }
            } finally {
                relay.thaw();
            }
            long thawed = System.nanoTime();
            awaitReadsOnTheStandby();
            System.out.printf("back on the standby %d ms after it answered again%n",
                    Duration.ofNanos(System.nanoTime() - thawed).toMillis());
        }
    }

    @Test
    @Timeout(60)
    void aResetInTheMiddleOfTheRowsFailsTheUnitNeverShortensIt() throws Exception {
        awaitReadsOnTheStandby();
        try (Connection c = readOnly()) {
            assertEquals(standby.port(), Served.by(c).port());
            c.setAutoCommit(false);
            readCutBy(relay, c);
            assertEquals(50000, count(c), "the next unit of the same connection runs, whole");
            c.commit();
        }
    }

    private record CutRead(SQLException error, int rows) {
    }

    /**
     * Reads the tenant's 50,000 rows in the open transaction of {@code c}, 500 at a time, while
     * {@code relay} cuts the result: the read must end in 08xxx (never as a finished, shorter result)
     * and ending the broken transaction may only report the lost connection.
     */
    private static CutRead readCutBy(RoundTripRelay relay, Connection c) throws SQLException {
        long before = relay.resets();
        relay.resetMidResult(1);
        int[] seen = {0};
        SQLException cut = assertThrows(SQLException.class, () -> {
            try (Statement s = c.createStatement()) {
                s.setFetchSize(500);
                try (ResultSet rs = s.executeQuery("SELECT id FROM items ORDER BY id")) {
                    while (rs.next()) {
                        seen[0]++;
                    }
                }
            }
        }, "a cut result is never reported as finished");
        assertEquals(before + 1, relay.resets(), "the read ran through the relay and was cut");
        assertTrue(cut.getSQLState().startsWith("08"), cut.getSQLState() + " " + cut.getMessage());
        assertTrue(seen[0] < 50000, seen[0] + " rows before the error");
        try {
            c.rollback();
        } catch (SQLException e) {
            assertTrue(String.valueOf(e.getSQLState()).startsWith("08"),
                    "ending the broken unit may report the lost connection: " + e.getSQLState() + " " + e.getMessage());
        }
        return new CutRead(cut, seen[0]);
    }

    /** Waits until the next unit of {@code c} runs on worker 1 again (after a back-off). */
    private static void awaitOnThePrimary(Connection c) {
        LocalCluster.waitUntil(() -> Served.by(c).port() == cluster.worker(1).port(),
                Duration.ofSeconds(15), "writes back on the tenant's primary");
    }

    @Test
    @Timeout(60)
    void resetsOnTheTenantsPrimaryLoseNoAcknowledgedWriteAndTheConnectionGoesOn() throws Exception {
        Set<Integer> acknowledged = new TreeSet<>();
        List<String> failed = new ArrayList<>();
        int id = 0;
        try (Connection c = DriverManager.getConnection(writeUrl, app(cluster))) {
            c.setSchema(TENANT);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO writes VALUES (?)")) {
                for (int round = 0; round < 3; round++) {
                    awaitOnThePrimary(c);
                    for (int i = 0; i < 20; i++) {
                        if (i == 10) {
                            assertTrue(primaryRelay.resetConnections() >= 1, "the routed connection was open");
                        }
                        insert.setInt(1, ++id);
                        try {
                            assertEquals(1, insert.executeUpdate());
                            acknowledged.add(id);
                        } catch (SQLException e) {
                            assertTrue(String.valueOf(e.getSQLState()).startsWith("08"), e.getSQLState() + " " + e.getMessage());
                            failed.add(id + ":" + e.getSQLState());
                        }
                    }
                }
            }

            awaitOnThePrimary(c);
            c.setAutoCommit(false);
            CutRead cut = readCutBy(primaryRelay, c);
            c.setAutoCommit(true);
            assertEquals(50000, count(c), "the next unit of the same logical connection runs, whole");
            System.out.printf("primary resets: failed writes %s of %d, cut read %s after %d rows%n",
                    failed, id, cut.error().getSQLState(), cut.rows());
        }
        Set<Integer> stored = new TreeSet<>();
        try (Connection coordinator = DriverManager.getConnection(cluster.jdbcUrl(cluster.coordinator()), app(cluster));
             Statement s = coordinator.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM " + TENANT + ".writes")) {
            while (rs.next()) {
                stored.add(rs.getInt(1));
            }
        }
        assertTrue(stored.containsAll(acknowledged), "every acknowledged write is there: " + acknowledged + " vs " + stored);
        assertEquals(id, acknowledged.size() + failed.size());
    }
}
