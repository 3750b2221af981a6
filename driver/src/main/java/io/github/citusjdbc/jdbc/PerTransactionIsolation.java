package io.github.citusjdbc.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The isolation level of one logical connection behind a transaction pooler: kept here and sent
 * with each transaction ({@code BEGIN ISOLATION LEVEL} / {@code SET TRANSACTION ISOLATION LEVEL} as
 * its first statement, by {@link TransactionPinning}) instead of pgjdbc's {@code SET SESSION
 * CHARACTERISTICS}, which would stay on a server connection other clients share. Elsewhere pgjdbc
 * keeps the level and none is set here. Not thread-safe (one per connection).
 */
final class PerTransactionIsolation {

    private final boolean owned;
    private int level = -1; // -1: not set through the driver (transaction pooler only)

    /** @param owned whether the driver keeps the level (a transaction pooler) */
    PerTransactionIsolation(boolean owned) {
        this.owned = owned;
    }

    /** @return whether {@code setTransactionIsolation} is handled here rather than by pgjdbc */
    boolean owned() {
        return owned;
    }

    /** @return the level set through the driver, or -1 when none was */
    int level() {
        return level;
    }

    /**
     * {@code setTransactionIsolation} behind a transaction pooler: refused, as pgjdbc does, inside
     * an explicit transaction; applies from the next transaction.
     */
    void set(int level, TenantPins pins) throws SQLException {
        levelName(level); // validates
        if (pins.explicitTransactionOpen()) {
            throw new PSQLException("Cannot change transaction isolation level in the middle of a transaction.",
                    PSQLState.ACTIVE_SQL_TRANSACTION);
        }
        this.level = level;
    }

    /** @return the SQL name of a JDBC isolation level */
    static String levelName(int level) throws SQLException {
        switch (level) {
            case Connection.TRANSACTION_READ_UNCOMMITTED:
                return "READ UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED:
                return "READ COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ:
                return "REPEATABLE READ";
            case Connection.TRANSACTION_SERIALIZABLE:
                return "SERIALIZABLE";
            default:
                throw new PSQLException("Transaction isolation level " + level + " not supported.",
                        PSQLState.NOT_IMPLEMENTED);
        }
    }
}
