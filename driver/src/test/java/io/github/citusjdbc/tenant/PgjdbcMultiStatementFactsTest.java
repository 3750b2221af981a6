package io.github.citusjdbc.tenant;

import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Living record of how plain pgjdbc 42.7.14 behaves when a tenant pin travels in the same
 * string as the user's SQL; the pinning implementation relies on every assertion here (summary
 * in the {@code tenant} package Javadoc). A table {@code items} exists in the tenant schema and,
 * with other rows ("WRONG"), in {@code public}: an unpinned statement returns WRONG instead of failing.
 */
class PgjdbcMultiStatementFactsTest {
    private static final String TENANT = "t_spike";
    private static final String PIN = "SET LOCAL search_path TO \"" + TENANT + "\"";
    private static final String SELECT_1 = "SELECT name FROM items WHERE id = 1";

    record Target(String name, String jdbcUrl) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Target> targets() {
        LocalCluster c = LocalCluster.shared();
        return List.of(new Target("direct", c.jdbcUrl(c.coordinator())), new Target("pgbouncer", c.bouncerJdbcUrl(c.coordinator())));
    }

    @BeforeAll
    static void createTenant() throws SQLException {
        LocalCluster c = LocalCluster.shared();
        String app = c.user();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            for (String schema : List.of(TENANT, "t_spike2")) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                s.execute("CREATE SCHEMA " + schema);
                s.execute("CREATE TABLE " + schema + ".items (id serial PRIMARY KEY, name text)");
                s.execute("INSERT INTO " + schema + ".items (name) VALUES ('" + schema + "-1'), ('" + schema + "-2')");
                s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + app);
                s.execute("GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + app);
                s.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + app);
            }
            s.execute("DROP TABLE IF EXISTS public.items");
            s.execute("CREATE TABLE public.items (id serial PRIMARY KEY, name text)");
            s.execute("INSERT INTO public.items (name) VALUES ('WRONG'), ('WRONG')");
            s.execute("GRANT ALL ON public.items TO " + app);
        }
    }

    private static Connection connect(RoundTripRelay relay, Target t, String prepareThreshold) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        Properties p = new Properties();
        p.setProperty("user", c.user());
        p.setProperty("password", c.password());
        p.setProperty("prepareThreshold", prepareThreshold);
        Connection conn = DriverManager.getConnection(relay.jdbcUrl(t.jdbcUrl()), p);
        relay.reset();
        return conn;
    }

    private static String envelope(String userSql) {
        // The newline keeps "; COMMIT" out of a trailing -- comment.
        return "BEGIN; " + PIN + "; " + userSql + "\n; COMMIT";
    }

    /** Every result of the last execution, in order: "count:N" or "rows[...]" (first column). */
    private static List<String> results(Statement s, boolean firstIsResultSet) throws SQLException {
        List<String> out = new ArrayList<>();
        boolean isRs = firstIsResultSet;
        while (true) {
            if (isRs) {
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = s.getResultSet()) {
                    while (rs.next()) {
                        rows.add(rs.getString(1));
                    }
                }
                out.add("rows" + rows);
            } else {
                int count = s.getUpdateCount();
                if (count == -1) {
                    return out;
                }
                out.add("count:" + count);
            }
            isRs = s.getMoreResults();
        }
    }

    private static TransactionState txState(Connection c) throws SQLException {
        return c.unwrap(BaseConnection.class).getTransactionState();
    }

    @ParameterizedTest
    @MethodSource("targets")
    void statementEnvelopeIsOneRoundTripWithoutWarningAndNavigable(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            boolean first = s.execute(envelope(SELECT_1));
            assertFalse(first, "the first result is BEGIN's");
            // BEGIN and SET report update count 0 (not -1, no result set); COMMIT likewise.
            assertEquals(List.of("count:0", "count:0", "rows[t_spike-1]", "count:0"), results(s, first));
            assertEquals(1, relay.roundTrips());
            assertEquals(1, relay.syncs());
            assertEquals(0, relay.serverMessages('N'), "no NoticeResponse");
            assertNull(s.getWarnings());
            assertEquals('I', relay.lastTransactionStatus());
            assertEquals(TransactionState.IDLE, txState(c));

            relay.reset();
            first = s.execute(envelope("UPDATE items SET name = name WHERE id <= 2"));
            assertEquals(List.of("count:0", "count:0", "count:2", "count:0"), results(s, first));
            assertEquals(1, relay.roundTrips());
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void preparedEnvelopeWithUserParametersIsOneRoundTrip(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0");
             PreparedStatement ps = c.prepareStatement(envelope("SELECT name FROM items WHERE id = ?"))) {
            for (int id = 1; id <= 2; id++) {
                relay.reset();
                ps.setInt(1, id);
                boolean first = ps.execute();
                assertEquals(List.of("count:0", "count:0", "rows[t_spike-" + id + "]", "count:0"), results(ps, first));
                assertEquals(1, relay.roundTrips());
                assertEquals(1, relay.syncs());
                assertNull(ps.getWarnings());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void commentOnlyPieceYieldsAnExtraUpdateCount(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            boolean first = s.execute(envelope("SELECT 1; -- trailing comment"));
            // pgjdbc sends the comment as its own query; the EmptyQueryResponse surfaces as count 0.
            assertEquals(List.of("count:0", "count:0", "rows[1]", "count:0", "count:0"), results(s, first));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void executeQueryAndExecuteUpdateMisreadTheEnvelope(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            assertEquals("02000", assertThrows(SQLException.class, () -> s.executeQuery(envelope(SELECT_1))).getSQLState(),
                    "executeQuery: 'No results were returned by the query.'");
            assertEquals("0100E", assertThrows(SQLException.class, () -> s.executeUpdate(envelope(SELECT_1))).getSQLState(),
                    "executeUpdate of a SELECT: 'A result was returned when none was expected.'");
            assertEquals(0, s.executeUpdate(envelope("UPDATE items SET name = name WHERE id <= 2")),
                    "executeUpdate returns BEGIN's count, not the UPDATE's 2");
            assertEquals(TransactionState.IDLE, txState(c));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void userErrorLeavesAFailedTransactionThatNeedsRollback(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> s.execute(envelope("SELECT 1/0")));
            assertEquals("22012", e.getSQLState());
            assertEquals(1, relay.roundTrips());
            assertEquals('E', relay.lastTransactionStatus());
            assertEquals(TransactionState.FAILED, txState(c));
            assertEquals(true, c.getAutoCommit(), "pgjdbc still believes it is in autocommit");
            assertEquals("25P02", assertThrows(SQLException.class, () -> s.execute("SELECT 1")).getSQLState());
            relay.reset();
            s.execute("ROLLBACK");
            assertEquals(1, relay.roundTrips(), "the error path costs one ROLLBACK round trip");
            assertEquals(TransactionState.IDLE, txState(c));
            assertNull(s.getWarnings());
            try (ResultSet rs = s.executeQuery("SELECT name FROM items WHERE id = 1")) {
                rs.next();
                assertEquals("WRONG", rs.getString(1), "after the rollback nothing is pinned any more");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void barePrefixWarnsOnEveryExecution(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            boolean first = s.execute(PIN + "; " + SELECT_1);
            assertEquals(List.of("count:0", "rows[t_spike-1]"), results(s, first));
            assertEquals(1, relay.roundTrips());
            assertEquals(1, relay.serverMessages('N'));
            assertNotNull(s.getWarnings());
            assertEquals("25P01", s.getWarnings().getSQLState(), "SET LOCAL can only be used in transaction blocks");
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void explicitTransactionPrefixCostsNoExtraRoundTrip(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute(SELECT_1);
            s.execute("SELECT name FROM items WHERE id = 2");
            c.commit();
            long raw = relay.roundTrips();
            assertEquals(3, raw);

            relay.reset();
            boolean first = s.execute(PIN + "; " + SELECT_1);
            assertEquals(List.of("count:0", "rows[t_spike-1]"), results(s, first));
            first = s.execute("SELECT name FROM items WHERE id = 2");
            assertEquals(List.of("rows[t_spike-2]"), results(s, first), "the pin holds for the whole transaction");
            c.commit();
            assertEquals(raw, relay.roundTrips());
            assertNull(s.getWarnings(), "inside pgjdbc's BEGIN, SET LOCAL does not warn");
            first = s.execute(SELECT_1);
            assertEquals(List.of("rows[WRONG]"), results(s, first), "COMMIT ended the pin");
            c.rollback();
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void generatedKeysAreNotReturnedThroughTheEnvelope(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0"); Statement s = c.createStatement()) {
            boolean first = s.execute(envelope("INSERT INTO items (name) VALUES ('k')"), Statement.RETURN_GENERATED_KEYS);
            assertEquals(List.of("count:0", "count:0", "count:1", "count:0"), results(s, first), "no RETURNING was added");
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertFalse(keys.next());
                assertEquals(0, keys.getMetaData().getColumnCount());
            }
            try (PreparedStatement ps = c.prepareStatement(envelope("INSERT INTO items (name) VALUES (?)"), Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "k2");
                first = ps.execute();
                assertEquals(List.of("count:0", "count:0", "count:1", "count:0"), results(ps, first));
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertFalse(keys.next());
                }
            }
            // An explicit RETURNING in the user part is an ordinary result set the wrapper can expose as the keys.
            first = s.execute(envelope("INSERT INTO items (name) VALUES ('k3') RETURNING id"));
            List<String> r = results(s, first);
            assertEquals(4, r.size());
            assertEquals(true, r.get(2).startsWith("rows["), r.toString());
        }
    }

    /** pgjdbc's Sync split (docs/facts.md): pgjdbc describes first when parameter types are unknown to a server-prepared statement, or after getMetaData(). */
    @Test
    void envelopeStaysPinnedWhenPgjdbcSplitsThePipelineButCostsTwoMoreRoundTrips() throws Exception {
        Target direct = targets().get(0);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(direct.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, direct, "5");
             PreparedStatement env = c.prepareStatement(envelope("SELECT name FROM items WHERE id = ?"));
             PreparedStatement bare = c.prepareStatement(PIN + "; SELECT name FROM items WHERE id = ?");
             PreparedStatement raw = c.prepareStatement("SELECT name FROM t_spike.items WHERE id = ?")) {
            for (int i = 1; i <= 7; i++) {
                boolean split = i >= 6; // from the 6th execution on: server-prepared, types unknown
                env.setObject(1, "1", Types.OTHER);
                relay.reset();
                boolean first = env.execute();
                assertEquals(List.of("count:0", "count:0", "rows[t_spike-1]", "count:0"), results(env, first), "execution " + i);
                assertEquals(split ? 3 : 1, relay.syncs(), "execution " + i);
                assertEquals(split ? 3 : 1, relay.roundTrips(), "execution " + i);

                bare.setObject(1, "1", Types.OTHER);
                relay.reset();
                first = bare.execute();
                assertEquals(List.of("count:0", split ? "rows[WRONG]" : "rows[t_spike-1]"), results(bare, first),
                        "a bare prefix commits before the user statement when split: execution " + i);
                assertEquals(split ? 2 : 1, relay.roundTrips());
                bare.clearWarnings();

                raw.setObject(1, "1", Types.OTHER);
                relay.reset();
                first = raw.execute();
                assertEquals(List.of("rows[t_spike-1]"), results(raw, first));
                assertEquals(1, relay.roundTrips(), "raw pgjdbc needs no describe round trip for a single statement");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void getMetaDataBeforeExecuteSplitsTheNextExecution(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, t, "0");
             PreparedStatement env = c.prepareStatement(envelope("SELECT name FROM items WHERE id = ?"))) {
            env.setInt(1, 2);
            env.getMetaData();
            relay.reset();
            boolean first = env.execute();
            assertEquals(List.of("count:0", "count:0", "rows[t_spike-2]", "count:0"), results(env, first));
            assertEquals(3, relay.syncs(), "split at every statement");
            assertEquals(3, relay.roundTrips());
            assertEquals('I', relay.lastTransactionStatus());
            relay.reset();
            env.execute();
            results(env, false);
            assertEquals(1, relay.roundTrips(), "only that execution");
        }
    }

    /**
     * pgjdbc 42.7.14 drops its server-prepared statements when {@code search_path} changes. On a server
     * that does not report it (plain PostgreSQL) it guesses from the text: a {@code SET ... search_path}
     * whose text differs from the last one it saw. On a server that reports it (Citus 12+) it ignores
     * the text and drops them on every reported change: {@code SET LOCAL} reports
     * the tenant and {@code COMMIT} the reverted value, so every pinned explicit transaction starts with
     * an empty cache. The Parse messages ride in the same pipeline: no extra round trip either way.
     */
    @Test
    void serverPreparedStatementCacheAcrossTenantSwitches() throws Exception {
        Target direct = targets().get(0);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(direct.jdbcUrl(), Duration.ZERO);
             Connection c = connect(relay, direct, "1");
             Statement s = c.createStatement();
             PreparedStatement user = c.prepareStatement("SELECT name FROM items WHERE id = ?")) {
            boolean reported = c.unwrap(PGConnection.class).getParameterStatus("search_path") != null;
            c.setAutoCommit(false);
            // Parse messages per transaction of SET LOCAL + the user statement, same tenant every time.
            List<Long> sameTenant = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                relay.reset();
                s.execute(PIN);
                user.setInt(1, 1);
                assertEquals(List.of("rows[t_spike-1]"), results(user, user.execute()));
                c.commit();
                sameTenant.add(relay.clientMessages('P'));
            }
            // The same with alternating tenants.
            List<Long> switching = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String tenant = i % 2 == 0 ? "t_spike2" : TENANT;
                relay.reset();
                s.execute("SET LOCAL search_path TO \"" + tenant + "\"");
                user.setInt(1, 1);
                assertEquals(List.of("rows[" + tenant + "-1]"), results(user, user.execute()));
                c.commit();
                switching.add(relay.clientMessages('P'));
            }
            if (reported) {
                // The reported changes (SET LOCAL, then COMMIT) invalidate everything in every transaction.
                assertEquals(List.of(3L, 3L, 3L, 3L), sameTenant);
            } else {
                // First transaction: BEGIN, SET and the user statement are parsed; later ones reuse all but one.
                assertEquals(List.of(3L, 1L, 1L, 1L), sameTenant);
            }
            // A changed SET search_path text (or reported value) makes pgjdbc forget its server-prepared statements.
            assertEquals(List.of(3L, 3L, 3L, 3L), switching);
        }
    }
}
