package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.NodeAddress;
import java.sql.Connection;
import java.sql.SQLException;

/** Opens a connection to one node, primary or standby, e.g. to measure replication lag. Thread-safe. */
@FunctionalInterface
public interface NodeConnector {
    /**
     * @param address the address to dial (already translated)
     * @return a new open connection in autocommit mode
     * @throws SQLException when the node cannot be reached
     */
    Connection connect(NodeAddress address) throws SQLException;
}
