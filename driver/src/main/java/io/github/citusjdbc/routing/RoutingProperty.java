package io.github.citusjdbc.routing;

import java.sql.SQLException;
import java.util.List;

/**
 * The configuration keys of routing, with default, description and allowed values, in the shape
 * of {@code CitusProperty}. Kept here until they are merged into {@code CitusProperty} (which
 * another change owns right now); {@link RoutingSettings#parse} reads exactly these keys.
 *
 * <p>Constants are sorted by name; a name is the lower-camel-case form of its constant.
 */
public enum RoutingProperty {

    /** Hosts that may ever receive credentials. */
    ALLOWED_HOSTS("allowedHosts", "",
            "Comma-separated allow-list of the addresses routing may connect to (and so send credentials to):"
                    + " `host`, `host:port`, `[ipv6]`, `[ipv6]:port`, or `*.domain` for every host under a domain;"
                    + " host names compare case-insensitively, after `nodeAddressMap`. A node whose address is not"
                    + " listed is never routed to (its work goes where the node's absence sends it). Empty (the"
                    + " default): every node of the topology. The URL's own hosts are always allowed."),

    /** Largest replication lag a secondary may have to receive reads. */
    MAX_REPLICATION_LAG("maxReplicationLag", "",
            "Largest replication lag, in bytes of WAL, of a secondary that receives read-only work (suffixes"
                    + " `kB`, `MB`, `GB`: powers of 1024). Lag is measured in the background at each topology"
                    + " refresh; a secondary whose lag is unknown is then not eligible. Empty (the default): lag"
                    + " is not checked."),

    /** Maps registered node addresses to the addresses to dial. */
    NODE_ADDRESS_MAP("nodeAddressMap", "",
            "Comma-separated `registered=dialled` pairs mapping node addresses of `pg_dist_node` to the"
                    + " addresses the client connects to, e.g. `10.0.0.5:5432=db1.example.com:6432` to reach a node"
                    + " through its PgBouncer. Each side is `host[:port]` (IPv6 in brackets: `[fd00::5]:5432`);"
                    + " a registered side without port maps every port of that host, a dialled side without port"
                    + " keeps the registered port. Unmapped nodes are dialled as registered."),

    /** First back-off of a node marked down. */
    NODE_BACKOFF_BASE("nodeBackoffBase", "1s",
            "Back-off after the first failure of a node (see `nodeBackoffMax`). A duration: `500ms`, `30s`;"
                    + " a bare number is seconds."),

    /** Longest back-off of a node marked down. */
    NODE_BACKOFF_MAX("nodeBackoffMax", "30s",
            "Longest time a node that refused connections, timed out or was reported unreachable by its"
                    + " PgBouncer is skipped; the back-off starts at `nodeBackoffBase` and doubles per consecutive"
                    + " failure up to this. Then the next unit of work probes the node. Keep it no longer than the"
                    + " topology refresh interval. A duration: `500ms`, `30s`, `2m`; a bare number is seconds."),

    /** Connect timeout of physical connections to routed nodes. */
    NODE_CONNECT_TIMEOUT("nodeConnectTimeout", "5s",
            "Connect timeout of the physical connections routing opens to single nodes (pgjdbc's"
                    + " `connectTimeout` for them is the smaller of the two). A duration: `500ms`, `5s`; a bare"
                    + " number is seconds."),

    /** How a node is chosen among equally suitable candidates. */
    NODE_SELECTOR("nodeSelector", "roundRobin",
            "How a node is chosen among equally suitable candidates (the eligible secondaries of a group):"
                    + " `roundRobin`, `random`, `leastOutstanding` (fewest units of work in flight from this JVM),"
                    + " or the class name of an `io.github.citusjdbc.spi.NodeSelector` with a public no-argument"
                    + " constructor (one thread-safe instance per cluster).",
            "roundRobin", "random", "leastOutstanding"),

    /** What read-only work does when no secondary qualifies. */
    READ_FALLBACK("readFallback", "primary",
            "What a read-only unit of work does when no secondary qualifies (none, inactive, down, or lagging"
                    + " beyond `maxReplicationLag`). `primary`: run on a primary (the tenant's with"
                    + " `tenantRouting=affinity`, else the coordinator). `error`: fail with SQLState `08001`"
                    + " instead; read-only work then never connects to a primary.",
            "primary", "error"),

    /** Whether read-only work goes to secondaries. */
    READ_ROUTING("readRouting", "secondary",
            "Where read-only units of work (`setReadOnly(true)`) go. `secondary`: a secondary of the tenant's"
                    + " group, else a secondary of the coordinator (see `readFallback`). `primary`: read-only work"
                    + " is routed as read-write work.",
            "secondary", "primary"),

    /** Whether read-write work for a known tenant goes to the tenant's worker. */
    TENANT_ROUTING("tenantRouting", "coordinator",
            "Where read-write work for a known tenant goes. `coordinator` (the default): the coordinator,"
                    + " which forwards it. `affinity`: straight to the primary of the group holding the tenant,"
                    + " where Citus runs it locally; only queries and DML go there, DDL, `CREATE SCHEMA` and Citus"
                    + " management functions always go to the coordinator. Read-only work whose group has no"
                    + " eligible secondary also goes to the tenant's primary (with `readFallback=primary`).",
            "coordinator", "affinity");

    private final String propertyName;
    private final String defaultValue;
    private final String description;
    private final List<String> choices;

    RoutingProperty(String propertyName, String defaultValue, String description, String... choices) {
        this.propertyName = propertyName;
        this.defaultValue = defaultValue;
        this.description = description;
        this.choices = List.of(choices);
    }

    /** @return the key as written in URLs and {@link java.util.Properties} */
    public String getName() {
        return propertyName;
    }

    /** @return the value used when the key is absent */
    public String getDefaultValue() {
        return defaultValue;
    }

    /** @return a one-paragraph description (Markdown inline syntax) */
    public String getDescription() {
        return description;
    }

    /**
     * @return the allowed values, or an empty list when any value of the property's type is
     *         allowed ({@link #NODE_SELECTOR} also takes a class name)
     */
    public List<String> getChoices() {
        return choices;
    }

    /**
     * Builds the exception for an invalid value of this property.
     *
     * @param value  the value given (no property of this enum holds a secret)
     * @param reason what was expected
     * @return an exception with SQLState {@code 22023} whose message names the property
     */
    public SQLException invalidValue(String value, String reason) {
        return new SQLException("Invalid value for citus-jdbc property " + propertyName + ": '" + value + "'; "
                + reason, SqlErrors.INVALID_PARAMETER_VALUE);
    }
}
