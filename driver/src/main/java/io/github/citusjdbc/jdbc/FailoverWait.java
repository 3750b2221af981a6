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

    private final LogicalConnection connection;
    private final long deadline;
    private long pause = FIRST_PAUSE_NANOS;

    /** At the unit's first failure: the wait starts now. */
    FailoverWait(LogicalConnection connection, long waitNanos) {
        this.connection = connection;
        this.deadline = System.nanoTime() + waitNanos;
    }

    /**
     * After a failed run of the unit: pauses so that it can run again, or throws {@code failure} when
     * it may not (something was sent, it was not the unit's first statement, the wait is used up).
     */
    void pauseOrThrow(SQLException failure) throws SQLException {
        if (!connection.pins.unitFresh() || connection.isClosed() || !SqlErrors.notSent(failure)) {
            throw failure;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw failure;
        }
        connection.units.beforeRunningAgain(failure);
        try {
            Thread.sleep(Math.max(1, Math.min(pause, left) / 1_000_000));
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw failure;
        }
        pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
}
