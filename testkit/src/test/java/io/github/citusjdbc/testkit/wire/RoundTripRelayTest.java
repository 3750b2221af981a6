package io.github.citusjdbc.testkit.wire;

import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay counts what raw pgjdbc really sends, directly and through PgBouncer, and adds the delay it promises. */
class RoundTripRelayTest {

    /** Where the relay points, and how pgjdbc must talk to it. */
    record Target(String name, String jdbcUrl, Properties props) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Target> targets() {
        LocalCluster cluster = LocalCluster.shared();
        Properties direct = new Properties();
        direct.setProperty("user", cluster.user());
        direct.setProperty("password", cluster.password());
        Properties bouncer = new Properties();
        bouncer.putAll(direct);
        // PgBouncer 1.18 in transaction mode cannot keep server-prepared statements.
        bouncer.setProperty("prepareThreshold", "0");
        return List.of(new Target("direct", cluster.jdbcUrl(cluster.coordinator()), direct),
                new Target("pgbouncer", cluster.bouncerJdbcUrl(cluster.coordinator()), bouncer));
    }

    private static Connection connect(RoundTripRelay relay, Target t) throws SQLException {
        return connect(relay, t, new Properties());
    }

    private static Connection connect(RoundTripRelay relay, Target t, Properties extra) throws SQLException {
        Properties p = new Properties();
        p.putAll(t.props());
        p.putAll(extra);
        Connection c = DriverManager.getConnection(relay.jdbcUrl(t.jdbcUrl()), p);
        relay.reset();
        return c;
    }

