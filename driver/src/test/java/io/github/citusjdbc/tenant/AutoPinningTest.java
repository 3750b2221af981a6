package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static io.github.citusjdbc.tenant.PinFixture.rows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * The default {@code tenantPinning=auto}, counted on the wire with {@code RoundTripRelay} on real
 * Citus: session pinning directly and through PgBouncer 1.25 tracking {@code search_path}, whose
 * {@code SET search_path} rides with the statement that needs it (0 extra round trips per unit of
 * work, also when every unit switches tenant; through 1.25 each statement's text names its tenant in
 * a comment), and statement pinning through PgBouncer 1.18 ({@code SET search_path; <sql>; RESET
 * search_path}, see {@code StatementPinningTest}).
 */
class AutoPinningTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.createFunctions();
    }

    /**
     * How many autocommit statements in a row must run in one tenant, on a connection whose tenant
     * changes, before session pinning sets it for the session (docs/pinning.md, "Modes").
     */
    private static final int SETTLED_UNITS = 128;

    static List<Target> targets() {
        return PinFixture.autoTargets();
    }

    /** Session pinning (direct, and behind PgBouncer 1.25), or statement pinning (behind PgBouncer 1.18). */
    private static boolean session(Target t) {
        return t.pooler() == null || t.pooler().equals("pgbouncer-transaction-tracking");
    }

    private static String reported(Connection c) throws SQLException {
        String v = c.unwrap(PGConnection.class).getParameterStatus("search_path");
        return v == null ? null : v.replace("\"", "");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void autoPicksSessionPinningUnlessThePoolerLeaksIt(Target t) throws Exception {
        try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement()) {
            assertTrue(reported(c) != null, "Citus 12 reports search_path");
            c.setSchema(A);
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            // A session SET stays after the autocommit statement; statement pinning's RESET clears it.
            assertEquals(session(t) ? A : "$user, public", reported(c));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void autocommitStatementsSwitchingTenantsAreOneRoundTripEach(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement()) {
            for (int i = 0; i < 9; i++) {
                String tenant = i % 3 == 2 || i % 4 == 1 ? B : A;
                int id = 1 + i % 5;
                c.setSchema(tenant);
                relay.reset();
                assertEquals(tenant + "-" + id, one(s, "SELECT name FROM pin_items WHERE id = " + id), "query " + i);
                assertEquals(1, relay.roundTrips(), "query " + i);
                relay.reset();
                assertEquals(1, s.executeUpdate("UPDATE pin_items SET name = name WHERE id = " + id), "update " + i);
                assertEquals(1, relay.roundTrips(), "update " + i);
                relay.reset();
                assertFalse(s.execute("INSERT INTO pin_items (name) VALUES ('k" + i + "')", Statement.RETURN_GENERATED_KEYS));
                assertEquals(1, s.getUpdateCount());
                try (ResultSet keys = s.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals("k" + i, keys.getString("name"));
                }
                assertEquals(1, relay.roundTrips(), "insert with keys " + i);
                assertEquals(0, relay.serverMessages('N'), "no notice");
            }
            c.setSchema(c.getSchema().equals(A) ? B : A);
            relay.reset();
            assertThrows(SQLException.class, () -> s.execute("SELECT name FROM pin_items WHERE id = 1 / 0"));
            assertEquals(1, relay.roundTrips(), "error: nothing to roll back (a session SET, or an implicit transaction)");
            c.setSchema(A);
            s.executeUpdate("DELETE FROM pin_items WHERE name LIKE 'k%'");
            c.setSchema(B);
            s.executeUpdate("DELETE FROM pin_items WHERE name LIKE 'k%'");
            assertNull(s.getWarnings());
            assertEquals('I', relay.lastTransactionStatus());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void preparedStatementsSwitchingTenantsAreOneRoundTripEach(Target t) throws Exception {
        for (String threshold : t.bouncer() ? List.of("0") : List.of("0", "5", "1")) {
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = PinFixture.citus(t, relay, "prepareThreshold=" + threshold);
                 PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?");
                 PreparedStatement up = c.prepareStatement("UPDATE pin_items SET name = name WHERE id = ?")) {
                for (int i = 0; i < 14; i++) {
                    String tenant = i % 3 == 2 || i % 5 == 1 ? B : A;
                    c.setSchema(tenant);
                    ps.setInt(1, 1 + i % 5);
                    relay.reset();
                    assertEquals(List.of(tenant + "-" + (1 + i % 5)), rows(ps.executeQuery()),
                            "threshold " + threshold + " execution " + i);
                    assertEquals(1, relay.roundTrips(), "threshold " + threshold + " execution " + i);
                    up.setInt(1, 1 + i % 5);
                    relay.reset();
                    assertEquals(1, up.executeUpdate());
                    assertEquals(1, relay.roundTrips(), "threshold " + threshold + " update " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void explicitTransactionsBatchesAndCallsSwitchingTenantsCostWhatRawPgjdbcCosts(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement();
             CallableStatement cs = c.prepareCall("{? = call cs_name(?)}")) {
            cs.registerOutParameter(1, Types.VARCHAR);
            for (int i = 0; i < 4; i++) {
                String tenant = i % 2 == 0 ? A : B;
                c.setSchema(tenant);
                c.setAutoCommit(false);
                relay.reset();
                assertEquals(tenant + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
                assertEquals(1, s.executeUpdate("UPDATE pin_items SET name = name WHERE id = 2"));
                c.commit();
                assertEquals(3, relay.roundTrips(), "2 statements and COMMIT, as raw pgjdbc, " + i);
                c.setAutoCommit(true);
                c.setSchema(tenant.equals(A) ? B : A);
                s.addBatch("UPDATE pin_items SET name = name WHERE id = 1");
                s.addBatch("UPDATE pin_items SET name = name WHERE id <= 2");
                relay.reset();
                assertArrayEquals(new int[] {1, 2}, s.executeBatch());
                assertEquals(1, relay.roundTrips(), "Statement batch " + i);
                c.setSchema(tenant);
                cs.setInt(2, 3);
                relay.reset();
                cs.execute();
                assertEquals(tenant + "-3", cs.getString(1), "call " + i);
                assertEquals(i == 0 ? 2 : 1, relay.roundTrips(), "call " + i + " (the first looks up its OUT type)");
            }
        }
    }

    /**
     * Session pinning on a connection whose tenant keeps changing (a pooled connection borrowed for
     * one tenant after another): the first tenant is set for the session; after a change, each
     * autocommit statement in another tenant carries {@code SET search_path TO "t"; <sql>; SET
     * search_path TO <the session's tenant>} and leaves the session as it was (the server reports no
     * change), until {@value #SETTLED_UNITS} statements in a row ran in one tenant; then the session
     * takes it and nothing is added. One round trip each, and every row the tenant's.
     */
    @Test
    void aConnectionWhoseTenantKeepsChangingPinsPerStatementUntilOneTenantHolds() throws Exception {
        rotateThenSettle(targets().get(0), A);
    }

    /**
     * The same through PgBouncer 1.25 (tracking {@code search_path}): after the first change each
     * statement, whatever its tenant, carries {@code SET search_path TO "t"; <sql>; RESET
     * search_path}, so that the value PgBouncer puts back for this client on the server connections
     * it gets is the default, as with statement pinning; after {@value #SETTLED_UNITS} statements in a
     * row in one tenant the session takes it and nothing is added.
     */
    @Test
    void throughPgBouncer125AConnectionWhoseTenantKeepsChangingLeavesItsSessionUnpinned() throws Exception {
        rotateThenSettle(tracking(), "$user, public");
    }

    /** @return the target through PgBouncer 1.25, declared {@code pooler=pgbouncer-transaction-tracking} */
    private static Target tracking() {
        return targets().stream().filter(x -> "pgbouncer-transaction-tracking".equals(x.pooler())).findFirst()
                .orElseThrow();
    }

    /**
     * A connection set to A, then changing tenant every two or three statements, then in B only.
     *
     * @param kept the {@code search_path} the session keeps while the tenant keeps changing: A (the
     *             session's own tenant set back after a statement in another, so a statement in A
     *             carries nothing and nothing is reported), or the default ({@code RESET} after every
     *             statement)
     */
    private static void rotateThenSettle(Target t, String kept) throws Exception {
        boolean keepsA = kept.equals(A);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay);
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
            c.setSchema(A);
            ps.setInt(1, 1);
            assertEquals(List.of(A + "-1"), rows(ps.executeQuery()));
            assertEquals(A, reported(c), "the first tenant: set for the session");
            for (int i = 0; i < 3 * SETTLED_UNITS; i++) {
                String tenant = i % 3 == 0 ? B : A; // a change every two or three statements
                c.setSchema(tenant);
                ps.setInt(1, 1 + i % 5);
                relay.reset();
                assertEquals(List.of(tenant + "-" + (1 + i % 5)), rows(ps.executeQuery()), "statement " + i);
                assertEquals(1, relay.roundTrips(), "statement " + i);
                assertEquals(keepsA && tenant.equals(A) ? 1 : 3, relay.clientMessages('E'), "statement " + i
                        + ": the session's tenant: the query alone; another: SET, the query, SET back (or RESET)");
                if (keepsA) {
                    assertEquals(0, relay.serverMessages('S'), "statement " + i + ": no change reported");
                }
                assertEquals(kept, reported(c), "statement " + i + ": what the session keeps");
            }
            c.setSchema(B);
            ps.setInt(1, 1);
            for (int i = 1; i <= SETTLED_UNITS; i++) {
                relay.reset();
                assertEquals(List.of(B + "-1"), rows(ps.executeQuery()));
                assertEquals(1, relay.roundTrips());
                assertEquals(i < SETTLED_UNITS ? kept : B, reported(c), "statement " + i + " in a row in " + B);
                assertEquals(i < SETTLED_UNITS ? 3 : 2, relay.clientMessages('E'),
                        "statement " + i + " in a row in " + B + " (then SET and the query)");
            }
            relay.reset();
            assertEquals(List.of(B + "-1"), rows(ps.executeQuery()));
            assertEquals(1, relay.clientMessages('E'), "the session has the tenant: nothing added");
            assertEquals(1, relay.roundTrips());
        }
    }

    /**
     * An error in the string carrying the SET rolls the SET back with the string's implicit
     * transaction (autocommit) or with the transaction (explicit): the driver must not believe the
     * server has the new tenant. Checked on Citus (which reports search_path) and on plain PostgreSQL
     * (which does not, so the driver's own bookkeeping is all there is).
     */
    @Test
    void errorsInTheCarryingStringLeaveTheRightTenantNext() throws Exception {
        Target direct = targets().get(0);
        Target plain = PinFixture.plainPostgres();
        for (Target t : List.of(direct, new Target(plain.name() + "-auto", plain.pgjdbcUrl(), false, null, null))) {
            try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement();
                 PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = 1 / ?")) {
                boolean reports = reported(c) != null;
                c.setSchema(A);
                assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), t.name());
                c.setSchema(B);
                assertEquals("22012", assertThrows(SQLException.class,
                        () -> s.execute("SELECT name FROM pin_items WHERE id = 1 / 0")).getSQLState());
                if (reports) {
                    assertEquals(A, reported(c), "the SET was rolled back with the failed statement");
                }
                assertEquals(B + "-2", one(s, "SELECT name FROM pin_items WHERE id = 2"), t.name() + ": after an error");
                c.setSchema(A);
                ps.setInt(1, 0);
                assertEquals("22012", assertThrows(SQLException.class, ps::executeQuery).getSQLState());
                ps.setInt(1, 1);
                assertEquals(List.of(A + "-1"), rows(ps.executeQuery()), t.name() + ": prepared, after an error");
                // Explicit transaction: the SET rides with its first statement; a rollback undoes it.
                c.setAutoCommit(false);
                c.setSchema(B);
                assertEquals(B + "-3", one(s, "SELECT name FROM pin_items WHERE id = 3"), t.name());
                c.rollback();
                assertEquals(B + "-4", one(s, "SELECT name FROM pin_items WHERE id = 4"), t.name() + ": after rollback");
                c.commit();
                c.setSchema(A);
                assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), t.name());
                assertThrows(SQLException.class, () -> s.execute("SELECT 1 / 0"));
                c.rollback();
                if (reports) {
                    assertEquals(B, reported(c), "the rollback undid the SET to A: the server is back on B");
                }
                assertEquals(A + "-5", one(s, "SELECT name FROM pin_items WHERE id = 5"), t.name() + ": after error and rollback");
                c.commit();
                // A batch whose entry fails: its SET is rolled back with it.
                c.setAutoCommit(true);
                c.setSchema(B);
                s.addBatch("UPDATE pin_items SET name = name WHERE id = 1");
                s.addBatch("UPDATE pin_items SET name = name WHERE id = 1 / 0");
                assertThrows(SQLException.class, s::executeBatch);
                assertEquals(B + "-2", one(s, "SELECT name FROM pin_items WHERE id = 2"), t.name() + ": after a failed batch");
                // A call whose function fails.
                c.setSchema(A);
                if (t == direct) { // the functions exist on the cluster only
                    try (CallableStatement fail = c.prepareCall("{? = call cs_fail(?)}")) {
                        fail.registerOutParameter(1, Types.INTEGER);
                        fail.setInt(2, -1);
                        assertEquals("22023", assertThrows(SQLException.class, fail::execute).getSQLState());
                    }
                    assertEquals(A + "-3", one(s, "SELECT name FROM pin_items WHERE id = 3"), "after a failed call");
                }
                for (int i = 0; i < SETTLED_UNITS; i++) { // the tenant holds still: the session takes it
                    assertEquals(A + "-4", one(s, "SELECT name FROM pin_items WHERE id = 4"), t.name());
                }
                if (reports) {
                    assertEquals(A, reported(c), "the driver's idea and the server's report agree");
                }
            }
        }
    }

    /**
     * Through PgBouncer 1.25 each statement of session pinning names its tenant in a comment at its
     * end, so that statements of the same text from clients of different tenants are different
     * statements on the server connections they share (a prepared statement is planned again whenever
     * it runs under another {@code search_path}). Counted in what the client sends, with pgjdbc
     * sending each statement's text every time ({@code prepareThreshold=0}); the first statement in
     * the first tenant carries the session {@code SET} instead.
     */
    @Test
    void throughPgBouncer125EachStatementNamesItsTenant() throws Exception {
        Target t = tracking();
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=0");
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
            List<String> tenants = List.of(A, A, A, B, B, A);
            for (int i = 0; i < tenants.size(); i++) {
                String tenant = tenants.get(i);
                String tag = "/* \"" + tenant + "\" */";
                c.setSchema(tenant);
                relay.rewriteClientText(tag, tag, 100); // counts the tag's occurrences, changes nothing
                ps.setInt(1, 2);
                assertEquals(List.of(tenant + "-2"), rows(ps.executeQuery()), "execution " + i);
                assertEquals(i == 0 ? 100 : 99, relay.rewritesLeft(), "the text of execution " + i + " names " + tenant);
            }
        }
    }

    /**
     * With the tenant unchanged nothing is added in session pinning: one command per statement, the
     * user's, while another client of another tenant works on the same server (through PgBouncer 1.25,
     * which puts each client's {@code search_path} back on the server connection it hands out; behind
     * PgBouncer 1.18 the pin goes with every statement, in the same round trip, and the server
     * connection keeps nothing).
     */
    @ParameterizedTest
    @MethodSource("targets")
    void nothingAddedWhileTheTenantDoesNotChange(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement();
             Connection other = PinFixture.citus(t, null); Statement os = other.createStatement()) {
            c.setSchema(A);
            other.setSchema(B);
            relay.reset();
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            assertEquals(session(t) ? 2 : 3, relay.serverMessages('C'),
                    session(t) ? "the tenant changed: SET and the query" : "SET, the query, RESET");
            assertEquals(1, relay.roundTrips());
            for (int i = 0; i < 4; i++) {
                assertEquals(B + "-2", one(os, "SELECT name FROM pin_items WHERE id = 2"));
                relay.reset();
                assertEquals(A + "-2", one(s, "SELECT name FROM pin_items WHERE id = 2"));
                assertEquals(1, relay.roundTrips());
                assertEquals(session(t) ? 1 : 3, relay.serverMessages('C'), session(t) ? "one command: the user's, no SET"
                        : "SET, the query, RESET: every time");
            }
        }
    }
}
