package io.github.citusjdbc.benchmarks.stub;

import java.sql.Connection;
import java.sql.ResultSet;

/** A statement whose queries return {@link StubConnection#ROWS} rows: a new result set per query, as a real driver. */
final class StubStatement extends AbstractStubStatement {

    private final Connection connection;
    // Like pgjdbc's statement, keep the current result (for getResultSet): the result set escapes, as in a real driver.
    private ResultSet current;
    private boolean closed;

    StubStatement(Connection connection) {
        this.connection = connection;
    }

    @Override
    public boolean execute(String sql) {
        return sql.isEmpty();
    }

    @Override
    public ResultSet executeQuery(String sql) {
        current = new StubResultSet(this, StubConnection.ROWS);
        return current;
    }

    @Override
    public ResultSet getResultSet() {
        return current;
    }

    @Override
    public Connection getConnection() {
        return connection;
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
