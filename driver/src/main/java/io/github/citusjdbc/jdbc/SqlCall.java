package io.github.citusjdbc.jdbc;

import java.sql.SQLException;

/**
 * One intercepted JDBC call, run by {@link UnitRunner#inUnit} as (part of) a unit of work:
 * for example {@code (p, sql, unit) -> p.once(unit, PreparedStatement::executeQuery, ...)}. On the per-statement paths the lambdas
 * capture nothing, so each is one constant instance: no allocation per call.
 *
 * @param <S> the logical statement the call runs on
 * @param <T> what the call returns to the application
 */
@FunctionalInterface
interface SqlCall<S, T> {

    /**
     * @param statement the logical statement (null for COPY and savepoints)
     * @param sql       the SQL text the call executes
     * @param unit      the unit of work the call belongs to, decided before it ({@link TenantPins#begin}):
     *                  the call's pin is planned from it
     * @return the call's result
     */
    T run(S statement, String sql, UnitOfWork unit) throws SQLException;
}
