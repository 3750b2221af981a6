package io.github.citusjdbc.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A call on pgjdbc's physical prepared statement that cannot carry the tenant pin in its own
 * string (metadata, pgjdbc's own batch, a CallableStatement's execution): the pin is sent around
 * it, see {@link LogicalPreparedStatement#around}. Typically a method reference such as
 * {@code PreparedStatement::executeQuery}.
 *
 * @param <T> the call's result
 */
@FunctionalInterface
interface PhysicalCall<T> {

    T run(PreparedStatement physical) throws SQLException;
}
