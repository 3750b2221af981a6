package io.github.citusjdbc.tenant;

import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Plain schemas {@code pin_a} and {@code pin_b} on the coordinator, each with {@code pin_items}
 * (rows "pin_a-1", "pin_a-2"...), and {@code public.pin_items} holding "WRONG" rows: an unpinned
 * statement returns WRONG instead of failing. Pinning works on plain PostgreSQL, so these
 * semantics tests need no Citus tenant.
 */
final class PinFixture {
    static final String A = "pin_a";
    static final String B = "pin_b";
    private static boolean created;
    private static boolean functionsCreated;
    private static Target plain;

    /** Where a test connects: the coordinator directly or through its PgBouncer. */
    record Target(String name, String pgjdbcUrl, boolean bouncer, String mode, String pooler) {
        /** The targets the tests were written for: transaction pinning, explicitly. */
        Target(String name, String pgjdbcUrl, boolean bouncer) {
            this(name, pgjdbcUrl, bouncer, "transaction", bouncer ? "pgbouncer-transaction" : null);
        }

        @Override
        public String toString() {
            return name;
        }

        String citusUrl() {
            return "jdbc:citus:" + pgjdbcUrl.substring("jdbc:postgresql:".length());
        }
    }

    private PinFixture() {
    }

    static List<Target> targets() {
        LocalCluster c = LocalCluster.shared();
        return List.of(new Target("direct", c.jdbcUrl(c.coordinator()), false),
                new Target("pgbouncer", c.bouncerJdbcUrl(c.coordinator()), true));
    }

    /**
     * @return the default configuration ({@code tenantPinning} not set: {@code auto}) directly (session
     *         pinning), through PgBouncer 1.25 tracking {@code search_path} declared as
     *         {@code pooler=pgbouncer-transaction-tracking} (session pinning, prepared statements as pgjdbc's
     *         defaults) and through PgBouncer 1.18 declared as {@code pooler=pgbouncer-transaction}
     *         (statement pinning)
     */
    static List<Target> autoTargets() {
        LocalCluster c = LocalCluster.shared();
        return List.of(new Target("direct-auto", c.jdbcUrl(c.coordinator()), false, null, null),
                new Target("pgbouncer125-auto", c.trackingBouncerJdbcUrl(c.coordinator()), false, null,
                        "pgbouncer-transaction-tracking"),
                new Target("pgbouncer-auto", c.bouncerJdbcUrl(c.coordinator()), true, null, "pgbouncer-transaction"));
    }

