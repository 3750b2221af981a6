package io.github.citusjdbc.config;

/** The SQLStates the driver itself raises (all others come from pgjdbc unchanged). */
public final class SqlStates {
    /** {@code sqlclient_unable_to_establish_sqlconnection}: malformed URL, bad host or port. */
    public static final String UNABLE_TO_CONNECT = "08001";
    /** {@code connection_does_not_exist}: use of a closed connection. */
    public static final String CONNECTION_DOES_NOT_EXIST = "08003";
    /** {@code invalid_parameter_value}: a property has a bad or conflicting value. */
    public static final String INVALID_PARAMETER_VALUE = "22023";
    /** {@code syntax_error}: SQL that ends inside a string, identifier or comment, refused with a tenant pinned. */
    public static final String SYNTAX_ERROR = "42601";

    private SqlStates() {
    }
}
