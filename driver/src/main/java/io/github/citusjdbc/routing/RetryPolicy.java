package io.github.citusjdbc.routing;

/**
 * Whether a failed statement may run again on another route. Only one case is retried: an
 * autocommit read-only statement whose node was unavailable, when nothing can have happened on
 * the server — it failed while connecting, or it failed before any result arrived on a secondary
 * (a hot standby cannot have written anything). It is retried once. Everything else surfaces:
 * transactions (their earlier statements are lost with the node), statements after a result
 * arrived (the application saw part of it), writes, and the application's own errors. Pure.
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
        if (!autocommit || !readOnly || attempt != 1 || kind != SqlErrors.Kind.NODE_UNAVAILABLE) {
            return false;
        }
        return phase == Phase.CONNECT || (phase == Phase.BEFORE_RESULT && failed.readsSecondary());
    }
}
