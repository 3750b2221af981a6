package io.github.citusjdbc.jdbc;

import java.sql.CallableStatement;

/** A callable statement of a {@link LogicalConnection}. */
final class LogicalCallableStatement extends DelegatingCallableStatement {

    LogicalCallableStatement(LogicalConnection connection, CallableStatement delegate) {
        super(connection, delegate);
    }
}
