package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.SQLException;

/**
 * One intercepted JDBC call, run by {@link UnitRunner#inUnit} as (part of) a unit of work:
 * for example {@code (p, sql, unit) -> p.once(unit, sql, PreparedStatement::executeQuery, ...)}. On the per-statement paths the lambdas
 * capture nothing, so each is one constant instance: no allocation per call.
 *
 * @param <S> the logical statement the call runs on
 * @param <T> what the call returns to the application
 */
@FunctionalInterface
interface SqlCall<S, T> {

    /**
     * @param statement the logical statement (null for COPY and savepoints)
     * @param sql       the SQL the call executes ({@link SqlInfo#sql()}: its text), classified once
     *                  for the call by {@link UnitRunner#inUnit}: routing, the pin and the after-effects
     *                  all read this classification
     * @param unit      the unit of work the call belongs to, decided before it ({@link TenantPins#begin}):
     *                  the call's pin is planned from it
     * @return the call's result
     */
    T run(S statement, SqlInfo sql, UnitOfWork unit) throws SQLException;
}
