package io.github.citusjdbc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.copy.CopyManager;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * JDBC behaviour an application relies on, asserted identically through pgjdbc and through
 * citus-jdbc against the test kit's coordinator (connected directly). A subclass says which URL
 * scheme and data source class to use; nothing else differs.
 */
abstract class JdbcConformanceSuite {

    // Shared by both subclasses and never shut down: daemon threads that expire when idle.
    private static final ExecutorService EXECUTOR = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "conformance-helper");
        t.setDaemon(true);
        return t;
    });

    /** @return the server */
    abstract Target target();

    /** @return the URL for {@link DriverManager}, in the scheme under test */
    abstract String url();

    /** @return a new, unconfigured data source of the driver under test */
    abstract DataSource newDataSource();

    /** @return the class name of that data source, for HikariCP's {@code dataSourceClassName} */
    abstract String dataSourceClassName();

    /** Configures a data source through the bean setters both drivers share (pgjdbc's names). */
    abstract void configure(DataSource dataSource, String host, int port, String database, String user,
                            String password);

    Connection open() throws SQLException {
        return DriverManager.getConnection(url(), target().user(), target().password());
    }

    @Test
    void driverManagerConnectsAsTheApplicationRole() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user, 1 + 1")) {
            assertTrue(rs.next());
            assertEquals(target().user(), rs.getString(1));
            assertEquals(2, rs.getInt(2));
            assertFalse(rs.next());
            assertSame(s, rs.getStatement());
            assertSame(c, s.getConnection());
        }
    }

    @Test
    void currentSchemaAndReadOnlyFromTheUrlApplyToTheSession() throws SQLException {
        try (Connection c = DriverManager.getConnection(url() + "?currentSchema=pg_catalog,public&readOnly=true",
                target().user(), target().password()); Statement s = c.createStatement()) {
            assertEquals("pg_catalog", c.getSchema());
            assertTrue(c.isReadOnly());
            // The effective path, not its spelling: a driver may quote or re-apply the names.
            try (ResultSet rs = s.executeQuery("SELECT current_schemas(false)::text")) {
                assertTrue(rs.next());
                assertEquals("{pg_catalog,public}", rs.getString(1));
            }
            c.setAutoCommit(false);
            SQLException e = assertThrows(SQLException.class, () -> s.execute("CREATE TEMP TABLE conf_ro (v int)"));
            assertEquals("25006", e.getSQLState(), "read-only transaction");
        }
    }

    @Test
    void dataSourceConnectsThroughUrlAndThroughBeanProperties() throws SQLException {
        DataSource byBeans = newDataSource();
        URI uri = URI.create(target().pgjdbcUrl().substring("jdbc:".length()));
        configure(byBeans, uri.getHost(), uri.getPort(), uri.getPath().substring(1), target().user(),
                target().password());
        try (Connection c = byBeans.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_user")) {
            assertTrue(rs.next());
            assertEquals(target().user(), rs.getString(1));
        }
        try (Connection c = byBeans.getConnection(target().user(), target().password())) {
            assertTrue(c.isValid(2));
        }
    }

    @Test
    void hikariPoolWorksWithJdbcUrlAndWithDataSourceClassName() throws SQLException {
        HikariConfig byUrl = new HikariConfig();
        byUrl.setJdbcUrl(url());
        byUrl.setUsername(target().user());
        byUrl.setPassword(target().password());
        byUrl.setMaximumPoolSize(2);
        assertPoolWorks(byUrl);

        URI uri = URI.create(target().pgjdbcUrl().substring("jdbc:".length()));
        HikariConfig byClass = new HikariConfig();
        byClass.setDataSourceClassName(dataSourceClassName());
        byClass.addDataSourceProperty("serverName", uri.getHost());
        byClass.addDataSourceProperty("portNumber", uri.getPort());
        byClass.addDataSourceProperty("databaseName", uri.getPath().substring(1));
        byClass.addDataSourceProperty("sslmode", "disable");
        byClass.addDataSourceProperty("ApplicationName", "conformance");
        byClass.setUsername(target().user());
        byClass.setPassword(target().password());
        byClass.setMaximumPoolSize(2);
        assertPoolWorks(byClass);
    }

    private static void assertPoolWorks(HikariConfig config) throws SQLException {
        try (HikariDataSource pool = new HikariDataSource(config)) {
            for (int i = 0; i < 3; i++) {
                try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT 42")) {
                    assertTrue(rs.next());
                    assertEquals(42, rs.getInt(1));
                    assertTrue(c.unwrap(PGConnection.class).getBackendPID() > 0, "unwrap works through the pool proxy");
                }
            }
        }
    }

    @Test
    void preparedStatementsRoundTripCommonTypesBeforeAndAfterServerPrepare() throws SQLException {
        try (Connection c = open()) {
            CommonTypes.assertRoundTrip(c, 6);
        }
    }

    @Test
    void batchesReportPerStatementCounts() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE conf_batch (id int PRIMARY KEY, v text)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO conf_batch VALUES (?, ?)")) {
                for (int i = 1; i <= 3; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "v" + i);
                    ps.addBatch();
                }
                assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
            }
            s.addBatch("INSERT INTO conf_batch VALUES (4, 'x')");
            s.addBatch("UPDATE conf_batch SET v = 'y' WHERE id <= 2");
            assertArrayEquals(new int[] {1, 2}, s.executeBatch());
            try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE v = 'y') FROM conf_batch")) {
                assertTrue(rs.next());
                assertEquals(4, rs.getInt(1));
                assertEquals(2, rs.getInt(2));
            }
        }
    }

    @Test
    void generatedKeysComeBackFromTheStatement() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE conf_keys (id serial PRIMARY KEY, v text)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO conf_keys (v) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "a");
                assertEquals(1, ps.executeUpdate());
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(1, keys.getInt("id"));
                    assertSame(ps, keys.getStatement());
                }
            }
            assertEquals(1, s.executeUpdate("INSERT INTO conf_keys (v) VALUES ('b')", new String[] {"id"}));
            try (ResultSet keys = s.getGeneratedKeys()) {
                assertTrue(keys.next());
                assertEquals(2, keys.getInt(1));
            }
        }
    }

    @Test
    void multipleResultsAreWalkedInOrder() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            assertTrue(s.execute("SELECT 1 AS a; SELECT 'two' AS b, 3 AS c"));
            ResultSet first = s.getResultSet();
            assertSame(first, s.getResultSet(), "getResultSet is stable until getMoreResults");
            assertTrue(first.next());
            assertEquals(1, first.getInt("a"));
            assertSame(s, first.getStatement());
            assertTrue(s.getMoreResults());
            assertTrue(first.isClosed(), "getMoreResults closes the previous result");
            ResultSet second = s.getResultSet();
            assertTrue(second.next());
            assertEquals("two", second.getString(1));
            assertEquals(3, second.getInt(2));
            assertFalse(s.getMoreResults());
            assertEquals(-1, s.getUpdateCount());
        }
    }

    @Test
    void callableStatementReturnsOutParameters() throws SQLException {
        try (Connection c = open(); CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
            cs.registerOutParameter(1, Types.VARCHAR);
            cs.setString(2, "tenant");
            cs.execute();
            assertEquals("TENANT", cs.getString(1));
            assertSame(c, cs.getConnection());
        }
    }

    @Test
    void transactionsAndSavepoints() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE conf_tx (v int)");
            c.setAutoCommit(false);
            s.execute("INSERT INTO conf_tx VALUES (1)");
            Savepoint savepoint = c.setSavepoint("sp");
            s.execute("INSERT INTO conf_tx VALUES (2)");
            c.rollback(savepoint);
            s.execute("INSERT INTO conf_tx VALUES (3)");
            c.releaseSavepoint(c.setSavepoint());
            c.commit();
            s.execute("INSERT INTO conf_tx VALUES (4)");
            c.rollback();
            c.setAutoCommit(true);
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation());
            try (ResultSet rs = s.executeQuery("SELECT string_agg(v::text, ',' ORDER BY v) FROM conf_tx")) {
                assertTrue(rs.next());
                assertEquals("1,3", rs.getString(1));
            }
        }
    }

    @Test
    void databaseMetaDataDescribesTheServer() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE conf_meta (id int PRIMARY KEY, name text NOT NULL)");
            DatabaseMetaData md = c.getMetaData();
            assertSame(c, md.getConnection());
            assertEquals("PostgreSQL", md.getDatabaseProductName());
            assertEquals(target().user(), md.getUserName());
            assertTrue(md.supportsTransactions());
            try (ResultSet tables = md.getTables(null, "pg_catalog", "pg_class", new String[] {"SYSTEM TABLE"})) {
                assertTrue(tables.next());
                assertEquals("pg_class", tables.getString("TABLE_NAME"));
            }
            try (ResultSet columns = md.getColumns(null, null, "conf_meta", "%")) {
                assertTrue(columns.next());
                assertEquals("id", columns.getString("COLUMN_NAME"));
                assertTrue(columns.next());
                assertEquals("name", columns.getString("COLUMN_NAME"));
                assertEquals(DatabaseMetaData.columnNoNulls, columns.getInt("NULLABLE"));
            }
            try (ResultSet keys = md.getPrimaryKeys(null, null, "conf_meta")) {
                assertTrue(keys.next());
                assertEquals("id", keys.getString("COLUMN_NAME"));
            }
        }
    }

    @Test
    void copyInAndOutThroughUnwrappedPgConnection() throws Exception {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE conf_copy (id int, v text)");
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            assertEquals(3, copy.copyIn("COPY conf_copy FROM STDIN (FORMAT csv)", new StringReader("1,a\n2,b\n3,\"c,d\"\n")));
            StringWriter out = new StringWriter();
            assertEquals(3, copy.copyOut("COPY (SELECT * FROM conf_copy ORDER BY id) TO STDOUT (FORMAT csv)", out));
            assertEquals("1,a\n2,b\n3,\"c,d\"\n", out.toString());
        }
    }

    @Test
    void listenNotifyThroughUnwrappedPgConnection() throws SQLException {
        String channel = "conf_" + Long.toHexString(System.nanoTime());
        try (Connection listener = open(); Connection notifier = open()) {
            try (Statement s = listener.createStatement()) {
                s.execute("LISTEN " + channel);
            }
            try (PreparedStatement ps = notifier.prepareStatement("SELECT pg_notify(?, ?)")) {
                ps.setString(1, channel);
                ps.setString(2, "hello");
                ps.execute();
            }
            PGNotification[] notifications = listener.unwrap(PGConnection.class).getNotifications(5000);
            assertEquals(1, notifications.length);
            assertEquals(channel, notifications[0].getName());
            assertEquals("hello", notifications[0].getParameter());
        }
    }

    @Test
    void largeObjectsThroughUnwrappedPgConnection() throws SQLException {
        byte[] data = new byte[100_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        try (Connection c = open()) {
            c.setAutoCommit(false); // large objects need a transaction
            LargeObjectManager manager = c.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = manager.createLO();
            try (LargeObject lo = manager.open(oid, LargeObjectManager.WRITE)) {
                lo.write(data);
            }
            try (LargeObject lo = manager.open(oid, LargeObjectManager.READ)) {
                assertArrayEquals(data, lo.read(data.length + 1));
            }
            manager.delete(oid);
            c.commit();
        }
    }

    @Test
    void cancelStopsARunningStatement() throws Exception {
        try (Connection c = open(); Statement s = c.createStatement()) {
            AtomicBoolean done = new AtomicBoolean();
            EXECUTOR.submit(() -> {
                // Cancel repeatedly: a cancel that arrives before the query starts cancels nothing.
                while (!done.get()) {
                    TimeUnit.MILLISECONDS.sleep(200);
                    s.cancel();
                }
                return null;
            });
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(20)"));
            done.set(true);
            assertEquals("57014", e.getSQLState());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            assertTrue(c.isValid(2), "the connection survives a cancel");
        }
    }

    @Test
    void queryTimeoutCancelsTheStatement() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            assertEquals(1, s.getQueryTimeout());
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10)"));
            assertEquals("57014", e.getSQLState());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(6));
        }
    }

    @Test
    void networkTimeoutBreaksTheConnection() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            c.setNetworkTimeout(EXECUTOR, 500);
            assertEquals(500, c.getNetworkTimeout());
            long start = System.nanoTime();
            assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(5)"));
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(4000));
            assertFalse(c.isValid(1), "the connection is unusable after a socket timeout");
        }
    }

    @Test
    void isValidAndUseAfterClose() throws SQLException {
        Connection c = open();
        assertTrue(c.isValid(2));
        assertFalse(c.isClosed());
        c.close();
        c.close();
        assertTrue(c.isClosed());
        assertFalse(c.isValid(1));
        assertEquals("08003", assertThrows(SQLException.class, c::createStatement).getSQLState());
        assertEquals("08003", assertThrows(SQLException.class, () -> c.prepareStatement("SELECT 1")).getSQLState());
        assertEquals("08003", assertThrows(SQLException.class, () -> c.setAutoCommit(false)).getSQLState());
    }
}
