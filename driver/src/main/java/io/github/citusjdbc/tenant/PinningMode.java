package io.github.citusjdbc.tenant;

/** How a pinned tenant reaches the server: the {@code tenantPinning} property. */
public enum PinningMode {
    /** {@code SET LOCAL search_path} inside every transaction: safe behind transaction pooling. */
    TRANSACTION("transaction"),
    /**
     * {@code SET search_path} when it differs from what the server has, in the same round trip as the
     * statement that needs it where it can carry it: direct connections or a pooler tracking it.
     */
    SESSION("session"),
    /**
     * Per autocommit statement {@code SET search_path TO "t"; <sql>; RESET search_path}, one implicit
     * transaction (no {@code BEGIN}: on Citus not a distributed transaction), used only where pgjdbc
     * sends it with a single Sync (it never prepares on the server: {@code prepareThreshold=0});
     * otherwise, and for transactions, as {@link #TRANSACTION}. Safe behind any transaction pooler.
     */
    STATEMENT("statement"),
    /**
     * The fastest safe mode for the declared pooler: {@link #SESSION} for direct connections,
     * PgBouncer in session mode and PgBouncer tracking {@code search_path}; {@link #STATEMENT}
     * behind a transaction pooler without tracking. Resolved when the configuration is read.
     */
    AUTO("auto");

    private final String value;

    PinningMode(String value) {
        this.value = value;
    }

    /** @return the property value naming this mode */
    public String value() {
        return value;
    }

    /**
     * @param value a property value, already checked against the allowed values
     * @return the mode it names
     */
    public static PinningMode of(String value) {
        for (PinningMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        return AUTO;
    }
}
