package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The tenant life cycle against the test kit's cluster (real Citus), through the coordinator's PgBouncer. */
class CitusTenantAdminTest {
    static LocalCluster cluster;
    static CitusDataSource coordinator;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.shared();
        coordinator = dataSource(cluster.bouncerJdbcUrl(cluster.coordinator()), true);
    }

    static CitusDataSource dataSource(String pgUrl, boolean bouncer) {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl("jdbc:citus:" + pgUrl.substring("jdbc:postgresql:".length()));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        if (bouncer) {
            ds.setPooler("pgbouncer-transaction");
        }
        return ds;
    }

    @Test
    void createScriptListMoveDrop() throws SQLException {
        CitusTenantAdmin admin = CitusTenantAdmin.of(coordinator);
        String t = "admin_life";
        if (admin.tenants().contains(t)) {
            admin.dropTenant(t);
        }
        admin.createTenant(t, "-- a script with a comment; and a semicolon in it\n"
                + "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL DEFAULT 'it''s; fine');\n"
                + "CREATE TABLE notes (id bigserial PRIMARY KEY, item bigint REFERENCES items (id), body text);\n"
                + "CREATE INDEX notes_item ON notes (item);\n"
                + "COMMENT ON TABLE items IS $c$items; of the tenant$c$;");
        assertTrue(admin.tenants().contains(t));
        int group = cluster.citus().tenantGroup(t).orElseThrow();
        assertTrue(group > 0, "placed on a worker: " + group);

        try (Connection c = coordinator.getConnection(); Statement s = c.createStatement()) {
            c.setSchema(t); // pinned by the driver, per transaction
            s.execute("INSERT INTO items (name) VALUES ('one')");
            s.execute("INSERT INTO notes (item, body) SELECT id, 'n' FROM items");
        }
        ClusterNode target = cluster.workers().stream().filter(w -> w.groupId() != group).findFirst().orElseThrow();
        admin.moveTenant(t, target.host(), target.port());
        assertEquals(target.groupId(), cluster.citus().tenantGroup(t).orElseThrow(), "placement moved");
        try (Connection c = coordinator.getConnection(); Statement s = c.createStatement()) {
            c.setSchema(t);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items JOIN notes ON notes.item = items.id")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "rows moved with the tenant");
            }
        }

        admin.dropTenant(t);
        assertFalse(admin.tenants().contains(t));
        for (ClusterNode n : cluster.primaryNodes()) {
            try (Connection c = cluster.appConnection(n); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_namespace WHERE nspname = '" + t + "'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "schema gone on " + n.name());
            }
        }
    }

    @Test
    void aFailingScriptLeavesNoTable() throws SQLException {
        CitusTenantAdmin admin = CitusTenantAdmin.of(coordinator);
        String t = "admin_failing";
        if (admin.tenants().contains(t)) {
            admin.dropTenant(t);
        }
        admin.createTenant(t);
        try {
            SQLException e = assertThrows(SQLException.class,
                    () -> admin.createTables(t, "CREATE TABLE a (id int); CREATE TABLE b (id no_such_type)"));
            assertEquals("42704", e.getSQLState(), e.getMessage());
            try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace = '" + t + "'::regnamespace")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the script ran in one transaction");
            }
        } finally {
            admin.dropTenant(t);
        }
    }

    @Test
    void hostileNamesAndScriptsAreRefusedBeforeAnythingIsSent() {
        CitusTenantAdmin admin = CitusTenantAdmin.of(new UnusableDataSource());
        for (String name : new String[] {"a;b", "x\"y", "", " t", "t t", "1abc", "a.b", "t\u0000", "robert'); DROP TABLE x; --"}) {
            for (Op op : List.<Op>of(n -> admin.createTenant(n), n -> admin.createTables(n, "CREATE TABLE a (id int)"),
                    n -> admin.moveTenant(n, "localhost", 1), n -> admin.dropTenant(n), n -> admin.distributeTenant(n))) {
                SQLException e = assertThrows(SQLException.class, () -> op.run(name), name);
                assertEquals("42602", e.getSQLState(), name + ": " + e.getMessage());
            }
        }
        SQLException nul = assertThrows(SQLException.class, () -> admin.createTenant(null));
        assertEquals("42602", nul.getSQLState());
        for (String script : new String[] {"CREATE TABLE a (id int); COMMIT", "BEGIN", "VACUUM", "CREATE INDEX CONCURRENTLY i ON a (id)",
                "CALL p()"}) {
            SQLException e = assertThrows(SQLFeatureNotSupportedException.class, () -> admin.createTables("fine", script), script);
            assertEquals("0A000", e.getSQLState(), script);
        }
    }

    @Test
    void onAWorkerEveryOperationIsRefused() {
        CitusTenantAdmin admin = CitusTenantAdmin.of(dataSource(cluster.jdbcUrl(cluster.worker(1)), false));
        SQLException e = assertThrows(SQLException.class, () -> admin.createTenant("admin_on_worker"));
        assertEquals("55000", e.getSQLState(), e.getMessage());
    }

    @Test
    void onPlainPostgresSchemasWorkAndCitusOperationsSayNotSupported() throws SQLException {
        String db = "plain_pg";
        try (Connection c = cluster.admin(cluster.coordinator()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db);
            s.execute("CREATE DATABASE " + db + " OWNER " + cluster.user() + " TEMPLATE template0");
        }
        String url = cluster.jdbcUrl(cluster.coordinator());
        CitusTenantAdmin admin = CitusTenantAdmin.of(dataSource(url.substring(0, url.lastIndexOf('/') + 1) + db, false));
        admin.createTenant("plain_t", "CREATE TABLE items (id int)");
        for (Op op : List.<Op>of(admin::distributeTenant, n -> admin.moveTenant(n, "localhost", 5432), n -> admin.tenants())) {
            SQLException e = assertThrows(SQLFeatureNotSupportedException.class, () -> op.run("plain_t"));
            assertEquals("0A000", e.getSQLState(), e.getMessage());
        }
        admin.dropTenant("plain_t");
        SQLException gone = assertThrows(SQLException.class, () -> admin.dropTenant("plain_t"));
        assertEquals("3F000", gone.getSQLState());
    }

    interface Op {
        void run(String name) throws SQLException;
    }

    /** Fails the test if anything tries to connect. */
    static final class UnusableDataSource implements DataSource {
        @Override
        public Connection getConnection() {
            throw new AssertionError("a connection was requested");
        }

        @Override
        public Connection getConnection(String user, String password) {
            throw new AssertionError("a connection was requested");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("no");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
