package io.github.citusjdbc.config;

/**
 * The pgjdbc keys the driver owns or limits, because routing and tenant pinning depend on them,
 * with what the driver does with each. Every other pgjdbc key reaches pgjdbc untouched.
 *
 * <p>The table in docs/configuration.md of these keys is rendered from this enum ({@link #markdownTable()}).
 */
public enum OwnedPgjdbcProperty {
    /** pgjdbc's {@code currentSchema}: the default tenant, applied by the driver. */
    CURRENT_SCHEMA("currentSchema",
            "The default tenant of new connections. Never sent as the startup parameter `search_path` (PgBouncer"
                    + " refuses it): the driver pins it like `setSchema` (per session or per transaction, as"
                    + " `tenantPinning` decides), also behind `pooler=pgbouncer-transaction`. pgjdbc's list form"
                    + " `a,b`: `a` is the tenant, `b` is searched after it. Names follow the tenant rules;"
                    + " others are rejected."),
    /** pgjdbc's {@code options}: startup options, limited. */
    OPTIONS("options",
            "Passed to pgjdbc with `pooler=none`. Rejected when it sets `search_path` (the driver owns it: use"
                    + " `currentSchema`) and with a PgBouncer `pooler` (PgBouncer refuses the startup parameter)."),
    /** pgjdbc's {@code PGDBNAME}: from the URL path only. */
    PGDBNAME("PGDBNAME", "Taken from the URL path only: rejected in the URL query, ignored in `Properties`."),
    /** pgjdbc's {@code PGHOST}: from the URL host list only. */
    PGHOST("PGHOST", "Taken from the URL's host list only: rejected in the URL query, ignored in `Properties`."),
    /** pgjdbc's {@code PGPORT}: from the URL host list only. */
    PGPORT("PGPORT", "Taken from the URL's host list only: rejected in the URL query, ignored in `Properties`."),
    /** pgjdbc's {@code prepareThreshold}: forced to 0 behind a transaction pooler. */
    PREPARE_THRESHOLD("prepareThreshold",
            "Passed to pgjdbc. With `pooler=pgbouncer-transaction` the driver sets it to `0` and rejects any other"
                    + " value: named server-side prepared statements return other clients' rows behind a"
                    + " transaction pooler."),
    /** pgjdbc's {@code readOnly}: applied by the driver. */
    READ_ONLY("readOnly",
            "Not sent to pgjdbc: the driver applies it with `Connection.setReadOnly` when the connection opens, so"
                    + " the read-only state is tracked by the driver. `true` or `false`; other values are rejected."),
    /** pgjdbc's {@code readOnlyMode}: validated. */
    READ_ONLY_MODE("readOnlyMode",
            "Passed to pgjdbc after validation: `ignore`, `transaction` or `always`."),
    /** pgjdbc's {@code targetServerType}: only {@code any} or {@code primary}. */
    TARGET_SERVER_TYPE("targetServerType",
            "Passed to pgjdbc when `any`, `primary` or `master`; the others (`secondary`, `preferSecondary`, ...)"
                    + " are rejected: the driver chooses the server per route. Unset with several hosts in the URL,"
                    + " the driver sets `primary`: the URL's connection carries writes and DDL, so it must reach the"
                    + " coordinator primary whatever the host order (e.g. a standby listed first, or after a failover)."
                    + " With one host pgjdbc's default `any` stays.");

    private final String key;
    private final String behaviour;

    OwnedPgjdbcProperty(String key, String behaviour) {
        this.key = key;
        this.behaviour = behaviour;
    }

    /** @return the pgjdbc key */
    public String key() {
        return key;
    }

    /** @return what the driver does with the key (Markdown inline syntax) */
    public String behaviour() {
        return behaviour;
    }

    /**
     * @param key a property key
     * @return the owned property with that key, or null when pgjdbc's key passes through untouched
     */
    public static OwnedPgjdbcProperty forKey(String key) {
        for (OwnedPgjdbcProperty property : values()) {
            if (property.key.equals(key)) {
                return property;
            }
        }
        return null;
    }

    /** @return the docs/configuration.md table of owned pgjdbc keys, ending with a newline */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| pgjdbc property | What citus-jdbc does |\n|---|---|\n");
        for (OwnedPgjdbcProperty property : values()) {
            sb.append("| `").append(property.key).append("` | ").append(property.behaviour.replace("|", "\\|"))
                    .append(" |\n");
        }
        return sb.toString();
    }
}
