package io.github.citusjdbc.tenant;

/** How a pinned tenant reaches the server: the {@code tenantPinning} property. */
public enum PinningMode {
    /** {@code SET LOCAL search_path} inside every transaction: safe behind transaction pooling. */
    TRANSACTION("transaction"),
    /** {@code SET search_path} once per physical connection when it differs: direct connections only. */
    SESSION("session");

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
        return SESSION.value.equals(value) ? SESSION : TRANSACTION;
    }
}
