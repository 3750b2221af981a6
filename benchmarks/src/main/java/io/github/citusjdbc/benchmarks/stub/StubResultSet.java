package io.github.citusjdbc.benchmarks.stub;

import java.sql.Statement;

/** A forward-only result set of constant rows: column 1 an int, column 2 a string. */
final class StubResultSet extends AbstractStubResultSet {

    private final Statement statement;
    private final int rows;
    private int row;
    private boolean closed;

    StubResultSet(Statement statement, int rows) {
        this.statement = statement;
        this.rows = rows;
    }

    @Override
    public boolean next() {
        return ++row <= rows;
    }

    @Override
    public int getInt(int column) {
        return row;
    }

    @Override
    public String getString(int column) {
        return "tenant";
    }

    @Override
    public Statement getStatement() {
        return statement;
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
