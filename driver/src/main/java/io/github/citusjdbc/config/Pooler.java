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
