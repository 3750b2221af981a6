package io.github.citusjdbc.routing;

/**
 * Asks the topology for an early, rate-limited refresh; {@code lease::requestEarlyRefresh} of the
 * topology package fits.
 */
@FunctionalInterface
public interface EarlyRefresh {
    /**
     * @param reason why, for the DEBUG log (no secrets)
     * @return true when a refresh was scheduled (false when rate-limited)
     */
    boolean request(String reason);

    /** @return a refresher that ignores every request */
    static EarlyRefresh none() {
        return reason -> false;
    }
}
