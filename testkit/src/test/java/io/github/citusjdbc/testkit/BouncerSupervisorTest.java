package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LocalCluster#superviseBouncers()} starts a PgBouncer that exited on its own again (as PgBouncer
 * 1.18.0 does on a bug of its cancel handling), and leaves alone one the kit stopped.
 */
class BouncerSupervisorTest {
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1).withStandbys(false, false));
        cluster.superviseBouncers();
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aPgBouncerThatExitedOnItsOwnIsStartedAgainAndOneTheKitStoppedIsNot() throws Exception {
        ClusterNode worker = cluster.worker(1);
        long pid = PgBouncerProcess.pidFrom(cluster.runDir().resolve("bouncer-worker1").resolve("pgbouncer.pid")).orElseThrow();
        ProcessHandle bouncer = ProcessHandle.of(pid).orElseThrow();
        bouncer.destroyForcibly(); // not through the kit: as a crash
        LocalCluster.waitUntil(() -> !cluster.bouncerRestarts().isEmpty(), Duration.ofSeconds(10), "a restart");
        List<String> restarts = cluster.bouncerRestarts();
        assertEquals(1, restarts.size(), restarts.toString());
        assertTrue(restarts.get(0).startsWith("PgBouncer 1.18 of worker1 exited on its own"), restarts.get(0));
        try (Connection c = cluster.bouncerConnection(worker); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1")) {
            assertTrue(rs.next(), "the restarted PgBouncer serves");
        }

        cluster.setBouncerRunning(worker, false);
        PostgresServer.sleep(Duration.ofMillis(500));
        assertEquals(restarts, cluster.bouncerRestarts(), "a PgBouncer the kit stopped stays stopped");
        cluster.setBouncerRunning(worker, true);
    }
}
