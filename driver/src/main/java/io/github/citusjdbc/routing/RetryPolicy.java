package io.github.citusjdbc.routing;

/**
 * Whether a failed statement may run again on another route, once, when its node was unavailable
 * and nothing can have happened on the server: any unit of work whose physical connection could
 * not be opened (nothing was sent: the unit moves on to the next eligible node, also a transaction
 * or a write, at its first statement), and an autocommit read-only statement that failed before any
 * result arrived on a secondary (a hot standby cannot have written anything). Everything else
 * surfaces: a transaction's later statements (its earlier ones are lost with the node), statements
 * after a result arrived (the application saw part of it), writes in flight, and the application's
 * own errors. Pure.
 */
public final class RetryPolicy {

    /** How far a statement got when it failed. */
    public enum Phase {
        /** Opening the physical connection: nothing was sent. */
        CONNECT,
        /** Sent, but no row, count or other result arrived. */
        BEFORE_RESULT,
        /** A result (or part of one) reached the application. */
        AFTER_RESULT
    }

    private RetryPolicy() {
    }

    /**
     * @param autocommit whether the statement was its own unit of work
     * @param readOnly   whether the connection was read-only when the unit started
     * @param attempt    1 for the first execution, 2 for a retry
     * @param phase      how far the statement got
     * @param kind       the failure, as {@link SqlErrors#classify} tells
     * @param failed     the route it failed on
     * @return true when the statement may be executed once more, on
     *         {@link RouteDecider#decideAvoiding the route decided avoiding the failed one}
     *         (when that returns null there is no other route: do not retry)
     */
    public static boolean mayRetry(boolean autocommit, boolean readOnly, int attempt, Phase phase, SqlErrors.Kind kind,
                                   Route failed) {
        if (attempt != 1 || kind != SqlErrors.Kind.NODE_UNAVAILABLE) {
            return false;
        }
        if (phase == Phase.CONNECT) {
            return true;
        }
        return autocommit && readOnly && phase == Phase.BEFORE_RESULT && failed.readsSecondary();
    }
}
