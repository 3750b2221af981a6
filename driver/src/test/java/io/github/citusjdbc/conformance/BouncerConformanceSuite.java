package io.github.citusjdbc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.PGStatement;

/**
 * What works through PgBouncer 1.18 in transaction pooling mode with {@code prepareThreshold=0},
 * and the documented limits, asserted identically through pgjdbc and citus-jdbc. Session state
 * does not survive a transaction there, so every stateful check runs inside one transaction.
 */
abstract class BouncerConformanceSuite {

    /** @return the PgBouncer in front of the coordinator */
    Target target() {
        return Targets.coordinatorBouncer();
    }

    /** @return the URL, in the scheme under test */
    abstract String url();

    /** @return what the driver under test needs to be safe behind a transaction pooler */
    abstract Properties poolerProperties();

    Connection open() throws SQLException {
        return open(new Properties());
    }

    Connection open(Properties extra) throws SQLException {
        Properties info = new Properties();
        info.putAll(poolerProperties());
        info.putAll(extra);
        info.setProperty("user", target().user());
        info.setProperty("password", target().password());
        return DriverManager.getConnection(url(), info);
    }

    @Test
    void simpleAndPreparedQueriesNeverUseNamedServerStatements() throws SQLException {
        try (Connection c = open()) {
            assertEquals(0, c.unwrap(PGConnection.class).getPrepareThreshold());
            CommonTypes.assertRoundTrip(c, 8);
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::int")) {
                for (int i = 0; i < 8; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        assertEquals(i, rs.getInt(1));
                    }
                }
                assertFalse(ps.unwrap(PGStatement.class).isUseServerPrepare());
            }
            assertTrue(c.isValid(2));
        }
    }

    @Test
    void transactionWithSavepointBatchKeysAndCopy() throws SQLException, java.io.IOException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("CREATE TEMP TABLE bouncer_tx (id serial PRIMARY KEY, v text) ON COMMIT DROP");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bouncer_tx (v) VALUES (?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "a");
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertTrue(keys.next());
                    assertEquals(1, keys.getInt(1));
                }
                ps.setString(1, "b");
                ps.addBatch();
                ps.setString(1, "c");
                ps.addBatch();
                assertArrayEquals(new int[] {1, 1}, ps.executeBatch());
            }
            var savepoint = c.setSavepoint();
            s.execute("DELETE FROM bouncer_tx");
            c.rollback(savepoint);
            long copied = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY bouncer_tx (v) FROM STDIN", new StringReader("d\ne\n"));
            assertEquals(2, copied);
            try (ResultSet rs = s.executeQuery("SELECT string_agg(v, '' ORDER BY id) FROM bouncer_tx")) {
                assertTrue(rs.next());
                assertEquals("abcde", rs.getString(1));
            }
            c.commit();
        }
    }

    @Test
    void queryTimeoutWorksThroughThePooler() throws SQLException {
        try (Connection c = open(); Statement s = c.createStatement()) {
            s.setQueryTimeout(1);
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10)"));
            assertEquals("57014", e.getSQLState());
            assertTrue(c.isValid(2));
        }
    }

    /** Documented limit: a transaction pooler does not deliver notifications (PgBouncer docs, "LISTEN"). */
    @Test
    void listenDoesNotReceiveNotificationsInTransactionPooling() throws SQLException {
        String channel = "bouncer_" + Long.toHexString(System.nanoTime());
        try (Connection listener = open(); Connection notifier = open();
             Statement listen = listener.createStatement(); Statement notify = notifier.createStatement()) {
            listen.execute("LISTEN " + channel);
            notify.execute("NOTIFY " + channel + ", 'lost'");
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(1500);
            assertEquals(0, received.length, "notifications unexpectedly delivered through transaction pooling");
        }
    }

    /** Documented limit: {@code options} is a startup parameter PgBouncer refuses. */
    @Test
    void startupOptionsAreRefusedBehindThePooler() {
        Properties options = new Properties();
        options.setProperty("options", "-c work_mem=4MB");
        assertThrows(SQLException.class, () -> open(options).close());
    }
}
