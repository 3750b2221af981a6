package io.github.citusjdbc.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the slow steps of starting and stopping a cluster (servers, PgBouncers) side by side, at
 * most four at a time: the machines are small, and each step mostly waits on a process.
 */
final class Parallel {
    private static final int MAX_THREADS = 4;

    private Parallel() {
    }

    /**
     * Runs every task and waits for all of them.
     *
     * @throws RuntimeException the first failure in task order, as thrown (a checked cause wrapped
     *                          in {@link IllegalStateException}); the tasks not yet done are interrupted
     */
    static void run(List<Runnable> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(tasks.size(), MAX_THREADS)));
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (Runnable r : tasks) {
                fs.add(pool.submit(r));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
