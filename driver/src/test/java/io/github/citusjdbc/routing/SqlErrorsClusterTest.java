package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SqlErrors} on failures real servers and PgBouncer produce: a refused port, a write on a
 * hot standby, and a private cluster whose worker's server is stopped behind its PgBouncer (for
 * a client connecting through the bouncer, and for one connected before the stop).
 */
class SqlErrorsClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(SqlErrorsClusterTest.class);
    private static LocalCluster privateCluster;

    @BeforeAll
    static void start() {
        privateCluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1).withStandbys(false, false));
    }

    @AfterAll
    static void stop() {
        if (privateCluster != null) {
            privateCluster.close();
        }
    }

    private static Properties app(LocalCluster c) {
        Properties p = new Properties();
        p.setProperty("user", c.user());
        p.setProperty("password", c.password());
        p.setProperty("connectTimeout", "5");
        p.setProperty("prepareThreshold", "0");
        return p;
    }

    private static SqlErrors.Kind classified(String what, SQLException e) {
        LOG.info("{}: SQLState {} class {} message '{}'", what, e.getSQLState(), e.getClass().getSimpleName(), e.getMessage());
        return SqlErrors.classify(e);
    }

    @Test
    void refusedPortIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/x", app(privateCluster)));
        assertEquals("08001", e.getSQLState());
        assertEquals(SqlErrors.Kind.NODE_UNAVAILABLE, classified("refused port", e));
    }

    @Test
    void writeOnAStandbyIsAReadOnlyViolation() throws SQLException {
        LocalCluster shared = LocalCluster.shared();
        try (Connection c = shared.appConnection(shared.standbyOf(shared.coordinator()));
             Statement st = c.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.execute("CREATE TABLE routing_ro_probe (id int)"));
            assertEquals("25006", e.getSQLState());
            assertEquals(SqlErrors.Kind.READ_ONLY_VIOLATION, classified("write on a standby", e));
            assertEquals(true, SqlErrors.Kind.READ_ONLY_VIOLATION.triggersEarlyRefresh(true));
        }
    }

    @Test
    void serverStoppedBehindItsPgBouncer() throws SQLException {
        ClusterNode worker = privateCluster.worker(1);
        String url = privateCluster.bouncerJdbcUrl(worker);
        Connection before = DriverManager.getConnection(url, app(privateCluster));
        Connection direct = privateCluster.appConnection(worker);
        try {
            // Hold the server connection inside a transaction, so the stop breaks it under the client.
            before.setAutoCommit(false);
            before.createStatement().execute("SELECT 1");
            privateCluster.stop(worker);

            SQLException inFlight = assertThrows(SQLException.class, () -> before.createStatement().execute("SELECT 1"));
            assertEquals(SqlErrors.Kind.NODE_UNAVAILABLE, classified("in flight through PgBouncer at the stop", inFlight));

            SQLException directInFlight = assertThrows(SQLException.class, () -> direct.createStatement().execute("SELECT 1"));
            assertEquals(SqlErrors.Kind.NODE_UNAVAILABLE, classified("in flight directly at the stop", directInFlight));

            for (int attempt = 1; attempt <= 2; attempt++) {
                SQLException fresh = assertThrows(SQLException.class, () -> {
                    try (Connection c = DriverManager.getConnection(url, app(privateCluster))) {
                        c.createStatement().execute("SELECT 1");
                    }
                });
                assertEquals(SqlErrors.Kind.NODE_UNAVAILABLE, classified("new client through PgBouncer, attempt " + attempt, fresh));
            }
            SQLException refused = assertThrows(SQLException.class, () -> privateCluster.appConnection(worker));
            assertEquals(SqlErrors.Kind.NODE_UNAVAILABLE, classified("direct connect to the stopped server", refused));
        } finally {
            closeQuietly(before);
            closeQuietly(direct);
            privateCluster.start(worker);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // already broken by the stop
        }
    }
}
