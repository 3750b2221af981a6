package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusProperty;
import java.sql.SQLException;
import java.util.Properties;

/** The connection pooler in front of the servers, from {@link CitusProperty#POOLER}. */
public enum Pooler {
    /** Direct connections to PostgreSQL. */
    NONE("none"),
    /** PgBouncer in transaction pooling mode: no session state survives a transaction. */
    PGBOUNCER_TRANSACTION("pgbouncer-transaction"),
    /**
     * PgBouncer >= 1.21 in transaction pooling mode with {@code track_extra_parameters = search_path}
     * (it restores each client's reported {@code search_path} on the server connection it hands out)
     * and {@code max_prepared_statements} (named prepared statements are safe).
     */
    PGBOUNCER_TRANSACTION_TRACKING("pgbouncer-transaction-tracking"),
    /** PgBouncer in session pooling mode: session state is kept, startup parameters are limited. */
    PGBOUNCER_SESSION("pgbouncer-session");

    private final String value;

    Pooler(String value) {
        this.value = value;
    }

    /** @return the property value naming this pooler */
    public String value() {
        return value;
    }

    /** @return true for PgBouncer in any mode: it refuses unknown startup parameters such as {@code options} */
    public boolean isPgBouncer() {
        return this != NONE;
    }

    /** @return true when session state (SET, named prepared statements) may leak to other clients */
    public boolean isTransactionPooler() {
        return this == PGBOUNCER_TRANSACTION || this == PGBOUNCER_TRANSACTION_TRACKING;
    }

    /** @return true when a session {@code search_path} may reach other clients (a transaction pooler without tracking) */
    public boolean leaksSearchPath() {
        return this == PGBOUNCER_TRANSACTION;
    }

    /** @return true when named server-side prepared statements may reach other clients */
    public boolean leaksPreparedStatements() {
        return this == PGBOUNCER_TRANSACTION;
    }

    /**
     * @param properties merged configuration
     * @return the configured pooler
     * @throws SQLException SQLState 22023 naming {@code pooler} for an unknown value
     */
    static Pooler from(Properties properties) throws SQLException {
        String value = CitusProperty.POOLER.getString(properties);
        for (Pooler pooler : values()) {
            if (pooler.value.equals(value)) {
                return pooler;
            }
        }
        throw CitusProperty.POOLER.invalidValue(value, "unknown pooler");
    }
}