    @ParameterizedTest
    @MethodSource("targets")
    void rewrittenClientTextMakesTheServerAnswerAnErrorAsManyTimesAsArmed(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            assertThrows(IllegalArgumentException.class, () -> relay.rewriteClientText("ROLLBACK", "SELECT", 1));
            s.execute("BEGIN");
            assertEquals("22012", assertThrows(SQLException.class, () -> s.execute("SELECT 1/0")).getSQLState());
            relay.rewriteClientText("ROLLBACK", "SELECT 1", 1);
            assertEquals("25P02", assertThrows(SQLException.class, () -> s.execute("ROLLBACK")).getSQLState(),
                    "the server saw SELECT 1 in the failed transaction");
            assertEquals('E', relay.lastTransactionStatus());
            assertEquals(0, relay.rewritesLeft());
            s.execute("ROLLBACK"); // armed once: this one reaches the server as sent
            assertEquals('I', relay.lastTransactionStatus());
            try (ResultSet rs = s.executeQuery("SELECT 'ROLLBACK'")) {
                assertTrue(rs.next());
                assertEquals("ROLLBACK", rs.getString(1), "disarmed: nothing replaced");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aFrozenRelayAnswersNothingUntilThawedAndLosesNothing(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            relay.freeze();
            CompletableFuture<Integer> open = CompletableFuture.supplyAsync(() -> {
                try (Connection fresh = connect(relay, t); Statement fs = fresh.createStatement();
                     ResultSet rs = fs.executeQuery("SELECT 2")) {
                    rs.next();
                    return rs.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            s.setQueryTimeout(0);
            c.setNetworkTimeout(Runnable::run, 700);
            long start = System.nanoTime();
            SQLException stalled = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertTrue(stalled.getSQLState().startsWith("08"), stalled.getSQLState());
            assertTrue(System.nanoTime() - start >= 600_000_000L, "nothing came back before the network timeout");
            Thread.sleep(300);
            assertFalse(open.isDone(), "a new connection is accepted but its login is never answered");
            relay.thaw();
            assertEquals(2, open.get(10, TimeUnit.SECONDS), "after thaw the waiting bytes are forwarded");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aResetMidResultCutsTheRowsAndEndsTheConnection(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            relay.resetMidResult(1);
            SQLException cut = assertThrows(SQLException.class, () -> {
                try (ResultSet rs = s.executeQuery("SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g")) {
                    while (rs.next()) {
                        rs.getInt(1);
                    }
                }
            });
            assertTrue(cut.getSQLState().startsWith("08"), cut.getSQLState() + " " + cut.getMessage());
            assertEquals(1, relay.resets());
            assertTrue(c.isClosed() || !c.isValid(1), "the connection is gone");
            try (Connection next = connect(relay, t); Statement ns = next.createStatement();
                 ResultSet rs = ns.executeQuery("SELECT count(*) FROM generate_series(1, 100000)")) {
                rs.next();
                assertEquals(100000, rs.getInt(1), "armed once: the next result is whole");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void resetConnectionsEndsEveryOpenSessionAtOnceAndStillAcceptsNewOnes(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection inTx = connect(relay, t); Connection idle = connect(relay, t);
             Statement s = inTx.createStatement(); Statement is = idle.createStatement()) {
            inTx.setAutoCommit(false);
            s.execute("SELECT 1");
            is.execute("SELECT 1");
            assertEquals(2, relay.openConnections());
            assertEquals(2, relay.resetConnections());
            assertEquals(2, relay.resets());
            assertEquals(0, relay.openConnections());
            for (Statement st : List.of(s, is)) {
                SQLException gone = assertThrows(SQLException.class, () -> st.execute("SELECT 1"));
                assertTrue(gone.getSQLState().startsWith("08"), gone.getSQLState() + " " + gone.getMessage());
            }
            try (Connection next = connect(relay, t); Statement ns = next.createStatement();
                 ResultSet rs = ns.executeQuery("SELECT 3")) {
                assertTrue(rs.next());
                assertEquals(3, rs.getInt(1), "new connections are relayed after the reset");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void autocommitSelectIsOneRoundTrip(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
            assertEquals(1, relay.roundTrips(), relay::toString);
            assertEquals(1, relay.syncs());
            assertEquals(0, relay.queries(), "pgjdbc uses the extended protocol");
            assertEquals(1, relay.readyForQuery());
            assertEquals('I', relay.lastTransactionStatus());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void explicitTransactionOfTwoStatementsIsThreeRoundTrips(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertEquals(0, relay.roundTrips(), "setAutoCommit(false) alone sends nothing");
            s.execute("SELECT 1");
            assertEquals(1, relay.roundTrips(), "BEGIN rides with the first statement");
            assertEquals('T', relay.lastTransactionStatus());
            s.execute("SELECT 2");
            c.commit();
            assertEquals(3, relay.roundTrips(), relay::toString);
            assertEquals('I', relay.lastTransactionStatus());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void preparedStatementExecutionsAreOneRoundTripEach(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1")) {
            for (int i = 0; i < 8; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(i + 1, rs.getInt(1));
                }
            }
            assertEquals(8, relay.roundTrips(), relay::toString);
            assertEquals(8, relay.clientMessages('B'));
            long parses = relay.clientMessages('P');
            if (t.props().getProperty("prepareThreshold") == null) {
                // Default prepareThreshold=5: unnamed until the 5th use, then one named Parse reused.
                assertEquals(5, parses);
            } else {
                assertEquals(8, parses, "prepareThreshold=0 parses every execution");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void simpleProtocolQueriesAreCounted(Target t) throws Exception {
        Properties simple = new Properties();
        simple.setProperty("preferQueryMode", "simple");
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, simple); Statement s = c.createStatement()) {
            s.execute("SELECT 1; SELECT 2");
            assertEquals(1, relay.roundTrips());
            assertEquals(1, relay.queries());
            assertEquals(0, relay.syncs());
        }
    }

    @Test
    void sslRequestIsAnsweredNoByTheRelaySoTheSessionIsPlaintextAndCounted() throws Exception {
        Target t = targets().get(0);
        Properties prefer = new Properties();
        prefer.setProperty("sslmode", "prefer"); // pgjdbc's default; the Citus node itself serves TLS
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, prefer); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next());
                assertFalse(rs.getBoolean(1), "the relay refused encryption, so the session is plaintext");
            }
            assertEquals(1, relay.roundTrips(), relay::toString);
            Properties require = new Properties();
            require.setProperty("sslmode", "require");
            SQLException e = assertThrows(SQLException.class, () -> connect(relay, t, require).close());
            assertTrue(e.getSQLState().startsWith("08"), e.getSQLState() + " " + e.getMessage());
        }
    }

    @Test
    void encryptionPassesThroughEndToEndWhenAsked() throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        Target t = targets().get(0);
        Properties verify = new Properties();
        verify.setProperty("sslmode", "verify-full");
        verify.setProperty("sslrootcert", cluster.sslRootCert().toString());
        JdbcUrls.HostPort hp = JdbcUrls.hostPort(t.jdbcUrl());
        try (RoundTripRelay relay = RoundTripRelay.startPassingEncryption(hp.host(), hp.port());
             Connection c = connect(relay, t, verify); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
                assertTrue(rs.next());
                assertTrue(rs.getBoolean(1), "TLS from pgjdbc to the server through the relay");
            }
            assertEquals(1, relay.acceptedConnections());
            assertEquals(0, relay.roundTrips(), "encrypted bytes are relayed, not parsed");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void cancelRequestTravelsOnItsOwnConnection(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            long before = relay.acceptedConnections();
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<?> canceller = ex.submit(() -> {
                    Thread.sleep(300);
                    s.cancel();
                    return null;
                });
                SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(20)"));
                assertEquals("57014", e.getSQLState(), e.getMessage());
                canceller.get(10, TimeUnit.SECONDS);
            } finally {
                ex.shutdownNow();
            }
            assertEquals(1, relay.cancelRequests());
            assertEquals(before + 1, relay.acceptedConnections());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void delayAddsAtLeastTwoMillisecondsPerRoundTrip(Target t) throws Exception {
        int n = 40;
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ofMillis(1));
             Connection c = connect(relay, t); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            relay.reset();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                s.execute("SELECT 1");
            }
            double msPerOp = (System.nanoTime() - t0) / 1e6 / n;
            assertEquals(n, relay.roundTrips());
            assertTrue(msPerOp >= 2.0, "1 ms each way must cost >= 2 ms per round trip, got " + msPerOp);
            assertTrue(msPerOp < 20, "the delay must not pile up: " + msPerOp + " ms per round trip");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void manyConcurrentConnectionsAreCountedExactlyAndLeaveNoThreads(Target t) throws Exception {
        int clients = 64;
        int ops = 10;
        RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ofMillis(1));
        try (relay) {
            List<Connection> conns = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    conns.add(connect(relay, t));
                }
                relay.reset();
                CountDownLatch go = new CountDownLatch(1);
                ExecutorService ex = Executors.newFixedThreadPool(clients);
                List<Future<Integer>> fs = new ArrayList<>();
                for (Connection c : conns) {
                    fs.add(ex.submit(() -> {
                        go.await();
                        int sum = 0;
                        try (Statement s = c.createStatement()) {
                            for (int i = 0; i < ops; i++) {
                                try (ResultSet rs = s.executeQuery("SELECT " + i)) {
                                    rs.next();
                                    sum += rs.getInt(1);
                                }
                            }
                        }
                        return sum;
                    }));
                }
                go.countDown();
                for (Future<Integer> f : fs) {
                    assertEquals(ops * (ops - 1) / 2, f.get(60, TimeUnit.SECONDS));
                }
                ex.shutdown();
                assertEquals((long) clients * ops, relay.roundTrips(), relay::toString);
                assertEquals(clients, relay.openConnections());
            } finally {
                for (Connection c : conns) {
                    c.close();
                }
            }
        }
        assertEquals(0, relay.liveThreads(), "close() must end every relay thread");
        assertEquals(0, relay.openConnections());
    }
}
