package io.github.citusjdbc.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A statement of a {@link LogicalConnection}. Its result sets report it as their statement, and
 * it reports the logical connection as its connection.
 *
 * <p>Interception points for later work (tenant pinning, re-targeting): {@code execute*},
 * {@code addBatch}, {@code executeBatch}; today they are forwarded unchanged by the generated base.
 */
class LogicalStatement extends DelegatingStatement {

    final LogicalConnection connection;
    // The wrapper of the delegate's current result set, so that getResultSet() keeps its identity.
    private LogicalResultSet currentResultSet;
    private boolean closed;

    LogicalStatement(LogicalConnection connection, Statement delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    final ResultSet wrapResultSet(ResultSet resultSet) {
        if (resultSet == null) {
            return null;
        }
        LogicalResultSet current = currentResultSet;
        if (current != null && current.delegate == resultSet) {
            return current;
        }
        current = new LogicalResultSet(this, resultSet);
        currentResultSet = current;
        return current;
    }

    @Override
    public Connection getConnection() throws SQLException {
        delegate.getConnection(); // keeps pgjdbc's closed-statement check
        return connection;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        currentResultSet = null;
        connection.untrack(this);
        delegate.close();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    /** The physical statement's text: pgjdbc shows the SQL (with bound values for prepared statements). */
    @Override
    public String toString() {
        return delegate.toString();
    }
}
