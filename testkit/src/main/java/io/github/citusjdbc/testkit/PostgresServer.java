package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One real PostgreSQL server process on loopback, driven through {@code pg_ctl}.
 * The postmaster is detached from this JVM; {@link Leftovers} finds it if the JVM dies.
 */
final class PostgresServer {
    private final String name;
    private final Binaries bin;
    private final Path dataDir;
    private final Path socketDir;
    private final int port;

    PostgresServer(String name, Binaries bin, Path dataDir, Path socketDir, int port) {
        this.name = name;
        this.bin = bin;
        this.dataDir = dataDir;
        this.socketDir = socketDir;
        this.port = port;
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    Path dataDir() {
        return dataDir;
    }

    Path logFile() {
        return dataDir.getParent().resolve(name + ".log");
    }

    /** Creates a new data directory with the superuser and the kit's settings. */
    static void initdb(Binaries bin, Path dataDir, String superuser, Path pwFile) {
        Exec.runAsService(List.of(bin.tool("initdb"), "-D", dataDir.toString(), "-U", superuser,
                "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"), null, 120);
    }

    /**
     * Writes the settings every server of the cluster shares (copies and base backups inherit them).
     *
     * @param citus preload Citus (every node of a Citus cluster must); false for a plain PostgreSQL server
     */
    static void configure(Path dataDir, String superuser, boolean citus) throws IOException {
        // citus_schema_move's default (logical) transfer mode needs logical decoding.
        String preload = citus ? "shared_preload_libraries = 'citus'\nwal_level = logical" : "wal_level = replica";
        String conf = String.join("\n",
                "",
                "# citus-jdbc test kit",
                preload,
                "listen_addresses = '127.0.0.1'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "max_connections = 300",
                "shared_buffers = 32MB",
                "max_wal_senders = 10",
                "max_replication_slots = 10",
                "wal_keep_size = 256MB",
                "hot_standby = on",
                "hot_standby_feedback = on",
                "wal_receiver_status_interval = 1s",
                "checkpoint_timeout = 30min",
                "log_min_messages = warning",
                "log_line_prefix = '%m [%p] %u@%d '",
                "timezone = 'UTC'",
                "");
        Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        // Loopback only; the kit's own replication needs no password, everything else needs one.
        String hba = String.join("\n",
                "local all all trust",
                "host replication " + superuser + " 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 scram-sha-256",
                "");
        Files.writeString(dataDir.resolve("pg_hba.conf"), hba, StandardCharsets.UTF_8);
    }

    /** Starts the server and waits until it accepts connections (or, for a standby, is consistent). */
    void start() {
        IllegalStateException last = null;
        // After kill -9, orphaned backends may hold the old shared memory for a while: retry for ~10 s.
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                Exec.runAsService(List.of(bin.tool("pg_ctl"), "-D", dataDir.toString(), "-l", logFile().toString(),
                        "-w", "-t", "60", "-o", "-p " + port + " -k " + socketDir, "start"), serverEnvironment(), 90);
                return;
            } catch (IllegalStateException e) {
                last = e;
                sleep(Duration.ofMillis(500));
            }
        }
        throw new IllegalStateException(name + " did not start; log " + logFile() + ":\n" + tail(), last);
    }

    /** The node-to-node password file (Citus connects between nodes as the calling user), when the run has one. */
    private java.util.Map<String, String> serverEnvironment() {
        Path pgpass = dataDir.getParent().resolve("pgpass");
        return java.nio.file.Files.exists(pgpass) ? java.util.Map.of("PGPASSFILE", pgpass.toString()) : null;
    }

    /** Fast shutdown: rolls back open transactions, disconnects clients, waits for the exit. */
    void stop() {
        stop("fast");
    }

    void stop(String mode) {
        if (isRunning()) {
            Exec.runAsService(List.of(bin.tool("pg_ctl"), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60", "stop"), null, 90);
        }
    }

    /** kill -9 of the postmaster and all its children: what a crash of the node looks like. */
    void kill() {
        OptionalLong pid = pid();
        Optional<ProcessHandle> ph = pid.isPresent() ? ProcessHandle.of(pid.getAsLong()) : Optional.empty();
        if (ph.isPresent()) {
            List<ProcessHandle> children = ph.get().descendants().toList();
            ph.get().destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            waitForExit(ph.get());
            children.forEach(PostgresServer::waitForExit);
        }
        killStragglers();
    }

    /**
     * A backend the postmaster forked after the snapshot of its children above survives the kill,
     * reparented to init, and keeps the old shared memory attached; the next start then fails with
     * "pre-existing shared memory block is still in use". Every PostgreSQL process runs with the data
     * directory as its working directory, so this sweeps the processes whose {@code cwd} is this
     * data directory until none is left.
     */
    private void killStragglers() {
        Path dir;
        try {
            dir = dataDir.toRealPath(); // /proc shows the resolved path
        } catch (IOException e) {
            return; // no data directory, no process can run in it
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> !gone(p) && dir.equals(cwdOf(p)))
                    .toList();
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": processes " + left.stream().map(ProcessHandle::pid).toList()
                        + " still run in " + dir + " 30 s after kill -9");
            }
            left.forEach(ProcessHandle::destroyForcibly);
            left.forEach(PostgresServer::waitForExit);
        }
    }

    private static Path cwdOf(ProcessHandle p) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // gone, or not ours to read
        }
    }

    /** Promotes a standby to a primary and waits until it accepts writes. */
    void promote() {
        Exec.runAsService(List.of(bin.tool("pg_ctl"), "-D", dataDir.toString(), "-w", "-t", "60", "promote"), null, 90);
    }

    /** Pauses or resumes WAL replay is done through SQL; this tells whether the postmaster lives. */
    boolean isRunning() {
        OptionalLong pid = pid();
        return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ph -> !PostgresServer.gone(ph)).orElse(false);
    }

    /** @return the postmaster's pid from {@code postmaster.pid}, if the file exists */
    OptionalLong pid() {
        return pidOf(dataDir);
    }

    static OptionalLong pidOf(Path dataDir) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Takes a streaming base backup of this (running) server into {@code target}, set up as its standby. */
    void baseBackupTo(Path target, String superuser) {
        Exec.runAsService(List.of(bin.tool("pg_basebackup"), "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-U", superuser, "-D", target.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
                Map.of(), 180);
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void waitForExit(ProcessHandle ph) {
        // Not our child (pg_ctl and pgbouncer -d detach), so poll: onExit() polls far more slowly.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!gone(ph) && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        if (!gone(ph)) {
            throw new IllegalStateException("process " + ph.pid() + " did not exit within 30 s");
        }
    }

    /**
     * Dead, or a zombie: a daemon reparented to an init that reaps slowly stays a zombie for
     * a while, and {@link ProcessHandle#isAlive()} counts zombies as alive.
     */
    static boolean gone(ProcessHandle ph) {
        if (!ph.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(ph.pid()), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
        } catch (IOException e) {
            return true; // no /proc entry: gone
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return name + "@" + port;
    }
}
