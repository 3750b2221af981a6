package io.github.citusjdbc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.jdbc.PgConnection;

/** What citus-jdbc adds to pgjdbc's behaviour, on the real coordinator. */
class CitusConnectionServerTest {

    private final Target target = Targets.coordinator();

    private Connection open(String query) throws SQLException {
        return DriverManager.getConnection(target.citusUrl() + query, target.user(), target.password());
    }

    @Test
    void unwrapReachesPgjdbcAndOurInterface() throws SQLException {
        try (Connection c = open("")) {
            assertInstanceOf(CitusConnection.class, c);
            assertSame(c, c.unwrap(CitusConnection.class));
            PgConnection physical = c.unwrap(PgConnection.class);
            assertNotSame(c, physical);
            assertSame(physical, c.unwrap(BaseConnection.class));
            assertSame(physical, c.unwrap(PGConnection.class));
            assertTrue(c.isWrapperFor(PgConnection.class) && c.isWrapperFor(CitusConnection.class));
        }
    }

    @Test
    void coordinatorIsDetectedAsCitus() throws SQLException {
        try (Connection c = open("")) {
            assertTrue(c.unwrap(CitusConnection.class).isCitus());
        }
    }

    @Test
    void aDatabaseWithoutCitusCatalogsIsPlainPostgres() throws SQLException {
        String database = "plain_" + Long.toHexString(System.nanoTime());
        try (Connection admin = Targets.coordinatorAdmin(); Statement s = admin.createStatement()) {
            s.execute("CREATE DATABASE " + database + " TEMPLATE template0");
            try {
                String url = target.citusUrl().substring(0, target.citusUrl().lastIndexOf('/') + 1) + database;
                try (Connection c = DriverManager.getConnection(url, target.user(), target.password())) {
                    assertFalse(c.unwrap(CitusConnection.class).isCitus());
                    assertTrue(c.isValid(2));
                }
            } finally {
                s.execute("DROP DATABASE " + database + " WITH (FORCE)");
            }
        }
    }

    @Test
    void closingTheConnectionClosesStatementsAndResultSets() throws SQLException {
        Connection c = open("");
        Statement s = c.createStatement();
        PreparedStatement ps = c.prepareStatement("SELECT 1");
        ResultSet rs = s.executeQuery("SELECT generate_series(1, 3)");
        c.close();
        assertTrue(s.isClosed(), "pgjdbc leaves it open; JDBC says closing the connection closes it");
        assertTrue(ps.isClosed());
        assertTrue(rs.isClosed());
        assertThrows(SQLException.class, () -> s.executeQuery("SELECT 1"));
    }

    @Test
    void metaDataResultSetsDoNotLeakPgjdbcStatements() throws SQLException {
        try (Connection c = open(""); ResultSet rs = c.getMetaData().getTables(null, "pg_catalog", "pg_class", null)) {
            assertNull(rs.getStatement());
            assertSame(c, c.getMetaData().getConnection());
        }
    }

    @Test
    void metaDataUrlIsTheApplicationsCitusUrlWithoutPasswords() throws SQLException {
        String url = target.citusUrl() + "?ApplicationName=meta&password=" + target.password() + "&sslpassword=s3cret";
        try (Connection c = DriverManager.getConnection(url, target.user(), target.password())) {
            String shown = c.getMetaData().getURL();
            assertTrue(shown.startsWith(target.citusUrl() + "?"), shown);
            assertTrue(shown.contains("ApplicationName=meta"), shown);
            assertFalse(shown.toLowerCase().contains("password"), shown);
            assertFalse(shown.contains("s3cret"), shown);
        }
        try (Connection c = open("")) {
            assertEquals(target.citusUrl(), c.getMetaData().getURL());
        }
    }

    @Test
    void conflictingPropertiesAreRejectedBeforeConnecting() {
        SQLException e = assertThrows(SQLException.class,
                () -> open("?pooler=pgbouncer-transaction&prepareThreshold=5").close());
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("prepareThreshold"));
    }

    @Test
    void wrongPasswordFailsLikePgjdbcWithoutEchoingIt() {
        Properties info = new Properties();
        info.setProperty("user", target.user());
        info.setProperty("password", "not-the-password-4711");
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(target.citusUrl(), info));
        assertEquals("28P01", e.getSQLState());
        assertFalse(e.getMessage().contains("not-the-password-4711"));
    }

    @Test
    void hikariWithDataSourceClassNameUnwrapsToCitusConnection() throws SQLException {
        HikariConfig config = new HikariConfig();
        config.setDataSourceClassName(CitusDataSource.class.getName());
        config.addDataSourceProperty("url", target.citusUrl());
        config.addDataSourceProperty("pooler", "none");
        config.setUsername(target.user());
        config.setPassword(target.password());
        config.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            assertTrue(c.isWrapperFor(CitusConnection.class));
            assertTrue(c.unwrap(CitusConnection.class).isCitus());
        }
    }
}
