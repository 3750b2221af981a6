package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusSqlState;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Does what {@link OwnedPgjdbcProperty} documents for the pgjdbc keys the driver owns: keeps
 * {@code PGHOST}, {@code PGPORT} and {@code PGDBNAME} to the URL path, takes {@code readOnly} for
 * the driver, and validates or adjusts {@code prepareThreshold}, {@code options},
 * {@code targetServerType} and {@code readOnlyMode} for the pooler and the host list. Errors carry
 * SQLState {@code 22023} (or {@code 08001} for the URL) and name the key, the cause and the fix.
 */
final class OwnedPgjdbcLimits {

    private static final List<OwnedPgjdbcProperty> URL_PATH_KEYS = List.of(OwnedPgjdbcProperty.PGHOST,
            OwnedPgjdbcProperty.PGPORT, OwnedPgjdbcProperty.PGDBNAME);
    private static final Set<String> ACCEPTED_TARGET_SERVER_TYPES = Set.of("any", "primary", "master");
    private static final Set<String> READ_ONLY_MODES = Set.of("ignore", "transaction", "always");
    // Matches search_path in an options string however it is spelled (-c search_path=, --search-path=).
    private static final Pattern SEARCH_PATH_OPTION = Pattern.compile("search[_-]path", Pattern.CASE_INSENSITIVE);

    private OwnedPgjdbcLimits() {
    }

    /**
     * @param query the URL's query parameters
     * @throws SQLException SQLState {@code 08001} when the query names a host, port or database
     */
    static void rejectUrlPathKeys(Properties query) throws SQLException {
        for (OwnedPgjdbcProperty p : URL_PATH_KEYS) {
            if (query.containsKey(p.key())) {
                throw new SQLException("Malformed citus-jdbc URL: " + p.key()
                        + " must not be a query parameter; hosts, ports and database go in the URL path",
                        CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
        }
    }

    /** @param properties the application's {@code Properties}, whose host, port and database the URL path decides */
    static void dropUrlPathKeys(Properties properties) {
        for (OwnedPgjdbcProperty p : URL_PATH_KEYS) {
            properties.remove(p.key());
        }
    }

    /**
     * Removes {@code readOnly}, which the driver applies itself.
     *
     * @param merged the merged keys
     * @return its value, or null when not given
     * @throws SQLException SQLState {@code 22023} when it is neither true nor false
     */
    static Boolean takeReadOnly(Properties merged) throws SQLException {
        String value = (String) merged.remove(OwnedPgjdbcProperty.READ_ONLY.key());
        if (value == null) {
            return null;
        }
        String lower = value.trim().toLowerCase(Locale.ROOT);
        if (!lower.equals("true") && !lower.equals("false")) {
            throw invalid(OwnedPgjdbcProperty.READ_ONLY, value, "expected true or false");
        }
        return Boolean.valueOf(lower);
    }

    /**
     * Validates and adjusts the owned keys that go on to pgjdbc.
     *
     * @param merged    the merged keys, without the driver's own; changed in place
     * @param pooler    the configured pooler
     * @param hostCount how many hosts the URL lists
     * @throws SQLException SQLState {@code 22023} for a value the driver does not allow, or one that conflicts with the pooler
     */
    static void limit(Properties merged, Pooler pooler, int hostCount) throws SQLException {
        limitPrepareThreshold(merged, pooler);
        limitOptions(merged, pooler);
        limitChoice(merged, OwnedPgjdbcProperty.TARGET_SERVER_TYPE, ACCEPTED_TARGET_SERVER_TYPES,
                "the driver chooses the server per route; accepted: any, primary");
        if (hostCount > 1 && merged.getProperty(OwnedPgjdbcProperty.TARGET_SERVER_TYPE.key()) == null) {
            // The URL's connection carries writes and DDL: with several hosts (a coordinator and its
            // standby, in whatever order, before or after a failover) it must reach the primary.
            merged.setProperty(OwnedPgjdbcProperty.TARGET_SERVER_TYPE.key(), "primary");
        }
        limitChoice(merged, OwnedPgjdbcProperty.READ_ONLY_MODE, READ_ONLY_MODES,
                "accepted: ignore, transaction, always");
        if (pooler.isTransactionPooler() && "always".equals(merged.getProperty(OwnedPgjdbcProperty.READ_ONLY_MODE.key()))) {
            throw conflict(OwnedPgjdbcProperty.READ_ONLY_MODE, "=always conflicts with pooler=" + pooler.value()
                    + ": pgjdbc then sends SET SESSION CHARACTERISTICS, which leaks to other clients; use transaction");
        }
    }

    private static void limitPrepareThreshold(Properties merged, Pooler pooler) throws SQLException {
        String key = OwnedPgjdbcProperty.PREPARE_THRESHOLD.key();
        String value = merged.getProperty(key);
        if (!pooler.leaksPreparedStatements()) {
            return; // pgjdbc validates its own value
        }
        if (value != null) {
            int threshold;
            try {
                threshold = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw invalid(OwnedPgjdbcProperty.PREPARE_THRESHOLD, value, "expected an integer");
            }
            if (threshold != 0) {
                throw conflict(OwnedPgjdbcProperty.PREPARE_THRESHOLD, "=" + value + " conflicts with pooler="
                        + pooler.value() + ": named server-side prepared statements are not safe behind a"
                        + " transaction pooler; remove it or set it to 0");
            }
        }
        merged.setProperty(key, "0");
    }

    private static void limitOptions(Properties merged, Pooler pooler) throws SQLException {
        String options = merged.getProperty(OwnedPgjdbcProperty.OPTIONS.key());
        if (options == null || options.isEmpty()) {
            return;
        }
        if (SEARCH_PATH_OPTION.matcher(options).find()) {
            throw conflict(OwnedPgjdbcProperty.OPTIONS, " must not set search_path: the driver owns it;"
                    + " use currentSchema");
        }
        if (pooler.isPgBouncer()) {
            throw conflict(OwnedPgjdbcProperty.OPTIONS, " conflicts with pooler=" + pooler.value()
                    + ": PgBouncer refuses the startup parameter options");
        }
    }

    private static void limitChoice(Properties merged, OwnedPgjdbcProperty property, Set<String> accepted,
                                    String reason) throws SQLException {
        String value = merged.getProperty(property.key());
        if (value != null && !accepted.contains(value)) {
            throw invalid(property, value, reason);
        }
    }

    /** @return SQLState {@code 22023} naming the key, the value and why it is refused */
    static SQLException invalid(OwnedPgjdbcProperty property, String value, String reason) {
        return new SQLException("Invalid value for property " + property.key() + ": '" + value + "'; " + reason,
                CitusSqlState.INVALID_PARAMETER_VALUE.getState());
    }

    private static SQLException conflict(OwnedPgjdbcProperty property, String reason) {
        return new SQLException("Property " + property.key() + reason, CitusSqlState.INVALID_PARAMETER_VALUE.getState());
    }
}
