package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.routing.SqlErrors;
import java.sql.SQLException;

/**
 * {@code failoverWait}: a unit of work that failed because a node could not be reached before
 * anything was sent runs again after a pause, until it succeeds or the wait is used up. Which
 * failures qualify is {@link SqlErrors#notSent}; only a unit's first statement qualifies (an
 * autocommit statement, or a transaction's first, after rolling the failed transaction back), so
 * nothing the application did before is lost and nothing is applied twice. Pauses grow from 25 ms
 * to 500 ms; each asks routing for an early topology refresh.
 */
final class FailoverWait {

    private static final long FIRST_PAUSE_NANOS = 25_000_000L;
    private static final long MAX_PAUSE_NANOS = 500_000_000L;

    /** One run of the unit's statement. */
    interface Attempt<T> {
        T run() throws SQLException;
    }

    private FailoverWait() {
    }

    static <T> T run(LogicalConnection connection, long waitNanos, Attempt<T> attempt) throws SQLException {
        long deadline = 0;
        long pause = FIRST_PAUSE_NANOS;
        for (;;) {
            try {
                return attempt.run();
            } catch (SQLException e) {
                if (!connection.pins.unitFresh() || connection.isClosed() || !SqlErrors.notSent(e)) {
                    throw e;
                }
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + waitNanos;
                }
                long left = deadline - now;
                if (left <= 0) {
                    throw e;
                }
                connection.units.beforeRunningAgain(e);
                try {
                    Thread.sleep(Math.max(1, Math.min(pause, left) / 1_000_000));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
            }
        }
    }
}
