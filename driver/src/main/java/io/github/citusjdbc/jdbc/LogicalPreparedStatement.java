package io.github.citusjdbc.jdbc;

import java.sql.PreparedStatement;

/**
 * A prepared statement of a {@link LogicalConnection}. Everything is inherited today; this class
 * is where tenant pinning will intercept {@code execute*} and {@code addBatch}.
 */
class LogicalPreparedStatement extends DelegatingPreparedStatement {

    LogicalPreparedStatement(LogicalConnection connection, PreparedStatement delegate) {
        super(connection, delegate);
    }
}
