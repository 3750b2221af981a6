package io.github.citusjdbc.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Restarts a PgBouncer of the kit that exited on its own, as systemd's {@code Restart=on-failure}
 * (with its default {@code RestartSec=100ms}) would, and keeps a record of each restart. A PgBouncer
 * the kit stopped (a fault, the teardown) is left alone.
 *
 * <p>Why: PgBouncer 1.18.0 (Debian 12's) exits with {@code FATAL ... server_proto: server in bad state: 11}
 * when a server connection whose query was just cancelled (a cancel request still in flight) gets a
 * message or is lost, e.g. when its backend is terminated or its server killed (fixed in 1.19.0 and
 * 1.21.0, pgbouncer#815 and #927; docs/faults.md, "Known limits"). Thread-safe.
 */
final class BouncerSupervisor implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    private final List<PgBouncerProcess> bouncers;
    private final List<String> restarts = new ArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    /** @param bouncers the PgBouncers to watch */
    BouncerSupervisor(List<PgBouncerProcess> bouncers) {
        this.bouncers = List.copyOf(bouncers);
        this.thread = new Thread(this::watch, "citus-testkit-bouncer-supervisor");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        while (!closed) {
            for (PgBouncerProcess b : bouncers) {
                String why;
                try {
                    why = b.restartIfExited();
                } catch (RuntimeException e) {
                    why = "restart failed: " + e.getMessage();
                }
                if (why != null) {
                    String restart = b.describe() + " exited on its own (" + why + "); started again";
                    synchronized (restarts) {
                        restarts.add(restart);
                    }
                    LocalCluster.log(restart);
                }
            }
            PostgresServer.sleep(POLL);
        }
    }

    /** @return every restart so far, oldest first: which PgBouncer and the last FATAL line of its log */
    List<String> restarts() {
        synchronized (restarts) {
            return List.copyOf(restarts);
        }
    }

    /** Stops watching (waits for the current poll to end). */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
