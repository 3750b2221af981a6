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
}
