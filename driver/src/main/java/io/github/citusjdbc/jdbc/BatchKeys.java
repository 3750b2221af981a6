package io.github.citusjdbc.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The generated keys of a batch run through envelopes: the {@code RETURNING} rows of every entry,
 * one physical result set per entry, read as one forward-only result set (as pgjdbc's batch keys
 * are). Column access goes to the entry whose row is current.
 */
final class BatchKeys extends DelegatingResultSet {

    private final List<ResultSet> parts;
    private int part;
    private int row;
    private boolean after;

    /** @param parts the entries' keys, each with at least one row, all of the same columns */
    BatchKeys(List<ResultSet> parts) {
        super(parts.get(0));
        this.parts = parts;
    }

    @Override
    public boolean next() throws SQLException {
        for (;;) {
            if (delegate.next()) {
                row++;
                return true;
            }
            if (part + 1 >= parts.size()) {
                after = true;
                return false;
            }
            delegate = parts.get(++part);
        }
    }

    @Override
    public int getRow() throws SQLException {
        delegate.getRow(); // closed check
        return after ? 0 : row;
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        delegate.getRow();
        return row == 0;
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        delegate.getRow();
        return after;
    }

    @Override
    public boolean isFirst() throws SQLException {
        delegate.getRow();
        return !after && row == 1;
    }

    @Override
    public boolean isLast() throws SQLException {
        return !after && row > 0 && part == parts.size() - 1 && delegate.isLast();
    }

    @Override
    public int getType() throws SQLException {
        delegate.getType();
        return ResultSet.TYPE_FORWARD_ONLY;
    }

    @Override
    public void close() throws SQLException {
        SQLException failure = null;
        for (ResultSet rs : parts) {
            try {
                rs.close();
            } catch (SQLException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private SQLException forwardOnly() throws SQLException {
        delegate.getRow();
        return new PSQLException("Operation requires a scrollable ResultSet, but this ResultSet is FORWARD_ONLY.",
                PSQLState.INVALID_CURSOR_STATE);
    }

    @Override
    public boolean previous() throws SQLException {
        throw forwardOnly();
    }

    @Override
    public boolean first() throws SQLException {
        throw forwardOnly();
    }

    @Override
    public boolean last() throws SQLException {
        throw forwardOnly();
    }

    @Override
    public void beforeFirst() throws SQLException {
        throw forwardOnly();
    }

    @Override
    public void afterLast() throws SQLException {
        throw forwardOnly();
    }

    @Override
    public boolean absolute(int r) throws SQLException {
        throw forwardOnly();
    }

    @Override
    public boolean relative(int r) throws SQLException {
        throw forwardOnly();
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
}
