package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.sql.StatementInfo;
import io.github.citusjdbc.sql.StatementKind;

/**
 * The {@code RETURNING} clause pgjdbc adds for generated keys, which the driver adds itself when the
 * statement runs inside an envelope (pgjdbc would add it after the envelope's {@code COMMIT}).
 */
final class ReturningClause {

    private ReturningClause() {
    }

    /**
     * The clause pgjdbc would add: for a single INSERT, UPDATE, DELETE or WITH statement without one;
     * {@code *} or the quoted column names.
     *
     * @param columns the key columns asked for; null or {@code {"*"}} for all
     * @return the clause starting with a newline, "" when the statement has its own, or null when
     *         pgjdbc would add none
     */
    static String of(String sql, SqlInfo info, String[] columns) {
        if (info.statementCount() != 1) {
            return null;
        }
        StatementInfo st = info.statements().get(0);
        if (st.kind() != StatementKind.DML || st.hasReturning() || !startsWithDmlKeyword(sql, st.start())) {
            return st.kind() == StatementKind.DML && st.hasReturning() ? "" : null;
        }
        StringBuilder sb = new StringBuilder("\nRETURNING ");
        if (columns == null || (columns.length == 1 && columns[0].startsWith("*"))) {
            return sb.append('*').toString();
        }
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append('"').append(columns[i].replace("\"", "\"\"")).append('"');
        }
        return sb.toString();
    }

    private static boolean startsWithDmlKeyword(String sql, int at) {
        return sql.regionMatches(true, at, "insert", 0, 6) || sql.regionMatches(true, at, "update", 0, 6)
                || sql.regionMatches(true, at, "delete", 0, 6) || sql.regionMatches(true, at, "with", 0, 4);
    }
}
