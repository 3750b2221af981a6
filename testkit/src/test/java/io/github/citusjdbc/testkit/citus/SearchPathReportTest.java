package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Citus 12+ reports {@code search_path} to clients (a ParameterStatus before ReadyForQuery whenever it
 * changed). Checked with pgjdbc on every node, directly and through its
 * PgBouncer 1.18 (transaction pooling), which passes the messages through but does not track the value.
 */
class SearchPathReportTest {
    private static final String DEFAULT = "\"$user\", public";
    private static LocalCluster cluster;

    @BeforeAll
    static void setUp() {
        cluster = LocalCluster.shared();
    }

    @Test
    void everyNodeReportsSearchPathAsCitusDoes() throws SQLException {
        for (ClusterNode node : cluster.nodes()) {
            try (Connection c = cluster.appConnection(node)) {
                assertReportedLikeCitus(c, node.name() + " direct");
            }
        }
    }

    @Test
    void everyPgBouncerPassesTheReportsOfItsClientsOwnStatementsThrough() throws SQLException {
        int bouncers = 0;
        for (ClusterNode node : cluster.nodes()) {
            if (!node.hasBouncer()) {
                continue;
            }
            bouncers++;
            try (Connection c = cluster.bouncerConnection(node)) {
                assertReportedLikeCitus(c, node.name() + " through PgBouncer");
            }
        }
        assertTrue(bouncers > 0, "PgBouncer is required (scripts/prerequisites.sh installs it)");
    }

    /**
     * PgBouncer 1.18 does not track {@code search_path} ({@code track_extra_parameters} is 1.20+): a client's
     * first value is the one the pool's first server connection reported at login, and a value another
     * client left on a shared server connection is never reported to it. Only the changes made by a
     * client's own statements reach it. (A private pool: database {@code postgres}, one server connection,
     * which PgBouncer reuses rather than opening another while it is idle.)
     */
    @Test
    void pgBouncer118DoesNotTrackTheValueAcrossClients() throws SQLException {
        ClusterNode coordinator = cluster.coordinator();
        assertTrue(coordinator.hasBouncer(), "PgBouncer is required (scripts/prerequisites.sh installs it)");
        String url = "jdbc:postgresql://" + coordinator.bouncerAddress() + "/postgres";
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        p.setProperty("prepareThreshold", "0");
        try (Connection a = DriverManager.getConnection(url, p); Connection b = DriverManager.getConnection(url, p)) {
            assertEquals(DEFAULT, reported(b));
            exec(a, "SET search_path TO leaked_by_a"); // a session SET: leaks to the next client of that server connection
            assertEquals("leaked_by_a", reported(a));
            assertEquals("leaked_by_a", show(b), "b runs on the server connection a left its search_path on");
            assertEquals(DEFAULT, reported(b), "PgBouncer 1.18 does not tell b: b's reported value is stale");
            try (Connection late = DriverManager.getConnection(url, p)) {
                assertEquals(DEFAULT, reported(late), "a new client gets the value cached at the pool's first login");
                assertEquals("leaked_by_a", show(late));
            }
            exec(b, "SET search_path TO set_by_b");
            assertEquals("set_by_b", reported(b), "b's own change is reported to b");
            assertEquals("set_by_b", show(a));
            assertEquals("leaked_by_a", reported(a), "and never to a, whose server connection it is too");
            exec(a, "RESET search_path");
        }
    }

    /** When Citus reports search_path (start-up, SET, SET LOCAL, commit, rollback), asserted on one connection. */
    private static void assertReportedLikeCitus(Connection c, String where) throws SQLException {
        String initial = reported(c);
        assertNotNull(initial, where + ": search_path must be reported at connection start, as Citus 12+ does"
                + " (the kit's start WARNING says why its module could not be built)");
        assertEquals(show(c), initial, where);
        assertEquals(DEFAULT, initial, where);

        exec(c, "SET search_path TO probe_a");
        assertEquals("probe_a", reported(c), where + ": after SET");

        c.setAutoCommit(false);
        exec(c, "SET LOCAL search_path TO probe_b");
        assertEquals("probe_b", reported(c), where + ": SET LOCAL inside a transaction");
        c.commit();
        assertEquals("probe_a", reported(c), where + ": reverted by COMMIT");

        exec(c, "SET LOCAL search_path TO probe_c");
        assertEquals("probe_c", reported(c), where);
        c.rollback();
        assertEquals("probe_a", reported(c), where + ": reverted by ROLLBACK");

        exec(c, "SET LOCAL search_path TO probe_d");
        assertThrows(SQLException.class, () -> exec(c, "SELECT 1/0"));
        assertEquals("probe_a", reported(c), where + ": reverted as soon as the transaction fails");
        c.rollback();
        assertEquals("probe_a", reported(c), where);
        c.setAutoCommit(true);

        // The driver's autocommit envelope, one round trip: the value at ReadyForQuery is unchanged.
        for (String sql : List.of("BEGIN; SET LOCAL search_path TO probe_e; SELECT 1; COMMIT",
                "BEGIN; SELECT set_config('search_path', 'probe_f', true); COMMIT")) {
            exec(c, sql);
            assertEquals("probe_a", reported(c), where + ": " + sql);
            assertEquals("probe_a", show(c), where);
        }

        exec(c, "RESET search_path");
        assertEquals(DEFAULT, reported(c), where + ": after RESET");
    }

    private static String reported(Connection c) throws SQLException {
        return c.unwrap(PGConnection.class).getParameterStatus("search_path");
    }

    private static String show(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW search_path")) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
