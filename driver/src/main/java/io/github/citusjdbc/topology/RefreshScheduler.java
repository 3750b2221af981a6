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

    /**
     * @return the JVM-wide scheduler: up to two daemon threads named {@code citus-jdbc-topology-N},
     *         which end when idle and are created again when needed
     */
    static Shared shared() {
        return Shared.INSTANCE;
    }

    /**
     * The JVM-wide scheduler. Its threads leak nothing of the application: they end after
     * {@link #KEEP_ALIVE_SECONDS} without work, inherit no thread-local values, and their context
     * class loader is the driver's (not that of whichever application thread first needed one), so a
     * redeployed application's class loader can be collected. {@link #shutdown()} (the driver's
     * deregistration) stops them at once; the next schedule starts new ones.
     */
    final class Shared implements RefreshScheduler {
        private static final Logger LOG = LoggerFactory.getLogger(RefreshScheduler.class);
        private static final Shared INSTANCE = new Shared();
        /** How long an idle thread is kept. */
        static final long KEEP_ALIVE_SECONDS = 5;
        private final AtomicInteger n = new AtomicInteger();
        private ScheduledThreadPoolExecutor executor; // guarded by this; null until needed and after shutdown

        private Shared() {
        }

        @Override
        public Cancellable schedule(Runnable task, long delayNanos) {
            ScheduledFuture<?> f = executor().schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("topology task failed", e);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        /** Stops the threads now, dropping every scheduled task; a later {@link #schedule} starts new ones. */
        public synchronized void shutdown() {
            if (executor != null) {
                executor.shutdownNow();
                executor = null;
            }
        }

        private synchronized ScheduledThreadPoolExecutor executor() {
            if (executor == null) {
                // Two threads: a refresh stuck on a dead host (bounded by the socket timeout) delays no other cluster.
                executor = new ScheduledThreadPoolExecutor(2, this::newThread);
                executor.setRemoveOnCancelPolicy(true);
                executor.setKeepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
                executor.allowCoreThreadTimeOut(true);
            }
            return executor;
        }

        @SuppressWarnings("removal") // doPrivileged: the thread must not inherit the caller's access control context
        private Thread newThread(Runnable r) {
            return java.security.AccessController.doPrivileged((java.security.PrivilegedAction<Thread>) () -> {
                Thread t = new Thread(null, r, "citus-jdbc-topology-" + n.incrementAndGet(), 0, false);
                t.setDaemon(true);
                t.setContextClassLoader(RefreshScheduler.class.getClassLoader());
                return t;
            });
        }
    }
}
