package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * Finds and removes what a killed JVM left behind: servers started with {@code pg_ctl} and
 * daemonized PgBouncers outlive it. A run directory whose owner JVM is gone is stale.
 */
final class Leftovers {
    static final String OWNER_FILE = "owner.pid";

    private Leftovers() {
    }

    /** @return how many stale run directories were cleaned */
    static int clean(Path base) {
        if (!Files.isDirectory(base)) {
            return 0;
        }
        int cleaned = 0;
        try (Stream<Path> runs = Files.list(base)) {
            for (Path run : runs.filter(p -> p.getFileName().toString().startsWith("run-")).toList()) {
                if (!ownerAlive(run)) {
                    killServers(run);
                    deleteTree(run);
                    cleaned++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot scan " + base, e);
        }
        return cleaned;
    }

    private static boolean ownerAlive(Path run) {
        OptionalLong owner = PgBouncerProcess.pidFrom(run.resolve(OWNER_FILE));
        if (owner.isEmpty()) {
            // Another JVM may have just created it and not yet written its owner file.
            return youngerThan(run, java.time.Duration.ofMinutes(2));
        }
        return ProcessHandle.of(owner.getAsLong())
                .filter(ProcessHandle::isAlive)
                .map(ph -> ph.info().command().map(c -> c.contains("java")).orElse(true))
                .orElse(false);
    }

    private static boolean youngerThan(Path p, java.time.Duration age) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isAfter(java.time.Instant.now().minus(age));
        } catch (IOException e) {
            return false; // vanished meanwhile: nothing to keep
        }
    }

    /** Kills every postmaster and PgBouncer recorded below {@code run}, checking the pid is really one. */
    static void killServers(Path run) {
        if (!Files.isDirectory(run)) {
            return; // already cleaned (e.g. by another JVM's leftover scan)
        }
        try (Stream<Path> files = Files.walk(run, 3)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.equals("postmaster.pid")) {
                    killIf(PostgresServer.pidOf(f.getParent()), "postgres");
                } else if (n.equals("pgbouncer.pid")) {
                    killIf(PgBouncerProcess.pidFrom(f), "pgbouncer");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot scan " + run, e);
        }
    }

    private static void killIf(OptionalLong pid, String expectedCommand) {
        if (pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(pid.getAsLong())
                // The pid may have been reused by an unrelated process since: check what it runs.
                .filter(ph -> ph.info().command().map(c -> c.contains(expectedCommand)).orElse(false))
                .ifPresent(ph -> {
                    List<ProcessHandle> children = ph.descendants().toList();
                    ph.destroyForcibly();
                    children.forEach(ProcessHandle::destroyForcibly);
                    PostgresServer.waitForExit(ph);
                });
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    static void writeOwner(Path run) throws IOException {
        Files.writeString(run.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
    }
}
