package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.spi.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * One physical pgjdbc connection of a logical connection: the URL's (the coordinator) or one
 * routed node's, with what of the logical session state it has received. Not thread-safe.
 */
final class Physical {

    /** The dialled address; null for the URL's connection. */
    final NodeAddress address;
    final Connection connection;
    private final BaseConnection base; // null when not pgjdbc's (stub drivers)
    /** {@link SessionState#version()} last applied to this connection. */
    int appliedVersion;
    /** System.nanoTime() of the end of its last use. */
    long lastUsedNanos;

    Physical(NodeAddress address, Connection connection) {
        this.address = address;
        this.connection = connection;
        BaseConnection b;
        try {
            b = connection.isWrapperFor(BaseConnection.class) ? connection.unwrap(BaseConnection.class) : null;
        } catch (SQLException e) {
            b = null;
        }
        this.base = b;
    }

    /** @return pgjdbc's transaction state; without pgjdbc, IDLE in autocommit, else OPEN */
    TransactionState transactionState() throws SQLException {
        if (base != null) {
            return base.getTransactionState();
        }
        return connection.getAutoCommit() ? TransactionState.IDLE : TransactionState.OPEN;
    }

    /** Closes the connection; failures of an already broken connection are ignored. */
    void closeQuietly() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // broken with its node: nothing left to release
        }
    }

    @Override
    public String toString() {
        return address == null ? "url" : address.toString();
    }
}
