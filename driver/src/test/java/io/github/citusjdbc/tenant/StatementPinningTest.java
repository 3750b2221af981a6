package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static io.github.citusjdbc.tenant.PinFixture.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
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
import org.postgresql.PGStatement;

/**
 * {@code tenantPinning=statement}, counted on the wire with {@code RoundTripRelay} on real Citus: an
 * autocommit statement goes as {@code SET search_path; <sql>; RESET search_path} (3 Parse, no
 * BEGIN/COMMIT) with exactly one Sync, so a transaction pooler cannot hand the server connection to
 * another client inside it; the server keeps nothing of the pin after success or error; where pgjdbc
 * may describe first (a prepare threshold above 0) the BEGIN envelope is used instead. It is what
 * {@code auto} picks behind PgBouncer 1.18 ({@code pooler=pgbouncer-transaction}).
 */
class StatementPinningTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
    }

    static List<Target> targets() {
        LocalCluster c = LocalCluster.shared();
        return List.of(new Target("direct-statement", c.jdbcUrl(c.coordinator()), false, "statement", null),
                new Target("pgbouncer-auto", c.bouncerJdbcUrl(c.coordinator()), true, null, "pgbouncer-transaction"));
    }

    private static void assertImplicit(RoundTripRelay relay, String what) {
        assertEquals(1, relay.roundTrips(), what + ": round trips");
        assertEquals(1, relay.syncs(), what + ": one Sync");
        assertEquals(3, relay.clientMessages('P'), what + ": SET, the statement, RESET (no BEGIN, no COMMIT)");
        assertEquals('I', relay.lastTransactionStatus(), what + ": idle after");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void autocommitStatementsAreOneImplicitTransactionWithOneSync(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=0"); Statement s = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?");
             PreparedStatement up = c.prepareStatement("UPDATE pin_items SET name = name WHERE id = ?")) {
            for (int i = 0; i < 6; i++) {
                String tenant = i % 3 == 1 ? B : A;
                int id = 1 + i % 5;
                c.setSchema(tenant);
                relay.reset();
                assertEquals(tenant + "-" + id, one(s, "SELECT name FROM pin_items WHERE id = " + id), "query " + i);
                assertImplicit(relay, "query " + i);
                relay.reset();
                ps.setInt(1, id);
                assertEquals(List.of(tenant + "-" + id), rows(ps.executeQuery()), "prepared query " + i);
                assertImplicit(relay, "prepared query " + i);
                relay.reset();
                up.setInt(1, id);
                assertEquals(1, up.executeUpdate(), "prepared update " + i);
                assertImplicit(relay, "prepared update " + i);
                relay.reset();
                assertFalse(s.execute("INSERT INTO pin_items (name) VALUES ('k" + i + "')", Statement.RETURN_GENERATED_KEYS));
                assertEquals(1, s.getUpdateCount());
                try (ResultSet keys = s.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals("k" + i, keys.getString("name"));
                }
                assertImplicit(relay, "insert with keys " + i);
                assertEquals(0, relay.serverMessages('N'), "no notice");
            }
            for (String tenant : List.of(A, B)) {
                c.setSchema(tenant);
                s.executeUpdate("DELETE FROM pin_items WHERE name LIKE 'k%'");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void anErrorCostsNoRollbackAndLeavesTheConnectionIdle(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=0"); Statement s = c.createStatement()) {
            c.setSchema(B);
            relay.reset();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT name FROM pin_items WHERE id = 1 / 0"));
            assertEquals("22012", e.getSQLState());
            assertEquals(1, relay.roundTrips(), "the implicit transaction ended with the error: nothing to roll back");
            assertEquals('I', relay.lastTransactionStatus());
            relay.reset();
            assertEquals(B + "-2", one(s, "SELECT name FROM pin_items WHERE id = 2"));
            assertImplicit(relay, "after the error");
        }
    }

    /** What the server connection keeps, read on the physical connection behind the driver. */
    @Test
    void theServerKeepsNothingOfThePinAfterSuccessOrError() throws Exception {
        Target t = targets().get(0);
        try (Connection c = PinFixture.citus(t, null, "prepareThreshold=0"); Statement s = c.createStatement()) {
            Connection physical = (Connection) c.unwrap(PGConnection.class);
            String initial = serverPath(physical);
            assertFalse(initial.contains(A), initial);
            c.setSchema(A);
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            assertEquals(initial, serverPath(physical), "after a statement");
            assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE pin_items SET name = 'x' WHERE id = 1 / 0"));
            assertEquals(initial, serverPath(physical), "after an error");
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), "the failed update changed nothing");
        }
    }

    private static String serverPath(Connection physical) throws SQLException {
        try (Statement s = physical.createStatement(); ResultSet rs = s.executeQuery("SHOW search_path")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Behind PgBouncer 1.18 pgjdbc may describe a statement it prepares on the server first, with a
     * Sync in between, where the pooler may hand the server connection (and the pin) to another
     * client: there the BEGIN envelope goes with such statements.
     */
    @Test
    void theBeginEnvelopeBehindAPoolerWherePgjdbcMaySyncInside() throws Exception {
        Target t = targets().get(1);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=0"); Statement s = c.createStatement()) {
            s.unwrap(PGStatement.class).setPrepareThreshold(1); // the application's own statement-level setting
            c.setSchema(A);
            relay.reset();
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            assertEquals(1, relay.roundTrips());
            assertEquals(4, relay.clientMessages('P'), "a statement pgjdbc may prepare: BEGIN, SET LOCAL, the statement, COMMIT");
        }
    }

    /**
     * A server that does not report {@code search_path} (plain PostgreSQL) could not show a split
     * string's committed {@code SET}: there a statement pgjdbc may prepare gets the BEGIN envelope,
     * also on a direct connection.
     */
    @Test
    void theBeginEnvelopeWhereTheServerDoesNotReportSearchPath() throws Exception {
        Target plain = PinFixture.plainPostgres();
        Target t = new Target("plain-statement", plain.pgjdbcUrl(), false, "statement", null);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=5"); Statement s = c.createStatement()) {
            c.setSchema(A);
            relay.reset();
            assertEquals(A + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            assertEquals(1, relay.roundTrips());
            assertEquals(4, relay.clientMessages('P'), "BEGIN, SET LOCAL, the statement, COMMIT");
        }
    }

    /**
     * Where a Sync inside the string reaches no other client (a direct connection; PgBouncer 1.25
     * tracking {@code search_path}, which gives each client its own value back) the implicit form
     * also goes with statements pgjdbc prepares on the server, which stay prepared.
     */
    @ParameterizedTest
    @MethodSource("splitSafeTargets")
    void theImplicitFormWithServerPreparedStatementsWhereASyncReachesNoOtherClient(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=2");
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
            for (int i = 0; i < 6; i++) {
                String tenant = i % 2 == 0 ? A : B;
                c.setSchema(tenant);
                relay.reset();
                ps.setInt(1, 1 + i % 5);
                assertEquals(List.of(tenant + "-" + (1 + i % 5)), rows(ps.executeQuery()), "execution " + i);
                assertEquals(1, relay.roundTrips(), "execution " + i + ": round trips");
                assertEquals(0, relay.clientMessages('Q'), "execution " + i + ": nothing sent apart");
                assertEquals('I', relay.lastTransactionStatus(), "execution " + i + ": idle after");
            }
            relay.reset();
            ps.setInt(1, 2);
            assertEquals(List.of(B + "-2"), rows(ps.executeQuery()));
            assertEquals(0, relay.clientMessages('P'), "B's string prepared on the server: bound and executed only");
        }
    }

    static List<Target> splitSafeTargets() {
        LocalCluster c = LocalCluster.shared();
        return List.of(new Target("direct-statement", c.jdbcUrl(c.coordinator()), false, "statement", null),
                new Target("pgbouncer-1.25-statement", c.trackingBouncerJdbcUrl(c.coordinator()), false, "statement",
                        "pgbouncer-transaction-tracking"));
    }

    /**
     * pgjdbc splits the string when it describes a parameter of unknown type of a statement it
     * prepares on the server (from the execution after {@code prepareThreshold}): the {@code SET}
     * commits at that Sync. When the rest then fails, the driver resets what the server reports, so
     * that nothing of the pin stays on the connection.
     */
    @ParameterizedTest
    @MethodSource("splitSafeTargets")
    void aSplitStringThatFailsLeavesNoPin(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = 1 / ?::int")) {
            Connection physical = (Connection) c.unwrap(PGConnection.class);
            String initial = serverPath(physical);
            c.setSchema(B);
            for (int i = 1; i <= 2; i++) {
                relay.reset();
                ps.setObject(1, "1", Types.OTHER); // a parameter of unknown type: pgjdbc describes it first
                assertEquals(List.of(B + "-1"), rows(ps.executeQuery()));
            }
            assertTrue(relay.syncs() > 1, "pgjdbc split B's string once server-prepared (the case under test): "
                    + relay.syncs() + " Syncs");
            assertEquals(initial, serverPath(physical), "after a split string that succeeded");
            c.setSchema(A);
            ps.setObject(1, "1", Types.OTHER);
            assertEquals(List.of(A + "-1"), rows(ps.executeQuery()));
            ps.setObject(1, "0", Types.OTHER);
            assertEquals("22012", assertThrows(SQLException.class, ps::executeQuery).getSQLState(),
                    "A's string, split the same way, fails after its SET committed");
            assertEquals(initial, serverPath(physical), "the server keeps nothing of the pin after the error");
            ps.setObject(1, "1", Types.OTHER);
            assertEquals(List.of(A + "-1"), rows(ps.executeQuery()), "pinned again");
        }
    }
}
