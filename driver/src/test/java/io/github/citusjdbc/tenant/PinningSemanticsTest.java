package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static io.github.citusjdbc.tenant.PinFixture.results;
import static io.github.citusjdbc.tenant.PinFixture.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.StringReader;
import java.io.StringWriter;
import java.sql.BatchUpdateException;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * JDBC behaviour with a tenant pinned, asserted identically on citus-jdbc (tenant pinned,
 * unqualified SQL) and raw pgjdbc (the same SQL schema-qualified, or the tenant as its session
 * search_path), directly and through PgBouncer in transaction mode.
 */
class PinningSemanticsTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
    }

    /** Transaction pinning directly and through PgBouncer 1.18, and the default ({@code auto}) on each path. */
    static List<Target> targets() {
        List<Target> all = new ArrayList<>(PinFixture.targets());
        all.addAll(PinFixture.autoTargets());
        return all;
    }

    /** Runs {@code check} on citus-jdbc pinned to A, and on raw pgjdbc with A's search_path set in each transaction. */
    private static void both(Target t, Check check) throws Exception {
        try (Connection c = PinFixture.citus(t, null)) {
            c.setSchema(A);
            check.run(c, "citus");
        }
        if (t.pooler() != null) {
            return; // PgBouncer refuses pgjdbc's options startup parameter: the raw comparison runs directly
        }
        try (Connection c = PinFixture.pgjdbc(t, null, "options=-c search_path=" + A)) {
            check.run(c, "pgjdbc");
        }
    }

    interface Check {
        void run(Connection c, String who) throws Exception;
    }

    @ParameterizedTest
    @MethodSource("targets")
    void multipleResultsAreNavigatedWithoutThePinsResults(Target t) throws Exception {
        both(t, (c, who) -> {
            try (Statement s = c.createStatement()) {
                boolean first = s.execute("SELECT name FROM pin_items WHERE id = 1; UPDATE pin_items SET name = name"
                        + " WHERE id <= 2; SELECT 'x' -- trailing comment");
                assertTrue(first, who);
                assertEquals(List.of("rows[pin_a-1]", "count:2", "rows[x]"), results(s, first), who);
                assertFalse(s.getMoreResults(), who);
                assertEquals(-1, s.getUpdateCount(), who);
                assertNull(s.getResultSet(), who);
                assertFalse(s.execute("UPDATE pin_items SET name = name WHERE id = 1"), who);
                assertEquals(1, s.getUpdateCount(), who);
                assertFalse(s.getMoreResults(), who);
                assertEquals(-1, s.getUpdateCount(), who);
                ResultSet rs = s.executeQuery("SELECT name FROM pin_items WHERE id = 2");
                assertSame(rs, s.getResultSet(), who);
                assertSame(s, rs.getStatement(), who);
                assertEquals(List.of("pin_a-2"), rows(rs), who);
                assertEquals("02000", assertThrows(SQLException.class,
                        () -> s.executeQuery("UPDATE pin_items SET name = name WHERE id = 1")).getSQLState(), who);
                assertEquals("0100E", assertThrows(SQLException.class,
                        () -> s.executeUpdate("SELECT 1")).getSQLState(), who);
                assertEquals("0100E", assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT 1; SELECT 2")).getSQLState(), who);
                assertEquals(2, s.executeUpdate("UPDATE pin_items SET name = name WHERE id <= 2"), who);
                assertNull(s.getWarnings(), who);
                assertTrue(c.getAutoCommit(), who);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void generatedKeysAsPgjdbcReturnsThem(Target t) throws Exception {
        both(t, (c, who) -> {
            try (Statement s = c.createStatement()) {
                assertFalse(s.execute("INSERT INTO pin_items (name) VALUES ('k1')", Statement.RETURN_GENERATED_KEYS), who);
                assertEquals(1, s.getUpdateCount(), who);
                assertNull(s.getResultSet(), who);
                try (ResultSet keys = s.getGeneratedKeys()) {
                    assertTrue(keys.next(), who);
                    assertTrue(keys.getInt("id") > 5, who);
                    assertEquals("k1", keys.getString("name"), who);
                }
                assertFalse(s.getMoreResults(), who);
                assertEquals(-1, s.getUpdateCount(), who);
                assertEquals(2, s.executeUpdate("UPDATE pin_items SET name = name WHERE name LIKE 'k%' OR id = 1",
                        new String[] {"id"}), who);
                try (ResultSet keys = s.getGeneratedKeys()) {
                    assertEquals(1, keys.getMetaData().getColumnCount(), who);
                    assertTrue(keys.next() && keys.next() && !keys.next(), who);
                }
                assertTrue(s.execute("SELECT 1", Statement.RETURN_GENERATED_KEYS), "not DML: plain result, " + who);
                assertEquals("0A000", assertThrows(SQLException.class,
                        () -> s.executeUpdate("DELETE FROM pin_items WHERE id < 0", new int[] {1})).getSQLState(), who);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pin_items (name) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "k2");
                assertEquals(1, ps.executeUpdate(), who);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next(), who);
                    assertEquals("k2", keys.getString("name"), who);
                    assertSame(ps, keys.getStatement(), who);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pin_items WHERE name LIKE ?", new String[] {"name"})) {
                ps.setString(1, "k%");
                assertFalse(ps.execute(), who);
                assertEquals(2, ps.getUpdateCount(), who);
                List<String> deleted = rows(ps.getGeneratedKeys());
                deleted.sort(null);
                assertEquals(List.of("k1", "k2"), deleted, who);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void batchesReportTheUsersCountsOnly(Target t) throws Exception {
        both(t, (c, who) -> {
            try (Statement s = c.createStatement(); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO pin_items (id, name) VALUES (?, ?)")) {
                for (int i = 101; i <= 103; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "b" + i);
                    ps.addBatch();
                }
                assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch(), who);
                s.addBatch("UPDATE pin_items SET name = 'bb' WHERE id > 100");
                s.addBatch("DELETE FROM pin_items WHERE id = 103");
                assertArrayEquals(new int[] {3, 1}, s.executeBatch(), who);
                s.addBatch("DELETE FROM pin_items WHERE id = 101");
                s.addBatch("INSERT INTO pin_items (id, name) VALUES (102, 'dup')");
                BatchUpdateException e = assertThrows(BatchUpdateException.class, s::executeBatch, who);
                assertEquals("23505", e.getSQLState(), who);
                assertTrue(e.getUpdateCounts().length <= 2, who);
                assertEquals(List.of("rows[bb]"), results(s, s.execute("SELECT name FROM pin_items WHERE id = 101")),
                        "the failed batch was rolled back and the connection is clean, " + who);
                assertEquals(2, s.executeUpdate("DELETE FROM pin_items WHERE id > 100"), who);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void maxRowsFetchSizeCursorAndCallable(Target t) throws Exception {
        both(t, (c, who) -> {
            try (Statement s = c.createStatement()) {
                s.setMaxRows(2);
                assertEquals(2, rows(s.executeQuery("SELECT name FROM pin_items ORDER BY id")).size(), who);
                s.setMaxRows(0);
                c.setAutoCommit(false);
                s.setFetchSize(2);
                try (ResultSet rs = s.executeQuery("SELECT name FROM pin_items ORDER BY id")) {
                    assertEquals(List.of("pin_a-1", "pin_a-2", "pin_a-3", "pin_a-4", "pin_a-5"), rows(rs), who);
                }
                c.commit();
                c.setAutoCommit(true);
            }
            try (CallableStatement cs = c.prepareCall("{? = call current_schema()}")) {
                cs.registerOutParameter(1, Types.VARCHAR);
                cs.execute();
                assertEquals(A, cs.getString(1), who);
            }
            try (CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
                cs.registerOutParameter(1, Types.VARCHAR);
                cs.setString(2, "tenant");
                cs.execute();
                assertEquals("TENANT", cs.getString(1), who);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void savepointsRollbackAndErrorsInsideTransactions(Target t) throws Exception {
        both(t, (c, who) -> {
            try (Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                Savepoint sp = c.setSavepoint("first");
                assertEquals(1, s.executeUpdate("UPDATE pin_items SET name = 'sp' WHERE id = 1"), who);
                c.rollback(sp);
                assertEquals("pin_a-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), "pin survives, " + who);
                Savepoint sp2 = c.setSavepoint();
                assertEquals("22012", assertThrows(SQLException.class, () -> s.execute("SELECT 1/0")).getSQLState(), who);
                assertEquals("25P02", assertThrows(SQLException.class,
                        () -> s.execute("SELECT name FROM pin_items WHERE id = 1")).getSQLState(), who);
                c.rollback(sp2);
                assertEquals("pin_a-2", one(s, "SELECT name FROM pin_items WHERE id = 2"), who);
                s.execute("SELECT 1/0; SELECT 2");
            } catch (SQLException expected) {
                assertEquals("22012", expected.getSQLState(), who);
                c.rollback();
                try (Statement s = c.createStatement()) {
                    assertEquals("pin_a-3", one(s, "SELECT name FROM pin_items WHERE id = 3"), "usable after rollback, " + who);
                    c.commit();
                    c.setAutoCommit(true);
                    assertEquals("22012", assertThrows(SQLException.class, () -> s.execute("SELECT 1/0")).getSQLState(), who);
                    assertEquals("pin_a-4", one(s, "SELECT name FROM pin_items WHERE id = 4"), "clean after autocommit error, " + who);
                }
                return;
            }
            throw new AssertionError("the division by zero was not reported, " + who);
        });
    }

    @ParameterizedTest
    @MethodSource("targets")
    void cancelAndQueryTimeoutLeaveAPinnedConnectionClean(Target t) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            both(t, (c, who) -> {
                try (Statement s = c.createStatement()) {
                    s.setQueryTimeout(1);
                    long start = System.nanoTime();
                    assertEquals("57014", assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10)")).getSQLState(), who);
                    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(6), who);
                    s.setQueryTimeout(0);
                    assertEquals("pin_a-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), who);
                    var cancel = timer.scheduleAtFixedRate(() -> {
                        try {
                            s.cancel();
                        } catch (SQLException ignored) {
                            // retried
                        }
                    }, 300, 300, TimeUnit.MILLISECONDS);
                    try {
                        assertEquals("57014", assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10)")).getSQLState(), who);
                    } finally {
                        cancel.cancel(false);
                    }
                    Thread.sleep(400);
                    assertEquals("pin_a-2", one(s, "SELECT name FROM pin_items WHERE id = 2"), who);
                }
            });
        } finally {
            timer.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void preparedStatementFollowsTheTenantCurrentAtExecution(Target t) throws Exception {
        try (Connection c = PinFixture.citus(t, null);
             PreparedStatement ps = c.prepareStatement("SELECT name, ? FROM pin_items WHERE id = ?")) {
            c.setSchema(A);
            ps.setString(1, "p");
            ps.setInt(2, 3);
            assertEquals(List.of("pin_a-3"), rows(ps.executeQuery()));
            c.setSchema(B);
            assertEquals(List.of("pin_b-3"), rows(ps.executeQuery()), "parameters replayed on B's statement");
            try (CitusTenants.Scope scope = CitusTenants.bind(A)) {
                assertEquals(List.of("pin_a-3"), rows(ps.executeQuery()), "the bound scope wins over setSchema");
            }
            c.setSchema(null);
            assertEquals(List.of("WRONG"), rows(ps.executeQuery()), "unpinned: nothing added");
            c.setAutoCommit(false);
            c.setSchema(B);
            assertEquals(List.of("pin_b-3"), rows(ps.executeQuery()));
            c.setSchema(A);
            assertEquals(List.of("pin_a-3"), rows(ps.executeQuery()), "setSchema inside a transaction re-pins");
            c.rollback();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void pinnedCopyInAndOut(Target t) throws Exception {
        try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement()) {
            c.setSchema(B);
            CitusConnection cc = c.unwrap(CitusConnection.class);
            assertEquals(2, cc.copyIn("COPY pin_items (id, name) FROM STDIN (FORMAT csv)", new StringReader("201,c1\n202,c2\n")));
            StringWriter out = new StringWriter();
            assertEquals(2, cc.copyOut("COPY (SELECT id, name FROM pin_items WHERE id > 200 ORDER BY id) TO STDOUT (FORMAT csv)", out));
            assertEquals("201,c1\n202,c2\n", out.toString());
            assertEquals(2, s.executeUpdate("DELETE FROM pin_items WHERE id > 200"));
            assertEquals("WRONG", one(s, "SELECT name FROM public.pin_items WHERE id = 1"));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void isolationLevelIsPerTransactionBehindThePooler(Target t) throws Exception {
        try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement()) {
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
            c.setAutoCommit(false);
            assertEquals("serializable", one(s, "SHOW transaction_isolation"));
            c.commit();
            c.setSchema(A);
            assertEquals("serializable", one(s, "SHOW transaction_isolation"));
            assertEquals("pin_a-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            c.rollback();
            c.setAutoCommit(true);
            assertEquals("serializable", one(s, "SHOW transaction_isolation"), "autocommit envelope");
        }
        if (t.pooler() != null) {
            for (int i = 0; i < 6; i++) { // the pool has 3 server connections: visit them all
                try (Connection raw = PinFixture.pgjdbc(t, null); Statement s = raw.createStatement()) {
                    assertEquals("read committed", one(s, "SHOW transaction_isolation"), "nothing leaked");
                }
            }
        }
    }

    @Test
    void sessionModeSetsThePathOnlyWhenItChanges() throws Exception {
        Target t = targets().get(0);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "tenantPinning=session"); Statement s = c.createStatement()) {
            c.setSchema(A);
            relay.reset();
            assertEquals("pin_a-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            assertEquals(1, relay.roundTrips(), "SET prefixed to the query: one round trip");
            relay.reset();
            assertEquals("pin_a-2", one(s, "SELECT name FROM pin_items WHERE id = 2"));
            assertEquals(1, relay.roundTrips(), "already set");
            c.setSchema(B);
            relay.reset();
            assertEquals("pin_b-2", one(s, "SELECT name FROM pin_items WHERE id = 2"));
            assertEquals(1, relay.roundTrips(), "tenant change: SET prefixed again");
            c.setAutoCommit(false);
            c.rollback();
            relay.reset();
            assertEquals("pin_b-3", one(s, "SELECT name FROM pin_items WHERE id = 3"));
            // Citus 12+ reports search_path: the server's value stays known.
            boolean reported = c.unwrap(PGConnection.class).getParameterStatus("search_path") != null;
            assertEquals(1, relay.roundTrips(), reported ? "reported by the server: still known after a rollback"
                    : "unknown after a rollback on a server that does not report search_path: set again, prefixed");
            c.commit();
            s.execute("SET search_path TO public");
            assertEquals("pin_b-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), "user SET noticed");
            c.commit();
            c.setAutoCommit(true);
            c.setSchema(null);
            assertEquals("WRONG", one(s, "SELECT name FROM pin_items WHERE id = 1"), "unpinned: back to the default");
            List<String> sets = new ArrayList<>();
            assertTrue(sets.isEmpty());
        }
    }
}
