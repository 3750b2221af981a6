package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PreparedStatement batches with a tenant pinned in autocommit: sent as envelopes of copies of the
 * SQL, they cost the round trips of pgjdbc's own batch (at most one more), land in the pinned
 * tenant only, and report what pgjdbc reports: counts, generated keys, failures.
 */
class PinnedBatchTest {

    private static final String[] TABLES = {"pb_rt", "pb_sem", "pb_keys", "pb_err", "pb_big", "pb_tx"};

    @BeforeAll
    static void tables() throws SQLException {
        PinFixture.create();
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            for (String schema : List.of(A, B, "public")) {
                for (String table : TABLES) {
                    String t = schema + "." + table;
                    s.execute("DROP TABLE IF EXISTS " + t);
                    s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text, a int, seq serial)");
                    s.execute("GRANT ALL ON " + t + " TO " + c.user());
                    s.execute("GRANT ALL ON SEQUENCE " + t + "_seq_seq TO " + c.user());
                }
            }
        }
    }

    static List<Target> targets() {
        return PinFixture.targets();
    }

    private static void truncate(String table) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            s.execute("TRUNCATE " + A + "." + table + ", " + B + "." + table + ", public." + table + " RESTART IDENTITY");
        }
    }

    private static long count(String qualifiedTable) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + qualifiedTable)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void add(PreparedStatement ps, int from, int n) throws SQLException {
        for (int i = from; i < from + n; i++) {
            ps.setInt(1, i);
            ps.setString(2, "n" + i);
            ps.setInt(3, i % 7);
            ps.addBatch();
        }
    }

    /** The round trips of one batch of {@code n} entries on {@code c}, in autocommit. */
    private static long batchRoundTrips(Connection c, RoundTripRelay relay, String table, int from, int n)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, name, a) VALUES (?, ?, ?)")) {
            add(ps, from, n);
            relay.reset();
            int[] counts = ps.executeBatch();
            long trips = relay.roundTrips();
            assertEquals(n, counts.length);
            assertTrue(Arrays.stream(counts).allMatch(x -> x == 1), "counts of " + n);
            return trips;
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void pinnedAutocommitBatchCostsWhatPgjdbcsBatchCostsAndAtMostOneMore(Target t) throws Exception {
        truncate("pb_rt");
        int[] sizes = {1, 3, 100, 252, 253, 255, 256, 600, 3000};
        try (RoundTripRelay rawRelay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection raw = PinFixture.pgjdbc(t, rawRelay);
             Connection c = PinFixture.citus(t, relay)) {
            c.setSchema(A);
            int from = 1;
            for (int n : sizes) {
                long rawTrips = batchRoundTrips(raw, rawRelay, B + ".pb_rt", from, n); // schema-qualified, no pin
                long trips = batchRoundTrips(c, relay, "pb_rt", from, n);
                assertTrue(trips <= rawTrips + 1, n + " entries: " + trips + " round trips, raw pgjdbc " + rawTrips);
                if (n <= 252) {
                    assertEquals(1, trips, n + " entries in one round trip");
                }
                assertEquals('I', relay.lastTransactionStatus(), "committed, " + n);
                from += n;
            }
            assertNull(c.getWarnings());
        }
        long total = Arrays.stream(sizes).sum();
        assertEquals(total, count(A + ".pb_rt"), "every entry in the pinned tenant");
        assertEquals(0, count("public.pb_rt"), "none unpinned");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void countsNavigationAndTenantSwitchesMatchPgjdbc(Target t) throws Exception {
        truncate("pb_sem");
        List<String> seen = new ArrayList<>();
        for (String who : t.bouncer() ? List.of("citus") : List.of("citus", "pgjdbc")) {
            boolean citus = who.equals("citus");
            try (Connection c = citus ? PinFixture.citus(t, null)
                    : PinFixture.pgjdbc(t, null, "options=-c search_path=" + A);
                 PreparedStatement ps = c.prepareStatement(
                         "UPDATE pb_sem SET a = a + ? WHERE id % 2 = ? AND id / 100 = ? -- updates half the rows")) {
                if (citus) {
                    c.setSchema(A);
                }
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO pb_sem (id, name, a) VALUES (?, ?, ?)")) {
                    add(ins, citus ? 1 : 101, 10);
                    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, ins.executeBatch(), who);
                    assertNull(ins.getResultSet(), who);
                    assertEquals(-1, ins.getUpdateCount(), who);
                    assertFalse(ins.getMoreResults(), who);
                    assertArrayEquals(new int[0], ins.executeBatch(), "an empty batch, " + who);
                }
                ps.setInt(1, 1);
                ps.setInt(2, 0);
                ps.setInt(3, citus ? 0 : 1);
                ps.addBatch();
                ps.setInt(2, 1);
                ps.addBatch();
                ps.clearParameters();
                ps.setInt(1, 5);
                ps.setInt(2, 0);
                ps.setInt(3, citus ? 0 : 1);
                ps.addBatch();
                long[] large = ps.executeLargeBatch();
                seen.add(who + Arrays.toString(large));
                assertArrayEquals(new long[] {5, 5, 5}, large, who);
                ps.setInt(1, 1);
                ps.setInt(2, 1);
                ps.addBatch();
                ps.clearBatch();
                assertArrayEquals(new int[0], ps.executeBatch(), "cleared, " + who);
                ps.setInt(1, 1);
                ps.setInt(2, 1);
                ps.setInt(3, citus ? 0 : 1);
                assertEquals(5, ps.executeUpdate(), "a single execution after batches, " + who);
                if (citus) {
                    c.setSchema(B);
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO pb_sem (id, name, a) VALUES (?, ?, ?)")) {
                        add(ins, 1, 4);
                        assertArrayEquals(new int[] {1, 1, 1, 1}, ins.executeBatch(), who);
                    }
                }
            }
        }
        assertEquals(t.bouncer() ? 10 : 20, count(A + ".pb_sem"));
        assertEquals(4, count(B + ".pb_sem"), "the batch after the switch ran in the new tenant");
        assertEquals(0, count("public.pb_sem"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void generatedKeysOfABatchAreEveryEntrysRowsInOrder(Target t) throws Exception {
        truncate("pb_keys");
        List<List<String>> all = new ArrayList<>();
        for (String who : t.bouncer() ? List.of("citus") : List.of("citus", "pgjdbc")) {
            boolean citus = who.equals("citus");
            try (Connection c = citus ? PinFixture.citus(t, null)
                    : PinFixture.pgjdbc(t, null, "options=-c search_path=" + A)) {
                if (citus) {
                    c.setSchema(A);
                }
                int base = citus ? 1 : 1001;
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO pb_keys (id, name, a) VALUES (?, ?, ?)",
                        new String[] {"id", "name"})) {
                    add(ps, base, 4);
                    assertArrayEquals(new int[] {1, 1, 1, 1}, ps.executeBatch(), who);
                    List<String> keys = new ArrayList<>();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        assertSame(ps, rs.getStatement(), who);
                        assertEquals(2, rs.getMetaData().getColumnCount(), who);
                        assertTrue(rs.isBeforeFirst(), who);
                        while (rs.next()) {
                            keys.add((rs.getInt("id") - base) + ":" + rs.getString(2).substring(0, 1));
                        }
                        assertTrue(rs.isAfterLast(), who);
                        assertEquals(ResultSet.TYPE_FORWARD_ONLY, rs.getType(), who);
                    }
                    all.add(keys);
                    assertEquals(List.of("0:n", "1:n", "2:n", "3:n"), keys, who);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE pb_keys SET a = a + 1 WHERE id >= ? AND id < ?", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setInt(1, base);
                    ps.setInt(2, base + 2);
                    ps.addBatch();
                    ps.setInt(1, base + 100);
                    ps.setInt(2, base + 200);
                    ps.addBatch(); // matches nothing: no keys, count 0
                    ps.setInt(1, base + 3);
                    ps.setInt(2, base + 4);
                    ps.addBatch();
                    assertArrayEquals(new int[] {2, 0, 1}, ps.executeBatch(), who);
                    List<Integer> ids = new ArrayList<>();
                    try (ResultSet rs = ps.getGeneratedKeys()) {
                        while (rs.next()) {
                            ids.add(rs.getInt("id") - base);
                        }
                    }
                    assertEquals(List.of(0, 1, 3), ids, who);
                }
            }
        }
        assertEquals(0, count("public.pb_keys"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aFailedBatchIsRolledBackLikePgjdbcsAndLeavesTheConnectionPinnedAndClean(Target t) throws Exception {
        truncate("pb_err");
        for (String who : t.bouncer() ? List.of("citus") : List.of("citus", "pgjdbc")) {
            boolean citus = who.equals("citus");
            int base = citus ? 0 : 1000;
            try (Connection c = citus ? PinFixture.citus(t, null)
                    : PinFixture.pgjdbc(t, null, "options=-c search_path=" + A);
                 PreparedStatement ps = c.prepareStatement("INSERT INTO pb_err (id, name, a) VALUES (?, ?, ?)");
                 Statement s = c.createStatement()) {
                if (citus) {
                    c.setSchema(A);
                }
                add(ps, base + 1, 3);
                add(ps, base + 2, 1); // duplicate key
                add(ps, base + 10, 2);
                BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch, who);
                assertEquals("23505", e.getSQLState(), who);
                assertArrayEquals(new int[] {-3, -3, -3, -3, -3, -3}, e.getUpdateCounts(), who);
                assertEquals("23505", e.getNextException().getSQLState(), who);
                assertTrue(e.getMessage().contains("was aborted"), e.getMessage());
                assertEquals(0, count(A + ".pb_err"), "nothing committed, " + who);
                assertTrue(c.getAutoCommit(), who);
                add(ps, base + 1, 2);
                assertArrayEquals(new int[] {1, 1}, ps.executeBatch(), "usable at once, " + who);
                try (ResultSet rs = s.executeQuery("SELECT current_setting('search_path'), count(*) FROM pb_err")) {
                    rs.next();
                    assertTrue(rs.getString(1).contains(A), who);
                }
                assertEquals(2, s.executeUpdate("DELETE FROM pb_err"), who);
            }
            truncate("pb_err");
        }
    }

    @Test
    void aBatchBeyondOneEnvelopeCommitsEachEnvelopeAndReportsCommittedCountsOnFailure() throws Exception {
        truncate("pb_big");
        Target t = PinFixture.targets().get(0);
        int n = 25_000; // 3 parameters each: more than one envelope (65,535 parameters per statement text)
        long rawTrips;
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection raw = PinFixture.pgjdbc(t, relay)) {
            rawTrips = batchRoundTrips(raw, relay, B + ".pb_big", 1, n);
        }
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay);
             PreparedStatement ps = c.prepareStatement("INSERT INTO pb_big (id, name, a) VALUES (?, ?, ?)")) {
            c.setSchema(A);
            add(ps, 1, n);
            relay.reset();
            int[] counts = ps.executeBatch();
            assertEquals(n, counts.length);
            assertTrue(Arrays.stream(counts).allMatch(x -> x == 1));
            assertTrue(relay.roundTrips() <= rawTrips + 1, relay.roundTrips() + " round trips, raw " + rawTrips);
            assertEquals(n, count(A + ".pb_big"));

            add(ps, n + 1, 20_000);
            add(ps, 5, 1); // duplicate in the second envelope
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            int[] failed = e.getUpdateCounts();
            assertEquals(20_001, failed.length);
            long committed = Arrays.stream(failed).filter(x -> x == 1).count();
            assertTrue(committed > 0 && committed < 20_000, "the first envelope committed: " + committed);
            assertTrue(Arrays.stream(failed).skip(committed).allMatch(x -> x == Statement.EXECUTE_FAILED));
            assertEquals(n + committed, count(A + ".pb_big"), "exactly the reported entries were committed");
        }
        assertEquals(0, count("public.pb_big"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void inAnExplicitTransactionTheBatchCarriesThePinAtNoExtraRoundTrip(Target t) throws Exception {
        truncate("pb_tx");
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay);
             PreparedStatement ps = c.prepareStatement("INSERT INTO pb_tx (id, name, a) VALUES (?, ?, ?)");
             Statement s = c.createStatement()) {
            c.setSchema(B);
            c.setAutoCommit(false);
            add(ps, 1, 5);
            relay.reset();
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, ps.executeBatch());
            add(ps, 6, 5);
            assertArrayEquals(new int[] {1, 1, 1, 1, 1}, ps.executeBatch());
            c.commit();
            assertEquals(3, relay.roundTrips(), "batch (pgjdbc's BEGIN, the pin, the entries), batch, commit: as raw");
            assertEquals(10, count(B + ".pb_tx"));
            add(ps, 20, 2);
            ps.executeBatch();
            c.rollback();
            assertEquals(10, count(B + ".pb_tx"));

            // An error: the transaction fails as with pgjdbc (every entry EXECUTE_FAILED, then 25P02).
            add(ps, 30, 2);
            add(ps, 1, 1);
            BatchUpdateException e = assertThrows(BatchUpdateException.class, ps::executeBatch);
            assertEquals("23505", e.getSQLState());
            assertArrayEquals(new int[] {-3, -3, -3}, e.getUpdateCounts());
            SQLException aborted = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
            assertEquals("25P02", aborted.getSQLState());
            c.rollback();
            assertEquals(10, count(B + ".pb_tx"));
            assertEquals(B, one(s, "SELECT current_schema()"), "pinned again after the rollback");
            c.commit();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aBatchBuiltBeforeATenantWasPinnedStillRunsInTheTenantAtExecution(Target t) throws Exception {
        truncate("pb_sem");
        try (Connection c = PinFixture.citus(t, null);
             PreparedStatement ps = c.prepareStatement("INSERT INTO pb_sem (id, name, a) VALUES (?, ?, ?)")) {
            add(ps, 1, 2); // nothing pinned yet: the entries are pgjdbc's alone
            c.setSchema(A);
            assertArrayEquals(new int[] {1, 1}, ps.executeBatch());
            add(ps, 3, 2); // pinned now: recorded, sent as an envelope
            assertArrayEquals(new int[] {1, 1}, ps.executeBatch());
        }
        assertEquals(4, count(A + ".pb_sem"));
        assertEquals(0, count("public.pb_sem"));
    }

    @Test
    void aTransactionsBatchBeyondOneEnvelopeSendsTheIsolationAndPinOnce() throws Exception {
        truncate("pb_tx");
        Target t = PinFixture.targets().get(1); // PgBouncer: the isolation level travels per transaction
        int n = 10_300; // 3 parameters each: two envelopes
        try (Connection c = PinFixture.citus(t, null);
             PreparedStatement ps = c.prepareStatement("INSERT INTO pb_tx (id, name, a) VALUES (?, ?, ?)");
             Statement s = c.createStatement()) {
            c.setSchema(A);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setAutoCommit(false);
            add(ps, 1, n);
            int[] counts = ps.executeBatch();
            assertEquals(n, counts.length);
            assertTrue(Arrays.stream(counts).allMatch(x -> x == 1));
            assertEquals("repeatable read", one(s, "SHOW transaction_isolation"));
            assertEquals(String.valueOf(n), one(s, "SELECT count(*) FROM pb_tx"));
            c.commit();
            c.setAutoCommit(true);
        }
        assertEquals(n, count(A + ".pb_tx"));
        assertEquals(0, count("public.pb_tx"));
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
