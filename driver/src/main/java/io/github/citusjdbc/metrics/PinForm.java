package io.github.citusjdbc.metrics;

/**
 * How a tenant's {@code search_path} (or the isolation level the driver sends per transaction)
 * went to the server with a statement: the tag of {@code CitusMetrics.getPinsByForm()}. Which forms
 * a connection uses follows from {@code tenantPinning} and the declared pooler (docs/pinning.md).
 */
public enum PinForm {
    /**
     * {@code BEGIN; SET LOCAL search_path ...; <sql>; COMMIT} around an autocommit statement
     * ({@code tenantPinning=transaction}): on Citus a distributed transaction, the costly form.
     */
    ENVELOPE("envelope"),
    /** {@code SET LOCAL search_path ...} (and the isolation) ahead of the first statement of the application's transaction. */
    TRANSACTION("transaction"),
    /** {@code SET search_path ...} ahead of a statement whose tenant differs from the server's (session pinning). */
    SESSION("session"),
    /** {@code SET search_path ...; <sql>; RESET search_path}, one implicit transaction (statement pinning). */
    STATEMENT("statement");

    private final String key;

    PinForm(String key) {
        this.key = key;
    }

    /** @return the name used in metrics */
    public String key() {
        return key;
    }
}