    /**
     * @return a plain PostgreSQL server (no Citus, so {@code search_path} is not reported), started once
     *         per JVM with the same schemas, for what the driver must do where the server does not say
     *         what its {@code search_path} is
     */
    static synchronized Target plainPostgres() throws SQLException {
        if (plain == null) {
            LocalCluster c = LocalCluster.start(LocalCluster.Options.plainPostgres());
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "pin-fixture-plain-postgres"));
            createSchemas(c);
            plain = new Target("plain-postgresql", c.jdbcUrl(c.coordinator()), false);
        }
        return plain;
    }

    static synchronized void create() throws SQLException {
        if (created) {
            return;
        }
        createSchemas(LocalCluster.shared());
        created = true;
    }

    private static void createSchemas(LocalCluster c) throws SQLException {
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            for (String schema : List.of(A, B)) {
                s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                s.execute("CREATE SCHEMA " + schema);
                s.execute("CREATE TABLE " + schema + ".pin_items (id serial PRIMARY KEY, name text)");
                s.execute("INSERT INTO " + schema + ".pin_items (name) SELECT '" + schema + "-' || g FROM generate_series(1, 5) g");
                s.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + c.user());
                s.execute("GRANT ALL ON ALL TABLES IN SCHEMA " + schema + " TO " + c.user());
                s.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + c.user());
            }
            s.execute("DROP TABLE IF EXISTS public.pin_items");
            s.execute("CREATE TABLE public.pin_items (id serial PRIMARY KEY, name text)");
            s.execute("INSERT INTO public.pin_items (name) SELECT 'WRONG' FROM generate_series(1, 5)");
            s.execute("GRANT ALL ON public.pin_items TO " + c.user());
            s.execute("GRANT ALL ON SEQUENCE public.pin_items_id_seq TO " + c.user());
        }
    }

    /**
     * Functions and procedures for CallableStatement tests in both schemas, each resolving
     * {@code pin_items} through search_path, and a {@code cs_log} table per schema.
     */
    static synchronized void createFunctions() throws SQLException {
        if (functionsCreated) {
            return;
        }
        PinFixture.create();
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            for (String schema : List.of(A, B)) {
                s.execute("SET search_path TO " + schema);
                s.execute("CREATE TABLE IF NOT EXISTS cs_log (v text)");
                s.execute("GRANT ALL ON cs_log TO " + c.user());
                // Resolves its table through search_path: pin_a-N or pin_b-N (public.pin_items says WRONG).
                s.execute("CREATE OR REPLACE FUNCTION cs_name(id int) RETURNS text LANGUAGE sql"
                        + " AS 'SELECT name FROM pin_items WHERE id = $1'");
                s.execute("CREATE OR REPLACE FUNCTION cs_types(i int, b bigint, n numeric, t text, f boolean, ts timestamp,"
                        + " tz timestamptz, by bytea, r real, d double precision, arr int[],"
                        + " OUT o_i int, OUT o_b bigint, OUT o_n numeric, OUT o_t text, OUT o_f boolean,"
                        + " OUT o_ts timestamp, OUT o_tz timestamptz, OUT o_by bytea, OUT o_r real,"
                        + " OUT o_d double precision, OUT o_arr int[]) LANGUAGE sql AS $$"
                        + " SELECT i + 1, b * 2, n * 10, t || '@' || (SELECT name FROM pin_items WHERE id = 1), NOT f,"
                        + " ts + interval '1 day', tz + interval '1 hour', by || '\\xff'::bytea, r * 2, d / 2,"
                        + " arr || 99 $$");
                s.execute("CREATE OR REPLACE FUNCTION cs_inout(INOUT x int, INOUT s text, k int) LANGUAGE sql"
                        + " AS $$ SELECT x + k, s || k || (SELECT name FROM pin_items WHERE id = k) $$");
                s.execute("CREATE OR REPLACE FUNCTION cs_fail(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
                        + " INSERT INTO cs_log VALUES ('call ' || x);"
                        + " IF x < 0 THEN RAISE EXCEPTION 'negative %', x USING ERRCODE = '22023'; END IF;"
                        + " RETURN x; END $$");
                s.execute("CREATE OR REPLACE FUNCTION cs_cursor(n int) RETURNS refcursor LANGUAGE plpgsql AS $$"
                        + " DECLARE c refcursor; BEGIN OPEN c FOR SELECT name FROM pin_items WHERE id <= n ORDER BY id;"
                        + " RETURN c; END $$");
                s.execute("CREATE OR REPLACE FUNCTION cs_rows(n int) RETURNS SETOF text LANGUAGE sql"
                        + " AS 'SELECT name FROM pin_items WHERE id <= n ORDER BY id'");
                s.execute("CREATE OR REPLACE PROCEDURE cs_proc(x int, INOUT y int, INOUT s text) LANGUAGE plpgsql AS $$ BEGIN"
                        + " y := x * 10 + coalesce(y, 0); s := coalesce(s, '') || (SELECT name FROM pin_items WHERE id = x);"
                        + " END $$");
                s.execute("CREATE OR REPLACE PROCEDURE cs_proc_out(x int, OUT s text) LANGUAGE plpgsql AS $$ BEGIN"
                        + " s := (SELECT name FROM pin_items WHERE id = x); END $$");
            }
        }
        functionsCreated = true;
    }

    /** Opens citus-jdbc (through the relay when given) with extra properties ("k=v" pairs). */
    static Connection citus(Target t, RoundTripRelay relay, String... props) throws SQLException {
        return open(t.citusUrl(), t, relay, props);
    }

    /** Opens raw pgjdbc the same way. */
    static Connection pgjdbc(Target t, RoundTripRelay relay, String... props) throws SQLException {
        return open(t.pgjdbcUrl(), t, relay, props);
    }

    private static Connection open(String url, Target t, RoundTripRelay relay, String... props) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        Properties p = new Properties();
        p.setProperty("user", c.user());
        p.setProperty("password", c.password());
        if (t.bouncer()) {
            p.setProperty("prepareThreshold", "0");
        }
        if (url.startsWith("jdbc:citus:")) {
            if (t.pooler() != null) {
                p.setProperty("pooler", t.pooler());
            }
            if (t.mode() != null) {
                p.setProperty("tenantPinning", t.mode());
            }
        }
        for (String kv : props) {
            int eq = kv.indexOf('=');
            p.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
        }
        String target = relay == null ? url : url.startsWith("jdbc:citus:")
                ? "jdbc:citus:" + relay.jdbcUrl("jdbc:postgresql:" + url.substring("jdbc:citus:".length()))
                        .substring("jdbc:postgresql:".length())
                : relay.jdbcUrl(url);
        Connection conn = DriverManager.getConnection(target, p);
        if (relay != null) {
            relay.reset();
        }
        return conn;
    }

    /** Every result of the last execution: "count:N" or "rows[...]" (first column). */
    static List<String> results(Statement s, boolean firstIsResultSet) throws SQLException {
        List<String> out = new ArrayList<>();
        boolean isRs = firstIsResultSet;
        while (true) {
            if (isRs) {
                out.add("rows" + rows(s.getResultSet()));
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

    static List<String> rows(ResultSet rs) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
