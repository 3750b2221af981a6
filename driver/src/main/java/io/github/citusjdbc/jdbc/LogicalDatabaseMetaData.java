package io.github.citusjdbc.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;

/** Metadata whose connection is the logical one and whose result sets are wrapped. */
final class LogicalDatabaseMetaData extends DelegatingDatabaseMetaData {

    private final LogicalConnection connection;

    LogicalDatabaseMetaData(LogicalConnection connection, DatabaseMetaData delegate) {
        super(delegate);
        this.connection = connection;
    }

    @Override
    ResultSet wrapResultSet(ResultSet resultSet) {
        return resultSet == null ? null : new LogicalResultSet(null, resultSet);
    }

    /** pgjdbc's metadata queries may open the transaction: what must come first (isolation) is sent first. */
    @Override
    void beforeQuery() throws java.sql.SQLException {
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
