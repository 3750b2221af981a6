package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static io.github.citusjdbc.tenant.PinFixture.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;

/**
 * Pinning adds no round trip, counted on the wire with {@code RoundTripRelay}: a pinned autocommit
 * statement is 1 round trip, a pinned explicit transaction costs what raw pgjdbc's costs, an
 * unpinned connection adds nothing, and a hostile tenant name never reaches the wire.
 */
class PinningRoundTripTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.createFunctions();
    }

    static List<Target> targets() {
        return PinFixture.targets();
    }

    @ParameterizedTest
    @MethodSource("targets")
    void pinnedAutocommitStatementIsOneRoundTrip(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement()) {
            c.setSchema(A);
            for (int i = 1; i <= 3; i++) {
                relay.reset();
                assertEquals(A + "-" + i, one(s, "SELECT name FROM pin_items WHERE id = " + i));
                assertEquals(1, relay.roundTrips(), "execution " + i);
                assertEquals(0, relay.serverMessages('N'), "no notice");
                relay.reset();
                assertEquals(1, s.executeUpdate("UPDATE pin_items SET name = name WHERE id = " + i));
                assertEquals(1, relay.roundTrips());
            }
            assertNull(s.getWarnings());
            assertEquals('I', relay.lastTransactionStatus());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void pinnedPreparedStatementIsOneRoundTripAcrossTenantSwitches(Target t) throws Exception {
        for (String threshold : t.bouncer() ? List.of("0") : List.of("0", "5", "1")) {
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = PinFixture.citus(t, relay, "prepareThreshold=" + threshold);
                 PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
                for (int i = 0; i < 12; i++) {
                    String tenant = i % 3 == 2 ? B : A;
                    c.setSchema(tenant);
                    ps.setInt(1, 1 + i % 5);
                    relay.reset();
                    assertEquals(List.of(tenant + "-" + (1 + i % 5)), rows(ps.executeQuery()),
                            "threshold " + threshold + " execution " + i);
                    assertEquals(1, relay.roundTrips(), "threshold " + threshold + " execution " + i);
                }
            }
        }
    }

    /**
     * Parse messages per pinned unit of work with server-side prepared statements ({@code prepareThreshold=1},
     * direct). pgjdbc 42.7.14 drops its server-prepared statements when {@code search_path} changes: on a
     * server that reports it (Citus 12+) at every reported change, otherwise (plain PostgreSQL) when a
     * {@code SET ... search_path} text differs from the last one. An autocommit envelope reports nothing
     * (the value at ReadyForQuery is the session's), an explicit transaction reports its tenant and then
     * the reverted value at COMMIT. The Parses ride in the same round trips either way.
     */
    @ParameterizedTest
    @MethodSource("citusAndPlainPostgres")
    void serverPreparedStatementsAcrossPinnedUnitsOfWork(Target t) throws Exception {
        Boolean reported = null;
        List<List<Long>> parses = new ArrayList<>();
        for (boolean autocommit : List.of(true, false)) {
            for (boolean switching : List.of(false, true)) {
                try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                     Connection c = PinFixture.citus(t, relay, "prepareThreshold=1");
                     PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
                    reported = c.unwrap(PGConnection.class).getParameterStatus("search_path") != null;
                    c.setAutoCommit(autocommit);
                    List<Long> perUnit = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        String tenant = switching && i % 2 == 1 ? B : A;
                        c.setSchema(tenant);
                        ps.setInt(1, 1);
                        relay.reset();
                        assertEquals(List.of(tenant + "-1"), rows(ps.executeQuery()));
                        if (!autocommit) {
                            c.commit();
                        }
                        assertEquals(autocommit ? 1 : 2, relay.roundTrips());
                        perUnit.add(relay.clientMessages('P'));
                    }
                    parses.add(perUnit);
                }
            }
        }
        assertEquals(t != PinFixture.plainPostgres(), reported, "Citus reports search_path, plain PostgreSQL does not");
        if (System.getProperty("citus.expectPgjdbc") != null) {
            return; // the pgjdbc-oldest run: the round trips above hold; the Parse figures below are 42.7.14's
        }
        List<List<Long>> expected = reported
                ? List.of(List.of(4L, 0L, 0L, 0L, 0L, 0L),   // autocommit, one tenant: prepared once
                        List.of(4L, 4L, 0L, 0L, 0L, 0L),     // autocommit, alternating: once per tenant
                        List.of(3L, 3L, 3L, 3L, 3L, 3L),     // explicit transaction: every statement parsed again
                        List.of(3L, 3L, 3L, 3L, 3L, 3L))
                : List.of(List.of(4L, 4L, 0L, 0L, 0L, 0L),
                        List.of(4L, 4L, 4L, 4L, 4L, 4L),     // a changed SET text every time
                        List.of(3L, 2L, 0L, 0L, 0L, 0L),
                        List.of(3L, 3L, 3L, 3L, 3L, 3L));
        assertEquals(expected, parses, (reported ? "search_path reported (Citus 12+)" : "search_path not reported")
                + ", " + io.github.citusjdbc.config.PgjdbcVersion.found());
    }

    static List<Target> citusAndPlainPostgres() throws java.sql.SQLException {
        return List.of(targets().get(0), PinFixture.plainPostgres());
    }

    @ParameterizedTest
    @MethodSource("targets")
    void explicitTransactionCostsWhatRawPgjdbcCosts(Target t) throws Exception {
        long raw;
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.pgjdbc(t, relay); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            relay.reset();
            threeStatements(s, "pin_a.");
            c.commit();
            raw = relay.roundTrips();
        }
        assertEquals(4, raw, "3 statements and COMMIT");
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement()) {
            c.setSchema(A);
            c.setAutoCommit(false);
            relay.reset();
            threeStatements(s, "");
            c.commit();
            assertEquals(raw, relay.roundTrips());
            // And again with a PreparedStatement first.
            relay.reset();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
                ps.setInt(1, 2);
                assertEquals(List.of(A + "-2"), rows(ps.executeQuery()));
                threeStatements(s, "");
            }
            c.commit();
            assertEquals(raw + 1, relay.roundTrips());
        }
    }

    /**
     * A pinned autocommit CallableStatement is one round trip, like raw pgjdbc's: the call runs in the
     * envelope and the driver reads the OUT values. Only the first call with an OUT-only parameter
     * on a physical connection costs one more (pgjdbc looks up the type {@code void} once).
     */
    @ParameterizedTest
    @MethodSource("targets")
    void pinnedAutocommitCallableIsOneRoundTrip(Target t) throws Exception {
        if (!t.bouncer()) { // PgBouncer refuses the options startup parameter
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = PinFixture.pgjdbc(t, relay, "options=-c search_path=" + A);
                 CallableStatement cs = c.prepareCall("{? = call cs_name(?)}")) {
                cs.registerOutParameter(1, Types.VARCHAR);
                cs.setInt(2, 1);
                relay.reset();
                cs.execute();
                assertEquals(A + "-1", cs.getString(1));
                assertEquals(1, relay.roundTrips(), "raw pgjdbc");
            }
        }
        for (String threshold : t.bouncer() ? List.of("0") : List.of("0", "5", "1")) {
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = PinFixture.citus(t, relay, "prepareThreshold=" + threshold);
                 CallableStatement ret = c.prepareCall("{? = call cs_name(?)}");
                 CallableStatement inout = c.prepareCall("{call cs_inout(?, ?, ?)}")) {
                c.setSchema(A);
                inout.setInt(1, 1);
                inout.setString(2, "s");
                inout.registerOutParameter(1, Types.INTEGER);
                inout.registerOutParameter(2, Types.VARCHAR);
                inout.setInt(3, 2);
                relay.reset();
                inout.execute();
                assertEquals("s2" + A + "-2", inout.getString(2));
                assertEquals(1, relay.roundTrips(), "INOUT parameters only: 1 from the first call on");
                ret.registerOutParameter(1, Types.VARCHAR);
                for (int i = 0; i < 12; i++) {
                    String tenant = i % 3 == 2 ? B : A;
                    c.setSchema(tenant);
                    ret.setInt(2, 1 + i % 5);
                    relay.reset();
                    ret.execute();
                    assertEquals(tenant + "-" + (1 + i % 5), ret.getString(1), "threshold " + threshold + " call " + i);
                    assertEquals(i == 0 ? 2 : 1, relay.roundTrips(), "threshold " + threshold + " call " + i);
                    assertEquals(0, relay.serverMessages('N'), "no notice");
                    inout.setInt(3, 1 + i % 5);
                    relay.reset();
                    inout.execute();
                    assertEquals("s" + (1 + i % 5) + tenant + "-" + (1 + i % 5), inout.getString(2));
                    assertEquals(1, relay.roundTrips(), "threshold " + threshold + " INOUT call " + i);
                }
                assertEquals('I', relay.lastTransactionStatus());
                // An error inside the function: the call, then one ROLLBACK.
                try (CallableStatement fail = c.prepareCall("{? = call cs_fail(?)}")) {
                    fail.registerOutParameter(1, Types.INTEGER);
                    fail.setInt(2, -1);
                    relay.reset();
                    assertEquals("22023", assertThrows(SQLException.class, fail::execute).getSQLState());
                    assertEquals(2, relay.roundTrips(), "error path: ROLLBACK");
                    assertEquals('I', relay.lastTransactionStatus());
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void explicitTransactionWithCallableCostsWhatRawPgjdbcCosts(Target t) throws Exception {
        long raw;
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.pgjdbc(t, relay); Statement s = c.createStatement();
             CallableStatement cs = c.prepareCall("{? = call pin_a.cs_name(?)}")) {
            c.setAutoCommit(false);
            relay.reset();
            callAndTwoStatements(cs, s, "pin_a.", "WRONG"); // the function's table resolves through the default path
            c.commit();
            raw = relay.roundTrips();
        }
        assertEquals(4, raw, "call, 2 statements and COMMIT");
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement();
             CallableStatement cs = c.prepareCall("{? = call cs_name(?)}")) {
            c.setSchema(A);
            c.setAutoCommit(false);
            relay.reset();
            callAndTwoStatements(cs, s, "", A + "-4");
            c.commit();
            assertEquals(raw + 1, relay.roundTrips(), "the first call on the connection: pgjdbc looks up type void once");
            relay.reset();
            callAndTwoStatements(cs, s, "", A + "-4");
            c.commit();
            assertEquals(raw, relay.roundTrips(), "SET LOCAL prefixed to the call: what raw pgjdbc costs");
            relay.reset();
            threeStatements(s, "");
            callAndTwoStatements(cs, s, "", A + "-4");
            c.commit();
            assertEquals(raw + 3, relay.roundTrips(), "the call later in a transaction: nothing added");
        }
    }

    private static void callAndTwoStatements(CallableStatement cs, Statement s, String qualifier, String expected)
            throws SQLException {
        cs.registerOutParameter(1, Types.VARCHAR);
        cs.setInt(2, 4);
        cs.execute();
        assertEquals(expected, cs.getString(1));
        assertEquals(A + "-1", one(s, "SELECT name FROM " + qualifier + "pin_items WHERE id = 1"));
        assertEquals(1, s.executeUpdate("UPDATE " + qualifier + "pin_items SET name = name WHERE id = 2"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void unpinnedCallableAddsNothing(Target t) throws Exception {
        for (int pass = 0; pass < 2; pass++) {
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = pass == 0 ? PinFixture.pgjdbc(t, relay) : PinFixture.citus(t, relay);
                 CallableStatement cs = c.prepareCall("{? = call pin_b.cs_name(?)}")) {
                cs.registerOutParameter(1, Types.VARCHAR);
                for (int i = 1; i <= 3; i++) {
                    cs.setInt(2, i);
                    relay.reset();
                    cs.execute();
                    assertEquals("WRONG", cs.getString(1), "unpinned: the default search_path");
                    assertEquals(1, relay.roundTrips(), (pass == 0 ? "pgjdbc" : "citus") + " call " + i);
                }
            }
        }
    }

    private static void threeStatements(Statement s, String qualifier) throws SQLException {
        assertEquals(A + "-1", one(s, "SELECT name FROM " + qualifier + "pin_items WHERE id = 1"));
        assertEquals(1, s.executeUpdate("UPDATE " + qualifier + "pin_items SET name = name WHERE id = 2"));
        assertEquals(A + "-3", one(s, "SELECT name FROM " + qualifier + "pin_items WHERE id = 3"));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void unpinnedConnectionAddsNothing(Target t) throws Exception {
        long[] raw = new long[2];
        long[] ours = new long[2];
        for (int pass = 0; pass < 2; pass++) {
            try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
                 Connection c = pass == 0 ? PinFixture.pgjdbc(t, relay) : PinFixture.citus(t, relay);
                 Statement s = c.createStatement();
                 PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_a.pin_items WHERE id = ?")) {
                assertEquals(A + "-1", one(s, "SELECT name FROM pin_a.pin_items WHERE id = 1"));
                ps.setInt(1, 2);
                assertEquals(List.of(A + "-2"), rows(ps.executeQuery()));
                c.setAutoCommit(false);
                threeStatements(s, "pin_a.");
                c.commit();
                long[] into = pass == 0 ? raw : ours;
                into[0] = relay.roundTrips();
                into[1] = relay.clientMessages('Q') + relay.clientMessages('P');
            }
        }
        assertEquals(raw[0], ours[0], "round trips");
        assertEquals(raw[1], ours[1], "queries and parses");
    }

    @Test
    void hostileTenantNamesAreRejectedBeforeAnythingIsSent() throws Exception {
        Target t = targets().get(0);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay); Statement s = c.createStatement()) {
            for (String bad : List.of("", "a\"b", "a,b", "a b", "a;DROP TABLE x", "a\\b", "x\u0000", "1abc", "$x",
                    "t'--", "a.b", "x".repeat(64), "tab\t", "é\u0301")) {
                relay.reset();
                SQLException e = assertThrows(SQLException.class, () -> c.setSchema(bad), bad);
                assertEquals("42602", e.getSQLState(), bad);
                e = assertThrows(SQLException.class, () -> CitusTenants.bind(bad), bad);
                assertEquals("42602", e.getSQLState(), bad);
                assertEquals(0, relay.roundTrips() + relay.syncs() + relay.queries(), "nothing sent for " + bad);
            }
            relay.reset();
            assertEquals("WRONG", one(s, "SELECT name FROM pin_items WHERE id = 1"), "still unpinned");
        }
        // A hostile answer of a configured resolver fails the statement before it is sent.
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "tenantResolver=" + FixedTenantResolver.class.getName());
             Statement s = c.createStatement()) {
            FixedTenantResolver.answer = "x\"; DROP SCHEMA pin_a CASCADE; --";
            relay.reset();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT 1"));
            assertEquals("42602", e.getSQLState());
            assertEquals(0, relay.roundTrips() + relay.queries() + relay.syncs());
            FixedTenantResolver.answer = B;
            assertEquals(B + "-1", one(s, "SELECT name FROM pin_items WHERE id = 1"), "the resolver's tenant");
        } finally {
            FixedTenantResolver.answer = null;
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void getSchemaAnswersLocallyWhilePinned(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay)) {
            c.setSchema(B);
            relay.reset();
            assertEquals(B, c.getSchema());
            try (CitusTenants.Scope scope = CitusTenants.bind(A)) {
                assertEquals(A, c.getSchema(), "a bound scope wins over setSchema");
            }
            assertEquals(B, c.getSchema());
            assertEquals(0, relay.roundTrips());
            c.setSchema(null);
            assertEquals("public", c.getSchema(), "unpinned: pgjdbc's answer");
        }
    }
}
