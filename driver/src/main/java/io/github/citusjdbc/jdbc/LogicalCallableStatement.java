package io.github.citusjdbc.jdbc;

import java.sql.CallableStatement;

/**
 * A callable statement of a {@link LogicalConnection}. pgjdbc cannot read OUT parameters from a
 * multi-statement string, so with a tenant pinned the pin is sent separately ("around"): in
 * autocommit {@code BEGIN; SET LOCAL ...} before and {@code COMMIT} after (2 extra round trips);
 * in an explicit transaction {@code SET LOCAL} before its first statement (1 extra, once). A JDBC
 * escape ({@code {call f(?)}}, {@code {? = call f(?)}}, run by pgjdbc as {@code SELECT}) is pinned;
 * a native {@code CALL} of a procedure is not (it may commit, which the driver's transaction would
 * forbid): it runs with the server's default {@code search_path}.
 */
final class LogicalCallableStatement extends DelegatingCallableStatement {

    LogicalCallableStatement(LogicalConnection connection, CallableStatement delegate, String sql,
                             int type, int concurrency, int holdability) {
        super(connection, delegate, sql, type, concurrency, holdability);
    }

    /** Re-created by routing: the parameters are replayed, OUT parameter registrations are not (documented). */
    @Override
    java.sql.Statement newPhysical(java.sql.Connection physical) throws java.sql.SQLException {
        return physical.prepareCall(sql);
    }

    @Override
    boolean aroundOnly() {
        return true;
    }

    @Override
    boolean aroundWrappable() {
        return sql.stripLeading().startsWith("{") || super.aroundWrappable();
    }
}
