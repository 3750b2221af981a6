package io.github.citusjdbc;

import java.sql.SQLException;

/**
 * Every SQLState citus-jdbc itself raises, so that applications can compare states without
 * string literals: {@code if (CitusSqlState.ACTIVE_SQL_TRANSACTION.matches(e)) ...}.
 *
 * <p>Errors of the server and of pgjdbc reach the application unchanged, with their own states;
 * the states listed here are those of errors the driver raises itself. Where the driver stands in
 * for pgjdbc (statement results, streams, callable statements, batches) it raises pgjdbc's state
 * for the same error, so those constants carry pgjdbc's codes. The codes are PostgreSQL's
 * (Appendix A of its manual) or the SQL standard's; pgjdbc's {@code PSQLState} is the model.
 *
 * <p>Every constant has its own code. Immutable and thread-safe.
 */
public enum CitusSqlState {

    /** {@code warning: dynamic result sets returned}: a query that should return nothing returned rows (pgjdbc's {@code 0100E}). */
    TOO_MANY_RESULTS("0100E"),

    /** {@code no_data}: {@code executeQuery} or a callable statement returned no result. */
    NO_DATA("02000"),

    /**
     * {@code sqlclient_unable_to_establish_sqlconnection}: a malformed URL, host or port, a pgjdbc
     * the driver does not support, a node that does not answer within {@code nodeConnectTimeout},
     * or no node eligible for a unit of work ({@code readFallback=error}).
     */
    UNABLE_TO_CONNECT("08001"),

    /** {@code connection_does_not_exist}: use of a closed connection or of a closed topology source. */
    CONNECTION_DOES_NOT_EXIST("08003"),

    /**
     * {@code feature_not_supported}: an operation the driver cannot perform safely here (a Citus
     * without schema-based sharding, a second tenant binding in Hibernate, a batch built on another
     * node than its unit of work) or an unknown transaction isolation level.
     */
    FEATURE_NOT_SUPPORTED("0A000"),

    /** {@code most_specific_type_mismatch}: a callable statement's out parameter read with the wrong type. */
    MOST_SPECIFIC_TYPE_DOES_NOT_MATCH("2200G"),

    /** {@code invalid_parameter_value}: a property has a bad or conflicting value, or a resolver cannot be loaded. */
    INVALID_PARAMETER_VALUE("22023"),

    /** {@code invalid_cursor_state}: a scrolling method called on a forward-only result set of generated keys. */
    INVALID_CURSOR_STATE("24000"),

    /** {@code invalid_transaction_state}: DDL inside a transaction that affinity routing started on a worker. */
    INVALID_TRANSACTION_STATE("25000"),

    /**
     * {@code active_sql_transaction}: another tenant, or another isolation level, asked for inside
     * an open transaction.
     */
    ACTIVE_SQL_TRANSACTION("25001"),

    /** {@code invalid_schema_name}: {@link CitusTenantAdmin} was asked about a tenant schema that does not exist. */
    INVALID_SCHEMA_NAME("3F000"),

    /** {@code syntax_error}: SQL that ends inside a string, identifier or comment, refused with a tenant pinned. */
    SYNTAX_ERROR("42601"),

    /** {@code invalid_name}: a tenant or shared schema name the driver refuses before anything is sent. */
    INVALID_NAME("42602"),

    /** {@code numeric_constant_out_of_range} as pgjdbc uses it: a stream or object too large for the protocol. */
    NUMERIC_CONSTANT_OUT_OF_RANGE("42820"),

    /** {@code datatype_mismatch}: a callable statement's out parameter registered with another type. */
    DATA_TYPE_MISMATCH("42821"),

    /** {@code cannot_coerce}: a callable statement's value that cannot be converted to the type asked for. */
    CANNOT_COERCE("42846"),

    /**
     * {@code object_not_in_prerequisite_state}: {@link CitusTenantAdmin} used on a node other than
     * the coordinator, or a callable statement used out of order or after close.
     */
    OBJECT_NOT_IN_STATE("55000"),

    /** Pgjdbc's unexpected error, kept for the same failures: an input stream or reader failed while it was read. */
    UNEXPECTED_ERROR("99999"),

    /** {@code internal_error}: the server answered the topology query with fewer results than statements. */
    INTERNAL_ERROR("XX000");

    private final String state;

    CitusSqlState(String state) {
        this.state = state;
    }

    /** @return the five-character SQLState, as {@link SQLException#getSQLState()} reports it */
    public String getState() {
        return state;
    }

    /**
     * Tells whether an exception carries this state. Only the exception itself is compared, not its
     * causes nor {@link SQLException#getNextException() next} exceptions.
     *
     * @param e an exception, may be null
     * @return true when {@code e} is not null and its SQLState equals {@link #getState()}
     */
    public boolean matches(SQLException e) {
        return e != null && state.equals(e.getSQLState());
    }
}
