package io.github.citusjdbc.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;

/**
 * Metadata whose connection is the logical one and whose result sets are wrapped: the hand-written
 * behaviour; {@link WrappedDatabaseMetaData} (generated, final) delegates every other method,
 * calling {@link #beforeQuery} first and passing result sets through {@link #wrapResultSet}.
 */
abstract class LogicalDatabaseMetaData implements DatabaseMetaData {

    final DatabaseMetaData delegate;
    private final LogicalConnection connection;

    LogicalDatabaseMetaData(LogicalConnection connection, DatabaseMetaData delegate) {
        this.delegate = delegate;
        this.connection = connection;
    }

    /** @return a result set of the physical metadata, wrapped so that it does not lead to pgjdbc's statement */
    final ResultSet wrapResultSet(ResultSet resultSet) {
        return resultSet == null ? null : new LogicalResultSet(null, resultSet);
    }

    /** Before each method: pgjdbc's metadata queries may open the transaction, so what must come first (isolation) is sent first. */
    final void beforeQuery() throws java.sql.SQLException {
        connection.pins.beforeInternalQuery();
    }

    @Override
    public Connection getConnection() {
        return connection;
    }

    /** The application's {@code jdbc:citus:} URL (without passwords), not the physical node's pgjdbc URL. */
    @Override
    public String getURL() throws java.sql.SQLException {
        delegate.getURL(); // keeps pgjdbc's closed check
        return connection.config().url();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws java.sql.SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
