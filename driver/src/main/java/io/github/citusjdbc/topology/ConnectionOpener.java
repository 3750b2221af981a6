package io.github.citusjdbc.topology;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a connection for metadata reads. Implementations must be thread-safe. */
@FunctionalInterface
public interface ConnectionOpener {
    /**
     * @return a new open connection in autocommit mode
     * @throws SQLException when no host can be reached
     */
    Connection open() throws SQLException;
}
