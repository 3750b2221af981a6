package io.github.citusjdbc.benchmarks.stub;

import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * A connection that does no I/O: what is left when a benchmark runs on it is the cost of the
 * layers above it (for the wrapped variant, citus-jdbc's wrappers).
 */
public final class StubConnection extends AbstractStubConnection {

    /** Rows each query returns. */
    public static final int ROWS = 10;

    private boolean closed;

    @Override
    public Statement createStatement() {
        return new StubStatement(this);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) {
        return new StubPreparedStatement(this);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
    }

    private boolean autoCommit = true;

    // Session state the driver reads when it wraps a connection or starts a unit of work.
    @Override
    public boolean getAutoCommit() {
        return autoCommit;
    }

    @Override
    public void setAutoCommit(boolean autoCommit) {
        this.autoCommit = autoCommit;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public int getTransactionIsolation() {
        return java.sql.Connection.TRANSACTION_READ_COMMITTED;
    }

    @Override
    public String getSchema() {
        return "public";
    }

    @Override
    public java.sql.SQLWarning getWarnings() {
        return null;
    }

    // What the driver reads from pgjdbc's interface at each unit of work, as a connection in autocommit has it.
    @Override
    public org.postgresql.core.TransactionState getTransactionState() {
        return autoCommit ? org.postgresql.core.TransactionState.IDLE : org.postgresql.core.TransactionState.OPEN;
    }

    @Override
    public boolean getStandardConformingStrings() {
        return true;
    }

    @Override
    public String getParameterStatus(String parameterName) {
        return null; // the stub server reports nothing
    }

    @Override
    public int getPrepareThreshold() {
        return 5;
    }

    /** The driver unwraps the physical connection to pgjdbc's interface: the stub implements it. */
    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws java.sql.SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new java.sql.SQLException("a stub connection wraps nothing: " + iface.getName());
    }
}
