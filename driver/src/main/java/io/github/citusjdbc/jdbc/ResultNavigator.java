package io.github.citusjdbc.jdbc;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * What the application sees of an execution's results when the driver added statements of its own
 * to the string (the pin before the user's SQL, {@code COMMIT} after it, a {@code RETURNING} for
 * generated keys): the added results are skipped, and {@code getMoreResults}, {@code getResultSet},
 * {@code getUpdateCount}, the {@code executeQuery}/{@code executeUpdate} checks and generated keys
 * behave as pgjdbc's do for the user's SQL alone. Not navigating (nothing added) every call goes to
 * pgjdbc's statement as it is. One per logical statement; not thread-safe.
 */
final class ResultNavigator {

    private int userResults = -1; // user results left including the current one; -1 = not navigating
    private boolean exhausted;
    private ResultSet keys; // generated keys served from our RETURNING, or null
    private long keysCount;

    /**
     * A new execution: nothing to navigate until {@link #start}. A {@code Statement}'s envelopes run
     * on its plain physical statement, so it resets before every execution
     * ({@link LogicalStatement#direct}); a prepared statement's run on physical statements of their
     * own, so it resets when it switches statements ({@link LogicalPreparedStatement#switchTo}) and
     * before each enveloped execution, and a direct execution on the plain statement that is already
     * the executing one has nothing to reset.
     */
    void reset() {
        userResults = -1;
        exhausted = false;
        keys = null;
        keysCount = 0;
    }

    /**
     * After an enveloped execution on {@code physical}: skips the envelope's leading results; with
     * keys, turns the {@code RETURNING} rows into keys and a count.
     *
     * @param skip      the results the envelope put before the user's
     * @param userCount the results of the user's SQL
     * @param keyed     whether our {@code RETURNING} produced the user's result
     */
    void start(Statement physical, int skip, int userCount, boolean keyed) throws SQLException {
        for (int i = 0; i < skip; i++) {
            physical.getMoreResults();
        }
        userResults = userCount;
        exhausted = false;
        if (keyed) {
            ResultSet rs = physical.getResultSet();
            if (rs != null) {
                keysCount = rs.last() ? rs.getRow() : 0;
                rs.beforeFirst();
                keys = rs;
            }
            userResults = 1;
        }
    }

    /** After a batch run through envelopes: no result to navigate; {@code batchKeys} (or null) serves getGeneratedKeys. */
    void batchDone(ResultSet batchKeys) {
        userResults = 0;
        exhausted = true;
        keys = batchKeys;
        keysCount = 0;
    }

    /** The current result was consumed (a CallableStatement's OUT parameters): no result left, as pgjdbc shows it. */
    void consume() {
        exhausted = true;
        if (userResults < 0) {
            userResults = 0;
        }
    }

    boolean isResultSetNow(Statement physical) throws SQLException {
        return keys == null && !exhausted && physical.getResultSet() != null;
    }

    /** pgjdbc's executeQuery checks, applied to the user's results only: the result set, unwrapped. */
    ResultSet singleResultSet(Statement physical) throws SQLException {
        ResultSet rs = physical.getResultSet();
        if (rs == null) {
            throw new PSQLException("No results were returned by the query.", PSQLState.NO_DATA);
        }
        if (userResults > 1) {
            throw new PSQLException("Multiple ResultSets were returned by the query.", PSQLState.TOO_MANY_RESULTS);
        }
        return rs;
    }

    /** pgjdbc's executeUpdate checks, applied to the user's results only. */
    long updateCountOnly(Statement physical) throws SQLException {
        if (keys != null) {
            return keysCount;
        }
        long first = physical.getLargeUpdateCount();
        if (physical.getResultSet() != null) {
            throw new PSQLException("A result was returned when none was expected.", PSQLState.TOO_MANY_RESULTS);
        }
        while (userResults > 1) {
            userResults--;
            if (physical.getMoreResults()) {
                throw new PSQLException("A result was returned when none was expected.", PSQLState.TOO_MANY_RESULTS);
            }
        }
        return first;
    }

    boolean getMoreResults(Statement physical, int current) throws SQLException {
        if (userResults < 0) {
            return physical.getMoreResults(current);
        }
        if (exhausted) {
            return false;
        }
        if (userResults <= 1) {
            exhausted = true;
            if (keys == null) {
                physical.getMoreResults(current); // closes the current result as pgjdbc would; lands on COMMIT's
            }
            return false;
        }
        userResults--;
        return physical.getMoreResults(current);
    }

    /** @return the current user result set, unwrapped, or null */
    ResultSet getResultSet(Statement physical) throws SQLException {
        if (userResults >= 0 && (exhausted || keys != null)) {
            physical.getResultSet(); // keeps pgjdbc's closed check
            return null;
        }
        return physical.getResultSet();
    }

    long getLargeUpdateCount(Statement physical) throws SQLException {
        if (userResults >= 0) {
            if (exhausted) {
                physical.getUpdateCount(); // keeps pgjdbc's closed check
                return -1;
            }
            if (keys != null) {
                return keysCount;
            }
        }
        return physical.getLargeUpdateCount();
    }

    /** @return the generated keys, unwrapped: ours, or pgjdbc's */
    ResultSet generatedKeys(Statement physical) throws SQLException {
        return keys != null ? keys : physical.getGeneratedKeys();
    }

    /** The statement closed: drops the keys. */
    void close() {
        keys = null;
    }
}
