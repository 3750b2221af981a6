package io.github.citusjdbc.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** A result set whose {@link #getStatement()} is the wrapper, never the physical statement. */
final class LogicalResultSet extends DelegatingResultSet {

    private final LogicalStatement statement;

    /**
     * @param statement the statement that produced it, or null for a {@link java.sql.DatabaseMetaData} result
     * @param delegate  the physical result set
     */
    LogicalResultSet(LogicalStatement statement, ResultSet delegate) {
        super(delegate);
        this.statement = statement;
    }

    /** @return the logical statement; null for metadata results, never pgjdbc's internal statement */
    @Override
    public Statement getStatement() throws SQLException {
        delegate.getStatement(); // keeps pgjdbc's closed-result-set check
        return statement;
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

    @Override
    public String toString() {
        return delegate.toString();
    }
}
