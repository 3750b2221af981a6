package io.github.citusjdbc.jdbc;

import java.sql.SQLException;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The statements of a logical connection not yet closed, so that closing the connection closes
 * them. Removal scans from the end: statements are usually closed in the reverse order of creation.
 */
final class OpenStatements {

    private static final Logger LOG = LoggerFactory.getLogger(OpenStatements.class);

    private final ArrayList<LogicalStatement> open = new ArrayList<>();

    <S extends LogicalStatement> S add(S statement) {
        open.add(statement);
        return statement;
    }

    void remove(LogicalStatement statement) {
        for (int i = open.size() - 1; i >= 0; i--) {
            if (open.get(i) == statement) {
                open.remove(i);
                return;
            }
        }
    }

    /** Closes every open statement; a failure is logged at DEBUG (the connection closes anyway). */
    void closeAll(Object owner) {
        LogicalStatement[] all = open.toArray(new LogicalStatement[0]);
        open.clear();
        for (LogicalStatement statement : all) {
            try {
                statement.close();
            } catch (SQLException e) {
                LOG.debug("{}: closing a statement failed: {}", owner, e.toString());
            }
        }
    }

    /** Forgets every statement without closing it (an aborted connection: the socket is gone). */
    void forgetAll() {
        open.clear();
    }

    int size() {
        return open.size();
    }
}
