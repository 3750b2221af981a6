package io.github.citusjdbc.topology;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.PriorityQueue;

/** A fake clock that is also the scheduler: scheduled work runs only when the test advances time. */
final class ManualClock implements Ticker, RefreshScheduler {

    private long now = 1_000_000_000L;
    private long sequence;
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();

    @Override
    public synchronized long read() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Runnable task, long delayNanos) {
        Task t = new Task(now + delayNanos, sequence++, task);
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Moves time forward, running every task that falls due, each at its own due time. */
    void advance(Duration d) {
        long target;
        synchronized (this) {
            target = now + d.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            if (!next.cancelled) {
                next.task.run();
            }
        }
    }

    /** Runs what is due now. */
    void runDue() {
        advance(Duration.ZERO);
    }

    /** @return the delay until the earliest live task, or null when none is scheduled */
    synchronized Duration nextDelay() {
        return tasks.stream().filter(t -> !t.cancelled).min(Task::compareTo)
                .map(t -> Duration.ofNanos(t.due - now)).orElse(null);
    }

    private static final class Task implements Comparable<Task> {
        final long due;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Task(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }
}
