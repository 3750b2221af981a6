package io.github.citusjdbc;

import io.github.citusjdbc.sql.SqlClassifier;
import io.github.citusjdbc.sql.StatementInfo;
import io.github.citusjdbc.sql.StatementKind;
import io.github.citusjdbc.tenant.TenantName;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The life cycle of tenants (Citus distributed schemas): create, give tables, list, move, drop.
 *
 * <pre>{@code
 * CitusTenantAdmin admin = CitusTenantAdmin.of(dataSource);   // a citus-jdbc (or pgjdbc) DataSource of the coordinator
 * admin.createTenant("tenant_7");                              // CREATE SCHEMA + citus_schema_distribute
 * admin.createTables("tenant_7", "CREATE TABLE items (id bigserial PRIMARY KEY, name text);"
 *         + "CREATE INDEX ON items (name);");
 * admin.moveTenant("tenant_7", "worker-2.internal", 5432);    // citus_schema_move
 * admin.dropTenant("tenant_7");                                // DROP SCHEMA ... CASCADE
 * }</pre>
 *
 * <p><b>Where it runs.</b> Always on the coordinator, the only node that accepts DDL on
 * distributed schemas: every operation is read-write work without a tenant, which the driver sends
 * to the coordinator's primary, and on Citus each operation first checks that the server is the
 * coordinator (group 0 in {@code pg_dist_local_group}); anything else fails with SQLState
 * {@code 55000} before any change. Give it a {@link DataSource} or a {@link Connection} that reaches
 * the coordinator (directly or through its PgBouncer; every operation is one transaction, so
 * transaction pooling is fine).
 *
 * <p><b>Names.</b> A tenant name follows the tenant pinning rules ({@link TenantName}): it is
 * validated before anything is sent (SQLState {@code 42602}) and always travels quoted as an
 * identifier or as a bound value, never spliced raw.
 *
 * <p><b>Without Citus</b> (plain PostgreSQL, detected by the absence of
 * {@code citus_schema_distribute}): {@link #createTenant} and {@link #dropTenant} create and drop a
 * plain schema, {@link #createTables} works as everywhere; {@link #distributeTenant},
 * {@link #tenants} and {@link #moveTenant} fail with {@link SQLFeatureNotSupportedException}
 * (SQLState {@code 0A000}).
 *
 * <p>The SQLStates it raises are constants of {@link CitusSqlState}: {@code 55000}
 * {@link CitusSqlState#OBJECT_NOT_IN_STATE}, {@code 3F000} {@link CitusSqlState#INVALID_SCHEMA_NAME},
 * {@code 0A000} {@link CitusSqlState#FEATURE_NOT_SUPPORTED}, {@code 42602} {@link CitusSqlState#INVALID_NAME}.
 *
 * <p>Every method is one or two short transactions and leaves the connection as it found it
 * (auto-commit restored). Instances are immutable and thread-safe when built over a
 * {@code DataSource} (each call borrows its own connection); over a {@code Connection}, as thread-safe
 * as that connection (not at all, for JDBC connections).
 *
 * <p>After a tenant is created, distributed, given tables, moved or dropped through a citus-jdbc connection, the
 * driver reads the cluster's topology again before returning ({@link CitusConnection#refreshTopology}),
 * so that the next unit of work is routed to the tenant's group at once, not after the next periodic
 * refresh.
 */
public final class CitusTenantAdmin {

    private final DataSource dataSource;
    private final Connection connection;

    private CitusTenantAdmin(DataSource dataSource, Connection connection) {
        this.dataSource = dataSource;
        this.connection = connection;
    }

    /**
     * @param dataSource reaches the coordinator; each operation borrows one connection and closes it
     * @return an admin over that data source
     */
    public static CitusTenantAdmin of(DataSource dataSource) {
        return new CitusTenantAdmin(Objects.requireNonNull(dataSource, "dataSource"), null);
    }

    /**
     * @param coordinator a connection to the coordinator, used as is and never closed here; it must
     *     not be inside a transaction when an operation starts (each operation commits)
     * @return an admin over that connection
     */
    public static CitusTenantAdmin of(Connection coordinator) {
        return new CitusTenantAdmin(null, Objects.requireNonNull(coordinator, "coordinator"));
    }

    /**
     * Creates the tenant's schema and, on Citus, distributes it: {@code CREATE SCHEMA "t"} and
     * {@code SELECT citus_schema_distribute('"t"')}, in one transaction.
     *
     * @param tenant the tenant (schema) name
     * @throws SQLException {@code 42602} for an invalid name (nothing sent); {@code 42P06} when the
     *     schema exists; {@code 55000} off the coordinator; the server's error otherwise
     */
    public void createTenant(String tenant) throws SQLException {
        TenantName.validate(tenant);
        change(c -> {
            boolean citus = capabilities(c);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + TenantName.quote(tenant));
            }
            if (citus) {
                distribute(c, tenant);
            }
            return null;
        });
    }

    /**
     * Creates the tenant (as {@link #createTenant(String)}) and then its tables
     * (as {@link #createTables(String, String)}): two transactions.
     *
     * @param tenant the tenant (schema) name
     * @param ddlScript statements separated by semicolons, with unqualified names
     * @throws SQLException as the two methods
     */
    public void createTenant(String tenant, String ddlScript) throws SQLException {
        createTenant(tenant);
        createTables(tenant, ddlScript);
    }

    /**
     * Distributes an existing schema ({@code citus_schema_distribute}); a no-op with a server
     * NOTICE when it already is.
     *
     * @param tenant the schema name
     * @throws SQLFeatureNotSupportedException {@code 0A000} without Citus
     * @throws SQLException {@code 42602}, {@code 55000}, {@code 3F000} when the schema does not exist
     */
    public void distributeTenant(String tenant) throws SQLException {
        TenantName.validate(tenant);
        change(c -> {
            requireCitus(c, "citus_schema_distribute");
            distribute(c, tenant);
            return null;
        });
    }

    /**
     * Runs a DDL script in the tenant's schema, in one transaction: {@code SET LOCAL search_path}
     * to the tenant (and nothing else, so unqualified names land in the tenant), then each
     * statement. The script is split with the driver's SQL lexer (comments, quoted strings and
     * dollar-quoted bodies are respected). On Citus the new tables become part of the distributed
     * schema, placed with its other tables. Transaction control ({@code BEGIN}, {@code COMMIT}...),
     * {@code CALL} and statements that cannot run in a transaction block ({@code CREATE INDEX
     * CONCURRENTLY}, {@code VACUUM}...) are refused before anything is sent.
     *
     * @param tenant the tenant (schema) name
     * @param ddlScript statements separated by semicolons, with unqualified names
     * @throws SQLException {@code 42602}; {@code 0A000} for a refused statement (nothing sent);
     *     {@code 55000}; the server's error for a failing statement (the whole script is rolled back)
     */
    public void createTables(String tenant, String ddlScript) throws SQLException {
        TenantName.validate(tenant);
        List<String> statements = split(ddlScript);
        change(c -> { // the first table of a distributed schema places it on a worker
            capabilities(c);
            try (Statement s = c.createStatement()) {
                // Transaction-scoped, so it cannot leak through a pooler; the last SET LOCAL wins over any pin.
                s.execute("SET LOCAL search_path TO " + TenantName.quote(tenant));
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return null;
        });
    }

    /**
     * Lists the distributed schemas ({@code pg_dist_schema}), sorted by name.
     *
     * @return the tenants' schema names as in the catalog
     * @throws SQLFeatureNotSupportedException {@code 0A000} without Citus
     * @throws SQLException {@code 55000}; the server's error
     */
    public List<String> tenants() throws SQLException {
        return run(c -> {
            requireCitus(c, "pg_dist_schema");
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT n.nspname FROM pg_catalog.pg_dist_schema d JOIN pg_catalog.pg_namespace n ON n.oid = d.schemaid"
                            + " ORDER BY 1")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /**
     * Moves the tenant's tables to another worker with {@code citus_schema_move(schema, node name,
     * node port)} (Citus's default transfer mode). The node is named as registered in
     * {@code pg_dist_node} ({@code nodename}, {@code nodeport}).
     *
     * @param tenant the tenant (schema) name
     * @param nodeName the target worker's {@code pg_dist_node.nodename}
     * @param nodePort the target worker's {@code pg_dist_node.nodeport}
     * @throws SQLFeatureNotSupportedException {@code 0A000} without Citus
     * @throws SQLException {@code 42602}; {@code 3F000} when the schema does not exist;
     *     {@code 55000}; the server's error (unknown node, not distributed...)
     */
    public void moveTenant(String tenant, String nodeName, int nodePort) throws SQLException {
        TenantName.validate(tenant);
        Objects.requireNonNull(nodeName, "nodeName");
        change(c -> {
            requireCitus(c, "citus_schema_move");
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.citus_schema_move(n.oid::regnamespace, ?, ?)"
                    + " FROM pg_catalog.pg_namespace n WHERE n.nspname = ?")) {
                ps.setString(1, nodeName);
                ps.setInt(2, nodePort);
                ps.setString(3, tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw noSuchTenant(tenant);
                    }
                }
            }
            return null;
        });
    }

    /**
     * Drops the tenant with everything in it: {@code DROP SCHEMA "t" CASCADE} (on Citus, propagated
     * to every node).
     *
     * @param tenant the tenant (schema) name
     * @throws SQLException {@code 42602}; {@code 3F000} when it does not exist; {@code 55000}; the server's error
     */
    public void dropTenant(String tenant) throws SQLException {
        TenantName.validate(tenant);
        change(c -> {
            capabilities(c);
            try (Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + TenantName.quote(tenant) + " CASCADE");
            }
            return null;
        });
    }

    // ------------------------------------------------------------------------------------ plumbing

    /** One unit of work on a connection inside a transaction. */
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * A change of the cluster's tenants (created, distributed, moved, dropped): run as {@link #run},
     * then the driver's topology is read again, so that the next unit of work is routed with it.
     */
    private void change(Work<Void> work) throws SQLException {
        if (connection != null) {
            inTransaction(connection, work);
            refreshTopology(connection);
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            inTransaction(c, work);
            refreshTopology(c);
        }
    }

    private static void refreshTopology(Connection c) throws SQLException {
        if (c.isWrapperFor(CitusConnection.class)) {
            c.unwrap(CitusConnection.class).refreshTopology();
        }
    }

    private <T> T run(Work<T> work) throws SQLException {
        if (connection != null) {
            return inTransaction(connection, work);
        }
        try (Connection c = dataSource.getConnection()) {
            return inTransaction(c, work);
        }
    }

    private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        if (!autoCommit) {
            c.rollback(); // documented: no transaction in progress; make sure we start one of our own
        }
        c.setAutoCommit(false);
        try {
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /** @return whether the server has Citus's tenant functions; on Citus also checks this is the coordinator */
    private static boolean capabilities(Connection c) throws SQLException {
        boolean citus;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE proname = 'citus_schema_distribute'"
                        + " AND pronamespace = 'pg_catalog'::regnamespace)")) {
            rs.next();
            citus = rs.getBoolean(1);
        }
        if (citus) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT coalesce((SELECT groupid FROM pg_catalog.pg_dist_local_group LIMIT 1), 0)")) {
                rs.next();
                int group = rs.getInt(1);
                if (group != 0) {
                    throw new SQLException("tenant administration must run on the Citus coordinator, but this server is"
                            + " in group " + group + "; connect to the coordinator", CitusSqlState.OBJECT_NOT_IN_STATE.getState());
                }
            }
        }
        return citus;
    }

    private static void requireCitus(Connection c, String what) throws SQLException {
        if (!capabilities(c)) {
            throw new SQLFeatureNotSupportedException(what + " needs Citus (12 or later, schema-based sharding);"
                    + " this server has no citus_schema_distribute", CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
        }
    }

    private static void distribute(Connection c, String tenant) throws SQLException {
        // The name travels as a bound value; regnamespace comes from the catalog row, never parsed from text.
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.citus_schema_distribute(n.oid::regnamespace)"
                + " FROM pg_catalog.pg_namespace n WHERE n.nspname = ?")) {
            ps.setString(1, tenant);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw noSuchTenant(tenant);
                }
            }
        }
    }

    private static SQLException noSuchTenant(String tenant) {
        return new SQLException("schema \"" + tenant + "\" does not exist", CitusSqlState.INVALID_SCHEMA_NAME.getState());
    }

    /** Splits a script into statements with the driver's lexer; refuses what cannot run in one transaction. */
    static List<String> split(String script) throws SQLException {
        List<String> out = new ArrayList<>();
        for (StatementInfo st : SqlClassifier.classify(script).statements()) {
            StatementKind kind = st.kind();
            if (kind == StatementKind.TRANSACTION_CONTROL || kind == StatementKind.NON_TRANSACTIONAL
                    || kind == StatementKind.CALL) {
                throw new SQLFeatureNotSupportedException("a tenant DDL script runs in one transaction; this statement"
                        + " cannot: " + abbreviate(st.text()), CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
            }
            out.add(st.text());
        }
        return out;
    }

    private static String abbreviate(String sql) {
        String s = sql.strip();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
