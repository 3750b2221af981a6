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
    private final BaseConnection base; // pgjdbc's interface of the connection
    /** {@link SessionState#version()} last applied to this connection. */
    int appliedVersion;
    /** System.nanoTime() of the end of its last use. */
    long lastUsedNanos;

    Physical(NodeAddress address, Connection connection) {
        this.address = address;
        this.connection = connection;
        this.base = LogicalConnections.pgjdbcOf(connection);
    }

    /** @return pgjdbc's transaction state */
    TransactionState transactionState() {
        return base.getTransactionState();
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
