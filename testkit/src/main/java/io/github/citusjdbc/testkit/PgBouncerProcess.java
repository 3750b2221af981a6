package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A real PgBouncer in transaction pooling mode in front of one PostgreSQL server, with a small
 * pool (so that pooling effects show) and short timeouts (so that a dead server surfaces in seconds).
 */
final class PgBouncerProcess {
    /** Server connections per (database, user) pair: small on purpose, so clients share them. */
    static final int POOL_SIZE = 3;

    private final String name;
    private final Path executable;
    private final Path dir;
    private final int port;
    private final int serverPort;
    private final boolean tracking;
    /** Started by the kit and not stopped by it since: a process that is gone then exited on its own. */
    private boolean wanted;

    /**
     * @param tracking configure what PgBouncer 1.20+ offers for transaction pooling:
     *                 {@code track_extra_parameters = search_path} (each client's reported
     *                 {@code search_path} restored on the server connection it gets) and
     *                 {@code max_prepared_statements} (named prepared statements per client)
     */
    PgBouncerProcess(String name, Path executable, Path dir, int port, int serverPort, boolean tracking) {
        this.tracking = tracking;
        this.name = name;
        this.executable = executable;
        this.dir = dir;
        this.port = port;
        this.serverPort = serverPort;
    }

    int port() {
        return port;
    }

    Path pidFile() {
        return dir.resolve("pgbouncer.pid");
    }

    /** Writes the configuration and the auth file (plain-text passwords, so SCRAM works both ways). */
    void configure(List<String[]> users) throws IOException {
        Files.createDirectories(dir);
        StringBuilder auth = new StringBuilder();
        for (String[] u : users) {
            auth.append('"').append(u[0]).append("\" \"").append(u[1]).append("\"\n");
        }
        Files.writeString(dir.resolve("userlist.txt"), auth, StandardCharsets.UTF_8);
        String ini = String.join("\n",
                "[databases]",
                "* = host=127.0.0.1 port=" + serverPort,
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = scram-sha-256",
                "auth_file = " + dir.resolve("userlist.txt"),
                "admin_users = " + LocalCluster.ADMIN_USER,
                "pool_mode = transaction",
                "default_pool_size = " + POOL_SIZE,
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 2000",
                "server_connect_timeout = 2",
                "server_login_retry = 1",
                "query_wait_timeout = 10",
                "client_login_timeout = 10",
                "server_check_delay = 1",
                "ignore_startup_parameters = extra_float_digits",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + pidFile(),
                "log_connections = 0",
                "log_disconnections = 0",
                tracking ? "track_extra_parameters = search_path" : "",
                tracking ? "max_prepared_statements = 200" : "",
                "");
        Files.writeString(dir.resolve("pgbouncer.ini"), ini, StandardCharsets.UTF_8);
    }

    synchronized void start() {
        wanted = true;
        Exec.runAsService(List.of(executable.toString(), "-d", dir.resolve("pgbouncer.ini").toString()), null, 30);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (pid().isPresent() && accepts()) {
                return;
            }
            PostgresServer.sleep(Duration.ofMillis(20));
        }
        throw new IllegalStateException("PgBouncer " + name + " did not start; see " + dir.resolve("pgbouncer.log"));
    }

    private boolean accepts() {
        try (java.net.Socket probe = new java.net.Socket("127.0.0.1", port)) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    synchronized void stop() {
        wanted = false;
        OptionalLong pid = pid();
        if (pid.isPresent()) {
            ProcessHandle.of(pid.getAsLong()).ifPresent(ph -> {
                // SIGTERM takes PgBouncer 1.18 about 2 s; it holds no state worth a clean exit.
                ph.destroyForcibly();
                PostgresServer.waitForExit(ph);
            });
            try {
                // a killed PgBouncer leaves its pidfile, and refuses to start again while it is there
                Files.deleteIfExists(pidFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Starts this PgBouncer again when it exited on its own (not stopped by the kit), as a supervisor
     * such as systemd's {@code Restart=on-failure} would.
     *
     * @return why it had exited (the last FATAL line of its log, or a note that there is none), or
     *         null when it runs or the kit stopped it
     */
    synchronized String restartIfExited() {
        if (!wanted || isRunning()) {
            return null;
        }
        String why = lastFatal();
        try {
            // its pidfile names the dead process (still a zombie until reaped): PgBouncer refuses to start over it
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
        return why;
    }

    /** @return the FATAL line the last process logged (not a server's FATAL quoted in a warning), or a note */
    private String lastFatal() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0 && !lines.get(i).contains(" process up: "); i--) {
                if (lines.get(i).contains("] FATAL ")) {
                    return lines.get(i);
                }
            }
            return "no FATAL in its log";
        } catch (IOException e) {
            return "its log is unreadable: " + e.getMessage();
        }
    }

    /** @return e.g. {@code PgBouncer 1.18 of coordinator} */
    String describe() {
        return "PgBouncer " + (tracking ? "1.25" : "1.18") + " of " + name.replace(" (1.25)", "");
    }

    boolean isRunning() {
        OptionalLong pid = pid();
        return pid.isPresent() && ProcessHandle.of(pid.getAsLong()).map(ph -> !PostgresServer.gone(ph)).orElse(false);
    }

    OptionalLong pid() {
        return pidFrom(pidFile());
    }

    static OptionalLong pidFrom(Path pidFile) {
        try {
            return OptionalLong.of(Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim()));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
