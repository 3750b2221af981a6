package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stopping a cluster, or finding one a dead JVM left behind, leaves no process and no files. */
class TeardownTest {
    private static final LocalCluster.Options SMALL = LocalCluster.Options.defaults().withWorkers(1).withStandbys(false, true);

    @Test
    void closeStopsEveryServerAndPgBouncerAndDeletesTheRunDirectory() {
        LocalCluster c = LocalCluster.start(SMALL);
        List<Long> pids = c.processIds();
        Path run = c.runDir();
        assertTrue(pids.size() >= 6, "3 servers and 3 PgBouncers expected, got " + pids);
        assertTrue(pids.stream().allMatch(TeardownTest::alive));
        c.close();
        c.close(); // idempotent
        for (long pid : pids) {
            assertFalse(alive(pid), "process " + pid + " survived close()");
        }
        assertFalse(Files.exists(run), run + " must be deleted");
    }

    @Test
    void leftoversOfAKilledJvmAreRemovedAtTheNextStart() throws Exception {
        LocalCluster c = LocalCluster.start(SMALL);
        List<Long> pids = c.processIds();
        Path run = c.runDir();
        // Pretend the owning JVM died: point owner.pid at a process that no longer exists.
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(run.resolve(Leftovers.OWNER_FILE), Long.toString(gone.pid()), StandardCharsets.UTF_8);

        Leftovers.clean(LocalCluster.baseDir());

        for (long pid : pids) {
            assertFalse(alive(pid), "leftover process " + pid + " was not killed");
        }
        assertFalse(Files.exists(run), "leftover run directory was not removed");
        c.close(); // nothing left to do, must not fail
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ph -> !PostgresServer.gone(ph)).orElse(false);
    }
}
