package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LocalCluster#kill} leaves nothing attached to the node's shared memory, so that the node
 * starts again. A backend the postmaster forks while the kit snapshots its children escapes the
 * kill of the process tree; it is reproduced here by a backend that cannot notice its postmaster's
 * death (stopped with SIGSTOP) and a postmaster killed alone.
 */
class KillTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1).withStandbys(false, false));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aBackendThatOutlivedItsPostmasterIsKilledAndTheNodeStartsAgain() throws Exception {
        ClusterNode worker = cluster.worker(1);
        long backend;
        Path dataDir;
        try (Connection c = cluster.admin(worker); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), current_setting('data_directory')")) {
            assertTrue(rs.next());
            backend = rs.getLong(1);
            dataDir = Path.of(rs.getString(2));
            ProcessHandle straggler = ProcessHandle.of(backend).orElseThrow();
            signal("STOP", backend);
            try {
                ProcessHandle postmaster = ProcessHandle.of(PostgresServer.pidOf(dataDir).orElseThrow()).orElseThrow();
                postmaster.destroyForcibly();
                PostgresServer.waitForExit(postmaster);
                PostgresServer.sleep(Duration.ofMillis(500));
                assertFalse(PostgresServer.gone(straggler), "the stopped backend outlives its postmaster");

                cluster.kill(worker);

                assertTrue(PostgresServer.gone(straggler), "kill() must not leave the backend " + backend + " behind");
            } finally {
                if (!PostgresServer.gone(straggler)) {
                    signal("KILL", backend);
                }
            }
        }
        cluster.start(worker); // failed with "pre-existing shared memory block is still in use"
        try (Connection c = cluster.appConnection(worker); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process p = new ProcessBuilder(List.of("kill", "-" + signal, Long.toString(pid))).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }
}
