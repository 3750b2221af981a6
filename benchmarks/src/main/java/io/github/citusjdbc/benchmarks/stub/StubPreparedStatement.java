package io.github.citusjdbc.benchmarks.stub;

import java.sql.Connection;
import java.sql.ResultSet;

/** A prepared statement that stores its parameters and returns {@link StubConnection#ROWS} rows. */
final class StubPreparedStatement extends AbstractStubPreparedStatement {

    private final Connection connection;
    private int intParameter;
    private String stringParameter;
    // Like pgjdbc's statement, keep the current result (for getResultSet): the result set escapes, as in a real driver.
    private ResultSet current;
    private boolean closed;

    StubPreparedStatement(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void setInt(int index, int value) {
        intParameter = value;
    }

    @Override
    public void setString(int index, String value) {
        stringParameter = value;
    }

    @Override
    public boolean execute() {
        return intParameter == 0 && stringParameter == null;
    }

    @Override
    public ResultSet executeQuery() {
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
