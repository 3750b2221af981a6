package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.tenant.PinFixture.Target;
import java.sql.Array;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CallableStatement with a tenant pinned (autocommit: the call inside the driver's envelope, OUT
 * values taken by the driver; explicit transactions: pgjdbc's own callable), with raw pgjdbc as the
 * oracle: the same script runs on raw pgjdbc (directly, the tenant as its session search_path) and
 * on citus-jdbc (pinned, directly and through PgBouncer in transaction mode), and every value,
 * result, exception class, SQLState and message must be the same.
 */
class PinnedCallableSemanticsTest {

    @BeforeAll
    static void functions() throws SQLException {
        PinFixture.createFunctions();
    }

    /** Transaction pinning directly and through PgBouncer 1.18, and the default ({@code auto}) on each path. */
    static List<Target> targets() {
        List<Target> all = new ArrayList<>(PinFixture.targets());
        all.addAll(PinFixture.autoTargets());
        return all;
    }

    /**
     * The message compared: exact on the pgjdbc the driver is built with; on the oldest supported one
     * (the build's pgjdbc-oldest run) the driver keeps 42.7.14's messages, so only class and SQLState.
     */
    static String message(SQLException e) {
        return System.getProperty("citus.expectPgjdbc") == null ? e.getMessage() : "(message not compared)";
    }

    /** Records what each operation returned or threw. */
    static final class Transcript {
        final List<String> lines = new ArrayList<>();

        void add(String label, Op op) {
            String line;
            try {
                line = label + " = " + show(op.run());
            } catch (SQLException e) {
                line = label + " ! " + e.getClass().getSimpleName() + " " + e.getSQLState() + " " + message(e);
            } catch (Exception e) {
                line = label + " ! " + e.getClass().getSimpleName() + " " + e.getMessage();
            }
            lines.add(line);
        }

        private static String show(Object o) throws SQLException {
            if (o instanceof byte[] b) {
                return Arrays.toString(b);
            }
            if (o instanceof Array a) {
                return "Array" + Arrays.deepToString((Object[]) a.getArray());
            }
            if (o instanceof ResultSet rs) {
                return "rows" + PinFixture.rows(rs);
            }
            return o == null ? "null" : o.getClass().getSimpleName() + ":" + o;
        }
    }

    interface Op {
        Object run() throws Exception;
    }

    interface Script {
        void run(Connection c, Transcript t, TenantSwitch toB) throws Exception;
    }

    interface TenantSwitch {
        void run() throws SQLException;
    }

    /**
     * Runs {@code script} on raw pgjdbc (tenant A as session search_path, directly) and on
     * citus-jdbc pinned to A over {@code target}, and asserts identical transcripts.
     *
     * @return the transcript
     */
    private static List<String> sameAsPgjdbc(Target target, Script script, String... props) throws Exception {
        Transcript raw = new Transcript();
        Target direct = PinFixture.targets().get(0);
        String[] rawProps = Arrays.copyOf(props, props.length + 1);
        rawProps[props.length] = "options=-c search_path=" + A;
        try (Connection c = PinFixture.pgjdbc(direct, null, rawProps)) {
            script.run(c, raw, () -> {
                try (Statement s = c.createStatement()) {
                    s.execute("SET search_path TO " + B);
                }
            });
        }
        Transcript ours = new Transcript();
        try (Connection c = PinFixture.citus(target, null, props)) {
            c.setSchema(A);
            script.run(c, ours, () -> c.setSchema(B));
            assertTrue(c.getAutoCommit());
        }
        // The server numbers unnamed portals per backend: through a pooler the backend has served others.
        assertEquals(portals(String.join("\n", raw.lines)), portals(String.join("\n", ours.lines)));
        return ours.lines;
    }

    private static String portals(String transcript) {
        return transcript.replaceAll("<unnamed portal \\d+>", "<unnamed portal>");
    }

    @ParameterizedTest
    @MethodSource("targets")
    void returnValueThroughTheEnvelopeFollowsTheTenant(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{? = call cs_name(?)}")) {
                t.add("get before execute", () -> cs.getString(1));
                t.add("wasNull before execute", cs::wasNull);
                cs.registerOutParameter(1, Types.VARCHAR);
                cs.setInt(2, 1);
                t.add("execute", cs::execute);
                t.add("wasNull before get", cs::wasNull);
                t.add("getString", () -> cs.getString(1));
                t.add("wasNull", cs::wasNull);
                t.add("getResultSet", cs::getResultSet);
                t.add("getUpdateCount", cs::getUpdateCount);
                t.add("getMoreResults", cs::getMoreResults);
                cs.setInt(2, 2);
                t.add("execute 2", cs::execute);
                t.add("getString 2", () -> cs.getString(1));
                t.add("getObject", () -> cs.getObject(1));
                t.add("getObject(Class String)", () -> cs.getObject(1, String.class));
                t.add("getObject(Class ResultSet)", () -> cs.getObject(1, ResultSet.class));
                t.add("getObject(empty map)", () -> cs.getObject(1, Map.of()));
                t.add("getObject(map)", () -> cs.getObject(1, Map.of("text", String.class)));
                t.add("getInt (wrong getter)", () -> cs.getInt(1));
                t.add("getTimestamp (wrong getter)", () -> cs.getTimestamp(1));
                t.add("getBytes (wrong getter)", () -> cs.getBytes(1));
                t.add("getObject(0)", () -> cs.getObject(0));
                t.add("getObject(2) (an IN parameter)", () -> cs.getObject(2));
                t.add("getObject(3)", () -> cs.getObject(3));
                t.add("getObject(4)", () -> cs.getObject(4));
                t.add("getString(name)", () -> cs.getString("x"));
                t.add("getBlob", () -> cs.getBlob(1));
                t.add("getNString", () -> cs.getNString(1));
                t.add("registerOutParameter(SQLType)", () -> {
                    cs.registerOutParameter(1, java.sql.JDBCType.VARCHAR);
                    return null;
                });
                cs.setInt(2, 99);
                t.add("execute no row", cs::execute);
                t.add("getString null", () -> cs.getString(1));
                t.add("wasNull null", cs::wasNull);
                toB.run();
                cs.setInt(2, 3);
                t.add("execute in B", cs::execute);
                t.add("getString in B", () -> cs.getString(1));
                t.add("executeUpdate", cs::executeUpdate);
                t.add("getString after executeUpdate", () -> cs.getString(1));
                t.add("executeQuery", cs::executeQuery);
                t.add("executeLargeUpdate", cs::executeLargeUpdate);
                cs.setInt(2, 4);
                t.add("execute after errors", cs::execute);
                t.add("getString after errors", () -> cs.getString(1));
            }
        });
        assertTrue(lines.contains("getString = String:pin_a-1"), lines::toString);
        assertTrue(lines.contains("getString in B = String:pin_b-3"), lines::toString);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void outParametersOfManyTypesAndWrongRegistrations(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            String call = "{call cs_types(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)}";
            int[] types = {Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.VARCHAR, Types.BOOLEAN, Types.TIMESTAMP,
                Types.TIMESTAMP, Types.BINARY, Types.REAL, Types.DOUBLE, Types.ARRAY};
            try (CallableStatement cs = c.prepareCall(call)) {
                setTypes(c, cs, 1);
                for (int i = 0; i < types.length; i++) {
                    cs.registerOutParameter(12 + i, types[i]);
                }
                t.add("execute", cs::execute);
                t.add("getInt", () -> cs.getInt(12));
                t.add("getLong", () -> cs.getLong(13));
                t.add("getBigDecimal", () -> cs.getBigDecimal(14));
                t.add("getBigDecimal(scale)", () -> cs.getBigDecimal(14, 1));
                t.add("getString", () -> cs.getString(15));
                t.add("getBoolean", () -> cs.getBoolean(16));
                t.add("getTimestamp", () -> cs.getTimestamp(17));
                t.add("getTimestamp tz", () -> cs.getTimestamp(18));
                t.add("getTimestamp(Calendar)", () -> cs.getTimestamp(17, Calendar.getInstance(TimeZone.getTimeZone("UTC"))));
                t.add("getDate (wrong getter)", () -> cs.getDate(17));
                t.add("getBytes", () -> cs.getBytes(19));
                t.add("getFloat", () -> cs.getFloat(20));
                t.add("getDouble", () -> cs.getDouble(21));
                t.add("getArray", () -> cs.getArray(22));
                t.add("getShort (wrong getter)", () -> cs.getShort(12));
                t.add("getByte (wrong getter)", () -> cs.getByte(12));
                t.add("getString (wrong getter)", () -> cs.getString(12));
                t.add("getLong (wrong getter)", () -> cs.getLong(12));
                t.add("getDouble (wrong getter)", () -> cs.getDouble(20));
                t.add("getArray (wrong getter)", () -> cs.getArray(21));
                t.add("getSQLXML (wrong getter)", () -> cs.getSQLXML(15));
                for (int i = 12; i <= 22; i++) {
                    int index = i;
                    t.add("getObject " + i, () -> cs.getObject(index));
                }
                // DOUBLE read into a REAL registration is allowed (and converted), as in pgjdbc.
                cs.registerOutParameter(21, Types.REAL);
                setTypes(c, cs, 2);
                t.add("execute REAL for float8", cs::execute);
                t.add("getFloat of float8", () -> cs.getFloat(21));
                t.add("getObject of float8", () -> cs.getObject(21));
                // Nulls in, nulls out.
                for (int i = 1; i <= 11; i++) {
                    cs.setNull(i, Types.OTHER);
                }
                cs.setNull(1, Types.INTEGER);
                t.add("execute nulls", cs::execute);
                t.add("getInt null", () -> cs.getInt(12));
                t.add("wasNull", cs::wasNull);
                t.add("getBoolean null", () -> cs.getBoolean(16));
                t.add("getFloat null", () -> cs.getFloat(21));
                t.add("getBytes null", () -> cs.getBytes(19));
                t.add("getTimestamp(Calendar) null", () -> cs.getTimestamp(17, Calendar.getInstance()));
                t.add("wasNull 2", cs::wasNull);
                // A wrong registration fails after the call ran (it committed, as in pgjdbc).
                setTypes(c, cs, 3);
                cs.registerOutParameter(18, Types.TIMESTAMP_WITH_TIMEZONE);
                t.add("execute TIMESTAMP_WITH_TIMEZONE for timestamptz", cs::execute);
                cs.registerOutParameter(18, Types.TIMESTAMP);
                cs.registerOutParameter(12, Types.VARCHAR);
                t.add("execute VARCHAR for int", cs::execute);
                t.add("getString after failed execute", () -> cs.getString(15));
                t.add("getResultSet after failed execute", () -> cs.getResultSet() != null);
            }
            // Too few OUT registrations for the columns returned.
            try (CallableStatement cs = c.prepareCall("{call cs_inout(?, ?, ?)}")) {
                cs.setInt(1, 5);
                cs.registerOutParameter(1, Types.INTEGER);
                cs.setString(2, "s");
                cs.setInt(3, 2);
                t.add("execute invalid count", cs::execute);
            }
            toB.run();
            try (CallableStatement cs = c.prepareCall(call)) {
                setTypes(c, cs, 4);
                for (int i = 0; i < types.length; i++) {
                    cs.registerOutParameter(12 + i, types[i]);
                }
                t.add("execute in B", cs::execute);
                t.add("getString in B", () -> cs.getString(15));
            }
        });
        assertTrue(lines.contains("getString = String:t1@pin_a-1"), lines::toString);
        assertTrue(lines.contains("getString in B = String:t4@pin_b-1"), lines::toString);
    }

    private static void setTypes(Connection c, CallableStatement cs, int k) throws SQLException {
        cs.setInt(1, k);
        cs.setLong(2, 10_000_000_000L + k);
        cs.setBigDecimal(3, new java.math.BigDecimal("12.3" + k));
        cs.setString(4, "t" + k);
        cs.setBoolean(5, k % 2 == 0);
        cs.setTimestamp(6, Timestamp.valueOf("2024-02-0" + k + " 10:11:12.5"));
        cs.setObject(7, java.time.OffsetDateTime.parse("2024-03-0" + k + "T10:00:00Z"));
        cs.setBytes(8, new byte[] {1, 2, (byte) k});
        cs.setFloat(9, 1.5f + k);
        cs.setDouble(10, 3.25 + k);
        cs.setArray(11, c.createArrayOf("int4", new Integer[] {k, null, 3}));
    }

    @ParameterizedTest
    @MethodSource("targets")
    void inoutParametersReExecutionAndClearParameters(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{call cs_inout(?, ?, ?)}")) {
                cs.setInt(1, 5);
                cs.registerOutParameter(1, Types.INTEGER);
                cs.registerOutParameter(2, Types.VARCHAR);
                cs.setString(2, "s");
                cs.setInt(3, 2);
                t.add("execute", cs::execute);
                t.add("getInt", () -> cs.getInt(1));
                t.add("getString", () -> cs.getString(2));
                t.add("getObject IN", () -> cs.getObject(3));
                cs.setInt(1, 40);
                cs.setInt(3, 3);
                t.add("execute 2", cs::execute);
                t.add("getInt 2", () -> cs.getInt(1));
                t.add("getString 2", () -> cs.getString(2));
                cs.clearParameters();
                t.add("execute after clearParameters", cs::execute);
                t.add("getInt after failed execute", () -> cs.getInt(1));
                cs.setInt(1, 1);
                cs.setString(2, "x");
                cs.setInt(3, 4);
                t.add("execute without OUT directions", cs::execute);
                cs.registerOutParameter(1, Types.INTEGER);
                cs.registerOutParameter(2, Types.VARCHAR);
                toB.run();
                t.add("execute re-registered in B", cs::execute);
                t.add("getInt 3", () -> cs.getInt(1));
                t.add("getString 3", () -> cs.getString(2));
            }
        });
        assertTrue(lines.contains("getString = String:s2pin_a-2"), lines::toString);
        assertTrue(lines.contains("getString 3 = String:x4pin_b-4"), lines::toString);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void anErrorInsideTheFunctionLeavesAPinnedCleanConnection(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{? = call cs_fail(?)}");
                 CallableStatement name = c.prepareCall("{? = call cs_name(?)}");
                 Statement s = c.createStatement()) {
                s.execute("DELETE FROM cs_log");
                cs.registerOutParameter(1, Types.INTEGER);
                cs.setInt(2, 7);
                t.add("execute", cs::execute);
                t.add("getInt", () -> cs.getInt(1));
                cs.setInt(2, -1);
                t.add("execute failing", cs::execute);
                t.add("getInt after failure", () -> cs.getInt(1));
                t.add("autocommit", c::getAutoCommit);
                name.registerOutParameter(1, Types.VARCHAR);
                name.setInt(2, 5);
                t.add("next call", name::execute);
                t.add("next call is pinned", () -> name.getString(1));
                t.add("log", () -> PinFixture.one(s, "SELECT string_agg(v, ',' ORDER BY v) FROM cs_log"));
                cs.setInt(2, 8);
                t.add("execute again", cs::execute);
                t.add("getInt again", () -> cs.getInt(1));
                toB.run();
                t.add("next call in B", name::execute);
                t.add("next call in B is pinned", () -> name.getString(1));
            }
        });
        assertTrue(lines.contains("next call is pinned = String:pin_a-5"), lines::toString);
        assertTrue(lines.contains("log = String:call 7"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("execute failing ! PSQLException 22023 "
                        + message(new SQLException("ERROR: negative -1")))),
                lines::toString);
    }

    /** In an explicit transaction the pin is prefixed to a call that is the transaction's first statement. */
    @ParameterizedTest
    @MethodSource("targets")
    void callsInExplicitTransactionsFirstOrLaterErrorAndRollback(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement name = c.prepareCall("{? = call cs_name(?)}");
                 CallableStatement fail = c.prepareCall("{? = call cs_fail(?)}");
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                name.registerOutParameter(1, Types.VARCHAR);
                name.setInt(2, 3);
                t.add("first statement: call", name::execute);
                t.add("getString", () -> name.getString(1));
                t.add("getResultSet", name::getResultSet);
                t.add("getUpdateCount", name::getUpdateCount);
                t.add("then a query", () -> PinFixture.one(s, "SELECT name FROM pin_items WHERE id = 2"));
                name.setInt(2, 4);
                t.add("call later in the transaction", name::execute);
                t.add("getString later", () -> name.getString(1));
                t.add("commit", () -> {
                    c.commit();
                    return "done";
                });
                fail.registerOutParameter(1, Types.INTEGER);
                fail.setInt(2, -1);
                t.add("failing call first", fail::execute);
                t.add("then a query (aborted)", () -> PinFixture.one(s, "SELECT 1"));
                t.add("rollback", () -> {
                    c.rollback();
                    return "done";
                });
                fail.setInt(2, 5);
                t.add("call after rollback", fail::execute);
                t.add("getInt", () -> fail.getInt(1));
                c.commit();
                toB.run();
                name.setInt(2, 1);
                t.add("next transaction in B: call", name::execute);
                t.add("getString in B", () -> name.getString(1));
                c.commit();
                c.setAutoCommit(true);
            }
        });
        assertTrue(lines.contains("getString = String:pin_a-3"), lines::toString);
        assertTrue(lines.contains("getString later = String:pin_a-4"), lines::toString);
        assertTrue(lines.contains("getString in B = String:pin_b-1"), lines::toString);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("then a query (aborted) ! PSQLException 25P02")),
                lines::toString);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void callsWithoutOutParametersShowTheirRows(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{call cs_rows(?)}")) {
                cs.setInt(1, 3);
                t.add("execute", cs::execute);
                t.add("getResultSet", cs::getResultSet);
                t.add("getMoreResults", cs::getMoreResults);
                t.add("getUpdateCount", cs::getUpdateCount);
                t.add("getString", () -> cs.getString(1));
                t.add("executeQuery", cs::executeQuery);
                t.add("executeUpdate", cs::executeUpdate);
                t.add("getResultSet after executeUpdate", cs::getResultSet);
                t.add("executeLargeUpdate", cs::executeLargeUpdate);
                t.add("registerOutParameter beyond", () -> {
                    cs.registerOutParameter(2, Types.VARCHAR);
                    return null;
                });
                toB.run();
                t.add("executeQuery in B", cs::executeQuery);
            }
            // A callable that is no escape at all.
            try (CallableStatement cs = c.prepareCall("SELECT cs_name(?) AS n")) {
                cs.setInt(1, 2);
                t.add("plain select", cs::executeQuery);
                t.add("registerOutParameter", () -> {
                    cs.registerOutParameter(1, Types.VARCHAR);
                    return null;
                });
            }
        });
        assertTrue(lines.contains("getResultSet = rows[pin_a-1, pin_a-2, pin_a-3]"), lines::toString);
        assertTrue(lines.contains("executeQuery in B = rows[pin_b-1, pin_b-2, pin_b-3]"), lines::toString);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void refcursorInATransaction(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{? = call cs_cursor(?)}")) {
                cs.registerOutParameter(1, Types.OTHER);
                cs.setInt(2, 2);
                t.add("autocommit execute", cs::execute);
                c.setAutoCommit(false);
                t.add("execute", cs::execute);
                t.add("getObject", () -> cs.getObject(1));
                cs.registerOutParameter(1, Types.REF_CURSOR);
                cs.setInt(2, 3);
                t.add("execute REF_CURSOR", cs::execute);
                t.add("getObject(ResultSet)", () -> cs.getObject(1, ResultSet.class));
                c.commit();
                c.setAutoCommit(true);
            }
        });
        assertTrue(lines.contains("getObject = rows[pin_a-1, pin_a-2]"), lines::toString);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void proceduresThroughTheEscapeInCallIfNoReturnMode(Target target) throws Exception {
        List<String> lines = sameAsPgjdbc(target, (c, t, toB) -> {
            try (CallableStatement cs = c.prepareCall("{call cs_proc(?, ?, ?)}")) {
                cs.setInt(1, 2);
                cs.setInt(2, 1);
                cs.registerOutParameter(2, Types.INTEGER);
                cs.setString(3, "p:");
                cs.registerOutParameter(3, Types.VARCHAR);
                t.add("execute", cs::execute);
                t.add("getInt", () -> cs.getInt(2));
                t.add("getString", () -> cs.getString(3));
                t.add("getResultSet", cs::getResultSet);
                toB.run();
                cs.setInt(1, 3);
                t.add("execute in B", cs::execute);
                t.add("getString in B", () -> cs.getString(3));
            }
            try (CallableStatement cs = c.prepareCall("{call cs_proc_out(?, ?)}")) {
                cs.setInt(1, 4);
                cs.registerOutParameter(2, Types.VARCHAR);
                t.add("execute OUT", cs::execute);
                t.add("getString OUT", () -> cs.getString(2));
            }
            try (CallableStatement cs = c.prepareCall("{? = call cs_name(?)}")) {
                cs.registerOutParameter(1, Types.VARCHAR);
                cs.setInt(2, 5);
                t.add("function", cs::execute);
                t.add("function value", () -> cs.getString(1));
            }
        }, "escapeSyntaxCallMode=callIfNoReturn");
        assertTrue(lines.contains("getString = String:p:pin_a-2"), lines::toString);
        assertTrue(lines.contains("getString OUT = String:pin_b-4"), lines::toString);
        assertTrue(lines.contains("function value = String:pin_b-5"), lines::toString);
    }
}
