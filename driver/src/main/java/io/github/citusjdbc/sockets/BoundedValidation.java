package io.github.citusjdbc.sockets;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ScheduledFuture;

/**
 * {@code isValid} on a physical connection, bounded without a socket timeout (see the package
 * description): the check runs without one ({@code isValid(0)}) and a timer aborts the connection if
 * it has not answered in time, which makes the check fail. pgjdbc's own bound ends the same way: a
 * read that times out closes the connection. A connection that already has a socket timeout, and a
 * check without a bound ({@code 0}) or with an invalid one, go to pgjdbc as they are.
 */
public final class BoundedValidation {

    private BoundedValidation() {
    }

    /**
     * @param c       the connection
     * @param seconds at most this long
     * @return whether it answered in time (when not, it is aborted)
     */
    public static boolean isValid(Connection c, int seconds) throws SQLException {
        if (c.isClosed()) {
            return false;
        }
        if (seconds <= 0 || c.getNetworkTimeout() > 0) {
            return c.isValid(seconds); // pgjdbc's own: no bound, an invalid one, or reads that time out already
        }
        ScheduledFuture<?> abort = SocketTimer.after(seconds * 1000L, () -> abortQuietly(c));
        try {
            return c.isValid(0) && !abort.isDone();
        } finally {
            abort.cancel(false);
        }
    }

    private static void abortQuietly(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // the check fails either way
        }
    }
}
