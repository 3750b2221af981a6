package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared cluster's servers, standbys and PgBouncers are real and behave as the rest of the suite assumes. */
class LocalClusterTest {
    private final LocalCluster cluster = LocalCluster.shared();

    @Test
    void hasCoordinatorTwoWorkersAndTwoStandbysEachWithPgBouncer() {
        assertEquals(List.of("coordinator", "worker1", "worker2", "coordinator-standby", "worker1-standby"),
                cluster.nodes().stream().map(ClusterNode::name).toList());
        for (ClusterNode n : cluster.nodes()) {
            assertTrue(n.hasBouncer(), n + " must have a PgBouncer in front of it");
            assertTrue(cluster.isRunning(n), n + " must be running");
        }
        assertEquals(cluster.coordinator().groupId(), cluster.standbyOf(cluster.coordinator()).groupId());
        assertEquals(cluster.worker(1).groupId(), cluster.standbyOf(cluster.worker(1)).groupId());
    }

    @Test
    void eachNodeIsTheServerItClaimsToBe() throws SQLException {
        for (ClusterNode n : cluster.nodes()) {
            try (Connection c = cluster.appConnection(n); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT inet_server_port(), pg_is_in_recovery(), current_user")) {
                assertTrue(rs.next());
                assertEquals(n.port(), rs.getInt(1), n.name());
                assertEquals(n.isStandby(), rs.getBoolean(2), n.name() + " recovery state");
                assertEquals(cluster.user(), rs.getString(3));
            }
        }
    }

    @Test
    void rowWrittenOnPrimaryAppearsOnItsStandby() throws SQLException {
        for (ClusterNode primary : List.of(cluster.coordinator(), cluster.worker(1))) {
            ClusterNode standby = cluster.standbyOf(primary);
            String table = "kit_repl_" + primary.name();
            long token = System.nanoTime();
            try (Connection c = cluster.appConnection(primary); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS public." + table + " (token bigint)");
                s.execute("INSERT INTO public." + table + " VALUES (" + token + ")");
            }
            cluster.waitForReplay(primary, standby);
            try (Connection c = cluster.appConnection(standby); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM public." + table + " WHERE token = " + token)) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the standby of " + primary.name() + " must have the row");
            }
            try (Connection c = cluster.appConnection(standby); Statement s = c.createStatement()) {
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> s.execute("INSERT INTO public." + table + " VALUES (1)"));
                assertEquals("25006", e.getSQLState(), "a standby is read-only");
            }
        }
    }

    @Test
    void clientsOfOnePgBouncerShareServerConnectionsInTransactionMode() throws SQLException {
        ClusterNode n = cluster.coordinator();
        try (Connection a = cluster.bouncerConnection(n); Connection b = cluster.bouncerConnection(n)) {
            int pidA = backendPid(a);
            int pidB = backendPid(b);
            // With nothing else using the pool, both idle clients get the same first server connection.
            assertEquals(pidA, pidB, "two clients must share one server connection between transactions");
            // pgjdbc's startup-time backend pid is not the server's when PgBouncer sits in between.
            // PgBouncer hands out its own cancel key, so pgjdbc's startup-time pid is not the server's.
            int startupPid = a.unwrap(org.postgresql.PGConnection.class).getBackendPID();
            org.junit.jupiter.api.Assertions.assertNotEquals(pidA, startupPid);
        }
    }

    @Test
    void transactionPoolingLeaksSessionStateBetweenClients() throws SQLException {
        // The reason the driver pins per transaction: a session SET outlives the client's transaction.
        ClusterNode n = cluster.worker(2);
        try (Connection a = cluster.bouncerConnection(n); Connection b = cluster.bouncerConnection(n)) {
            try (Statement s = a.createStatement()) {
                s.execute("SET application_name TO 'leaky'");
                s.execute("SET search_path TO leaked_schema");
            }
            try (Statement s = b.createStatement(); ResultSet rs = s.executeQuery("SHOW search_path")) {
                assertTrue(rs.next());
                assertEquals("leaked_schema", rs.getString(1));
            }
            try (Statement s = a.createStatement()) {
                s.execute("RESET search_path");
            }
        }
    }

    @Test
    void poolIsSmallSoThatClientsQueue() throws Exception {
        ClusterNode n = cluster.worker(1);
        Set<Integer> pids = new HashSet<>();
        // Six concurrent transactions that each hold their server connection briefly.
        List<Thread> threads = new java.util.ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int i = 0; i < 6; i++) {
            threads.add(new Thread(() -> {
                try (Connection c = cluster.bouncerConnection(n); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), pg_sleep(0.3)")) {
                    rs.next();
                    synchronized (pids) {
                        pids.add(rs.getInt(1));
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(errors.isEmpty(), () -> "errors: " + errors);
        assertTrue(pids.size() <= 3, "PgBouncer's pool is 3 server connections, saw " + pids);
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void strictModeIsOnInCi() {
        // CI sets CI=true; then a missing PgBouncer or standby fails the start instead of degrading.
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertTrue(LocalCluster.strict());
            assertTrue(cluster.hasBouncers());
        } else {
            assertFalse(LocalCluster.strict());
        }
    }
}
