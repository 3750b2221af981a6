package io.github.citusjdbc.topology;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs topology refreshes later, on a background thread. Abstracted so that tests can run
 * scheduled work by advancing a fake clock instead of sleeping. Implementations must be
 * thread-safe.
 */
public interface RefreshScheduler {

    /**
     * Runs {@code task} once after {@code delayNanos}.
     *
     * @param task       the task; exceptions it throws are logged and otherwise ignored
     * @param delayNanos the delay, 0 for "as soon as possible"
     * @return a handle to cancel the task if it has not started
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /** Cancels a scheduled task. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; does nothing otherwise. Idempotent. */
        void cancel();
    }

    /** @return the JVM-wide scheduler: two daemon threads named {@code citus-jdbc-topology-N} */
    static RefreshScheduler shared() {
        return Shared.INSTANCE;
    }

    /** Holder of the shared scheduler, created on first use. */
    final class Shared implements RefreshScheduler {
        private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);
        private static final Shared INSTANCE = new Shared();
        private final ScheduledThreadPoolExecutor executor;

        private Shared() {
            AtomicInteger n = new AtomicInteger();
            // Two threads: a refresh stuck on a dead host (bounded by the socket timeout) delays no other cluster.
            executor = new ScheduledThreadPoolExecutor(2, r -> {
                Thread t = new Thread(r, "citus-jdbc-topology-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true);
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = executor.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("topology task failed", e);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }
    }
}
