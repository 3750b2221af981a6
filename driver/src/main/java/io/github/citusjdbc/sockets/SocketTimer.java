package io.github.citusjdbc.sockets;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of this package: it closes a login's socket or aborts a validation that did
 * not end in time. Daemon, created at first use, ended after 10 s without work.
 */
final class SocketTimer {

    private static ScheduledThreadPoolExecutor timer; // guarded by the class

    private SocketTimer() {
    }

    /** Runs {@code action} after {@code millis} unless the returned future is cancelled first. */
    static ScheduledFuture<?> after(long millis, Runnable action) {
        return timer().schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    private static synchronized ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "citus-jdbc-socket-timer");
                th.setDaemon(true);
                return th;
            });
            t.setKeepAliveTime(10, TimeUnit.SECONDS);
            t.allowCoreThreadTimeOut(true);
            t.setRemoveOnCancelPolicy(true);
            timer = t;
        }
        return timer;
    }
}
