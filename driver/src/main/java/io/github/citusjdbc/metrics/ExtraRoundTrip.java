package io.github.citusjdbc.metrics;

/**
 * A round trip the driver made on its own, beyond the application's statements: the tag of
 * {@code CitusMetrics.getExtraRoundTrips()}. Pinning aims at none; these count where it could not.
 */
public enum ExtraRoundTrip {
    /**
     * The pin sent alone before an execution that cannot carry it in its own string (a
     * CallableStatement or COPY under some modes, a statement that itself sets {@code search_path},
     * a metadata query opening a transaction with the isolation level).
     */
    PIN("pin"),
    /** {@code COMMIT} after an autocommit execution whose pin was sent alone with {@code BEGIN}. */
    COMMIT("commit"),
    /** {@code ROLLBACK} cleaning up after a failed envelope, or a transaction left open with autocommit on. */
    ROLLBACK("rollback"),
    /**
     * {@code RESET search_path} after a failed statement-pinned execution that pgjdbc split with a
     * Sync (a server-prepared statement with a parameter of unknown type), whose {@code SET} was
     * committed before the error.
     */
    RESET("reset");

    private final String key;

    ExtraRoundTrip(String key) {
        this.key = key;
    }

    /** @return the name used in metrics */
    public String key() {
        return key;
    }
}
