package io.github.citusjdbc;

import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Every configuration key of citus-jdbc itself, with its default, description and allowed values.
 *
 * <p>This enum is the single source of truth for the driver's own configuration: the URL parser,
 * {@link CitusDriver#getPropertyInfo}, the bean setters of {@link CitusDataSource} and the
 * property table of the README ({@link #markdownTable()}) all derive from it. A key is given in
 * the URL query, in the {@link Properties} passed to the driver, or through the data source;
 * the URL wins over {@code Properties}, which win over the default. Keys not listed here are
 * pgjdbc's and are passed to pgjdbc (see the README for the few pgjdbc keys the driver owns).
 *
 * <p>Constants are sorted by name, and a name is the lower-camel-case form of its constant.
 */
public enum CitusProperty {

    /**
     * The connection pooler between the driver and PostgreSQL.
     */
    POOLER("pooler", "none",
            "The connection pooler in front of the servers. `pgbouncer-transaction`: PgBouncer in transaction"
                    + " pooling mode; the driver forces pgjdbc's `prepareThreshold` to 0 (named server-side prepared"
                    + " statements are not safe there), rejects `options` and `tenantPinning=session`, and applies"
                    + " `setTransactionIsolation` to each transaction (`BEGIN ISOLATION LEVEL ...` / `SET TRANSACTION"
                    + " ...`) instead of pgjdbc's leaking `SET SESSION CHARACTERISTICS`. `pgbouncer-session`: PgBouncer"
                    + " in session mode; the driver rejects `options`, which PgBouncer refuses as a startup parameter."
                    + " `none`: direct connections.",
            "none", "pgbouncer-transaction", "pgbouncer-session"),

    /**
     * How the tenant is pinned: per transaction (safe behind any pooler) or once per session.
     */
    TENANT_PINNING("tenantPinning", "transaction",
            "How a pinned tenant (`setSchema`, `currentSchema`, the `tenantResolver`) reaches the server."
                    + " `transaction`: `SET LOCAL search_path` inside every transaction, piggybacked on its first"
                    + " statement (an autocommit statement is sent as `BEGIN; SET LOCAL ...; <sql>; COMMIT` in one"
                    + " round trip); safe behind transaction pooling. `session`: `SET search_path` once per physical"
                    + " connection when it differs from what the server has (one extra round trip per change); only"
                    + " for direct connections or PgBouncer >= 1.20 with `track_extra_parameters = search_path`,"
                    + " rejected with `pooler=pgbouncer-transaction`. With no tenant pinned nothing is added.",
            "transaction", "session"),

    /**
     * The class that tells the tenant of the transaction starting on the calling thread.
     */
    TENANT_RESOLVER("tenantResolver", "io.github.citusjdbc.ThreadTenantResolver",
            "Class name of an `io.github.citusjdbc.spi.TenantResolver` (public, with a public no-argument"
                    + " constructor), consulted when a transaction starts. A non-null answer wins over"
                    + " `setSchema` and `currentSchema`. The default follows `CitusTenants.bind(tenant)` scopes"
                    + " of the calling thread."),

    /**
     * Shared schemas searched after the tenant.
     */
    TENANT_SHARED_SCHEMAS("tenantSharedSchemas", null,
            "Comma-separated schemas put after the tenant in the pinned `search_path`, e.g. `public` for"
                    + " reference tables. Empty (the default): the tenant alone. Each name follows the tenant"
                    + " name rules (letters, digits, `_`, `$`; case-sensitive; quoted on the wire).");

    /** SQLState for an invalid value of a property ({@code invalid_parameter_value}). */
    static final String INVALID_PARAMETER_VALUE = "22023";

    private final String propertyName;
    private final String defaultValue;
    private final String description;
    private final List<String> choices;

    CitusProperty(String propertyName, String defaultValue, String description, String... choices) {
        this.propertyName = propertyName;
        this.defaultValue = defaultValue;
        this.description = description;
        this.choices = List.of(choices);
    }

    /** @return the key as written in URLs and {@link Properties}, e.g. {@code pooler} */
    public String getName() {
        return propertyName;
    }

    /** @return the value used when the key is absent, or null when there is none */
    public String getDefaultValue() {
        return defaultValue;
    }

    /** @return a one-paragraph description (Markdown inline syntax) */
    public String getDescription() {
        return description;
    }

    /** @return the allowed values, or an empty list when any value of the property's type is allowed */
    public List<String> getChoices() {
        return choices;
    }

    /**
     * Reads the property's raw value.
     *
     * @param properties the merged configuration
     * @return the value, or the default when the key is absent
     */
    public String get(Properties properties) {
        String value = properties.getProperty(propertyName);
        return value == null ? defaultValue : value;
    }

    /**
     * Reads the property and checks it against the allowed values.
     *
     * @param properties the merged configuration
     * @return the value, or the default when the key is absent; one of {@link #getChoices()} when
     *         the property has choices
     * @throws SQLException with SQLState {@code 22023} naming the property when the value is not
     *                      one of the allowed values
     */
    public String getString(Properties properties) throws SQLException {
        String value = get(properties);
        if (!choices.isEmpty() && !choices.contains(value)) {
            throw invalidValue(value, "expected one of " + String.join(", ", choices));
        }
        return value;
    }

    /**
     * Builds the exception for an invalid value of this property.
     *
     * @param value  the value given (never a secret: no property of this enum holds one)
     * @param reason what was expected
     * @return an exception with SQLState {@code 22023} whose message names the property
     */
    public SQLException invalidValue(String value, String reason) {
        return new SQLException("Invalid value for citus-jdbc property " + propertyName + ": '" + value + "'; "
                + reason, INVALID_PARAMETER_VALUE);
    }

    /**
     * Describes the property for {@link java.sql.Driver#getPropertyInfo}.
     *
     * @param properties the configuration the value is taken from
     * @return a new property info with the current value, description and choices
     */
    public DriverPropertyInfo toDriverPropertyInfo(Properties properties) {
        DriverPropertyInfo info = new DriverPropertyInfo(propertyName, get(properties));
        info.description = description;
        info.required = false;
        info.choices = choices.isEmpty() ? null : choices.toArray(new String[0]);
        return info;
    }

    /**
     * Finds a property by its key.
     *
     * @param name a key, case-sensitive
     * @return the property, or null when {@code name} is not one of ours
     */
    public static CitusProperty forName(String name) {
        for (CitusProperty property : values()) {
            if (property.propertyName.equals(name)) {
                return property;
            }
        }
        return null;
    }

    /**
     * Renders the README's property table: one row per property, in enum (= name) order.
     *
     * @return a Markdown table ending with a newline
     */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| Property | Default | Allowed values | Description |\n");
        sb.append("|---|---|---|---|\n");
        for (CitusProperty property : values()) {
            sb.append("| `").append(property.propertyName).append("` | ")
                    .append(property.defaultValue == null ? "" : "`" + property.defaultValue + "`").append(" | ")
                    .append(property.choices.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", ")))
                    .append(" | ").append(property.description.replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
