package io.github.citusjdbc;

import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Every configuration key of citus-jdbc itself, with its default, description and allowed values.
 *
 * <p>This enum is the single source of truth for the driver's own configuration: the URL parser,
 * {@link CitusDriver#getPropertyInfo}, the bean setters of {@link CitusDataSource} and the
 * property table of docs/configuration.md ({@link #markdownTable()}) all derive from it. A key is given in
 * the URL query, in the {@link Properties} passed to the driver, or through the data source;
 * the URL wins over {@code Properties}, which win over the default. Keys not listed here are
 * pgjdbc's and are passed to pgjdbc (see docs/configuration.md for the few pgjdbc keys the driver owns).
 *
 * <p>Constants are sorted by name, and a name is the lower-camel-case form of its constant.
 */
public enum CitusProperty {

    /** Hosts that may ever receive credentials from routing. */
    ALLOWED_HOSTS("allowedHosts", null,
            "Comma-separated allow-list of the addresses the driver may connect to (and so send credentials to),"
                    + " for routing and for measuring replication lag alike:"
                    + " `host`, `host:port`, `[ipv6]`, `[ipv6]:port`, or `*.domain` for every host under a domain;"
                    + " host names compare case-insensitively, after `nodeAddressMap`. A node whose address is not"
                    + " listed is never connected to: it is never routed to (its work goes where the node's absence"
                    + " sends it) and its lag is not measured (so with `maxReplicationLag` a secondary needs itself and"
                    + " its primary listed). Empty (the default): every node of the topology. The URL's own hosts are"
                    + " always allowed.",
            Kind.ROUTING),

    /** The {@code nodecluster} whose secondaries are used. */
    CLUSTER_NAME("clusterName", "default",
            "The `nodecluster` of `pg_dist_node` whose secondaries may receive read-only work (Citus's"
                    + " `citus.cluster_name`); secondaries of other clusters are ignored. Primaries are always in"
                    + " `default`.",
            Kind.TOPOLOGY),

    /** How long a unit of work that could not reach a node waits for the node to come back or be replaced. */
    FAILOVER_WAIT("failoverWait", null,
            "When a unit of work fails because a node could not be reached before anything was sent (the"
                    + " driver's connection refused, or Citus reporting it could not connect to a worker), the"
                    + " statement waits and runs again, for up to this long in all, instead of failing at once: a"
                    + " worker failover (stop, promote, `citus_update_node`) or a restart then costs the application"
                    + " latency, not errors. Only autocommit statements and the first statement of a transaction"
                    + " (the failed transaction is rolled back first) wait; failures that may have reached a server"
                    + " (a connection lost mid-statement, a failing `COMMIT`) never do, nor batches and COPY."
                    + " A duration: `500ms`, `10s`; empty (the default): no waiting.",
            Kind.ROUTING),

    /** Largest replication lag of a secondary that receives reads. */
    MAX_REPLICATION_LAG("maxReplicationLag", null,
            "Largest replication lag, in bytes of WAL, of a secondary that receives read-only work (suffixes"
                    + " `kB`, `MB`, `GB`: powers of 1024; at most 8589934591GB). Lag is measured in the background at"
                    + " each topology refresh (one short login to each allowed secondary and its primary) while a"
                    + " connection with this property and `readRouting=secondary` is open; a secondary whose lag is"
                    + " unknown is then not eligible. Empty (the default): lag is neither checked nor measured.",
            Kind.ROUTING),

    /** How many tenants the metrics count one by one. */
    METRICS_TENANTS("metricsTenants", "0",
            "How many tenants the metrics (`CitusMetrics`, JMX, Micrometer) count one by one: units of work,"
                    + " statements and statement time of the N most active by units of work, the others summed as"
                    + " `(other)`. Only the units of connections opened with it are counted (the cluster's other"
                    + " connections count none). `0` (the default) counts none and costs nothing; otherwise one map look-up per"
                    + " unit of work and two clock reads per statement. At most 1000.",
            Kind.ROUTING),

    /** Maps registered node addresses to the addresses to dial. */
    NODE_ADDRESS_MAP("nodeAddressMap", null,
            "Comma-separated `registered=dialled` pairs mapping node addresses of `pg_dist_node` to the"
                    + " addresses the client connects to, e.g. `10.0.0.5:5432=db1.example.com:6432` to reach a node"
                    + " through its PgBouncer. Each side is `host[:port]` (IPv6 in brackets: `[fd00::5]:5432`);"
                    + " a registered side without port maps every port of that host, a dialled side without port"
                    + " keeps the registered port. Unmapped nodes are dialled as registered.",
            Kind.ROUTING),

    /** First back-off of a node marked down. */
    NODE_BACKOFF_BASE("nodeBackoffBase", "1s",
            "Back-off after the first failure of a node (see `nodeBackoffMax`). A duration: `500ms`, `30s`;"
                    + " a bare number is seconds.",
            Kind.ROUTING),

    /** Longest back-off of a node marked down. */
    NODE_BACKOFF_MAX("nodeBackoffMax", "30s",
            "Longest time a node that refused connections, timed out or was reported unreachable by its"
                    + " PgBouncer is skipped; the back-off starts at `nodeBackoffBase` and doubles per consecutive"
                    + " failure up to this. Then the next unit of work probes the node. Keep it no longer than the"
                    + " topology refresh interval. A duration: `500ms`, `30s`, `2m`; a bare number is seconds.",
            Kind.ROUTING),

    /** Connect timeout of physical connections to routed nodes. */
    NODE_CONNECT_TIMEOUT("nodeConnectTimeout", "5s",
            "Connect and login timeout of the physical connections routing opens to single nodes: pgjdbc's"
                    + " `connectTimeout` and `loginTimeout` for them are the smaller of their own value and this (in"
                    + " whole seconds), and the socket of a login given up on is closed, so a node that accepts the"
                    + " connection and then stalls does not block the application. No socket timeout is used for it"
                    + " (a read under one leaves the socket non-blocking, which costs every later read; see"
                    + " docs/facts.md). With"
                    + " `pooler=pgbouncer-transaction` or `pgbouncer-session` a new routed connection is also checked"
                    + " with one empty query bounded by it (the connection is aborted when it does not answer in"
                    + " time), because PgBouncer 1.18 accepts clients of a dead server and"
                    + " holds their first query for `query_wait_timeout`. A duration: `500ms`, `5s`; a bare number"
                    + " is seconds.",
            Kind.ROUTING),

    /** Idle time after which a physical connection is validated before reuse. */
    NODE_IDLE_VALIDATION("nodeIdleValidation", "30s",
            "A physical connection of a logical connection that was not used for this long is validated"
                    + " (`isValid`, one round trip) before its next unit of work, and replaced when it is broken."
                    + " A duration: `500ms`, `30s`, `2m`; a bare number is seconds.",
            Kind.ROUTING),

    /** How a node is chosen among equally suitable candidates. */
    NODE_SELECTOR("nodeSelector", "roundRobin",
            "How a node is chosen among equally suitable candidates (the eligible secondaries of a group):"
                    + " `roundRobin`, `random`, `leastOutstanding` (fewest units of work in flight from this JVM),"
                    + " or the class name of an `io.github.citusjdbc.spi.NodeSelector` with a public no-argument"
                    + " constructor (one thread-safe instance per cluster).",
            Kind.ROUTING_OPEN, "roundRobin", "random", "leastOutstanding"),

    /**
     * The connection pooler between the driver and PostgreSQL.
     */
    POOLER("pooler", "none",
            "The connection pooler in front of the servers. `pgbouncer-transaction`: PgBouncer in transaction"
                    + " pooling mode without `search_path` tracking (e.g. 1.18); the driver forces pgjdbc's"
                    + " `prepareThreshold` to 0 (named server-side prepared statements are not safe there), rejects"
                    + " `options` and `tenantPinning=session` (`auto` pins per statement), and applies"
                    + " `setTransactionIsolation` to each transaction (`BEGIN ISOLATION LEVEL ...` / `SET TRANSACTION"
                    + " ...`) instead of pgjdbc's leaking `SET SESSION CHARACTERISTICS`."
                    + " `pgbouncer-transaction-tracking`: PgBouncer >= 1.21 in transaction pooling mode with"
                    + " `track_extra_parameters = search_path` and `max_prepared_statements` > 0; as"
                    + " `pgbouncer-transaction`, except that `prepareThreshold` is left to pgjdbc and session pinning"
                    + " is allowed (PgBouncer restores each client's `search_path`), and what `auto` picks."
                    + " `pgbouncer-session`: PgBouncer in session mode; the driver rejects `options`, which PgBouncer"
                    + " refuses as a startup parameter. `none`: direct connections.",
            Kind.TENANT, "none", "pgbouncer-transaction", "pgbouncer-transaction-tracking", "pgbouncer-session"),

    /** What read-only work does when no secondary qualifies. */
    READ_FALLBACK("readFallback", "primary",
            "What a read-only unit of work does when no secondary qualifies (none, inactive, down, or lagging"
                    + " beyond `maxReplicationLag`). `primary`: run on a primary (the tenant's with"
                    + " `tenantRouting=affinity`, else the coordinator). `error`: fail with SQLState `08001`"
                    + " instead; read-only work then never connects to a primary.",
            Kind.ROUTING, "primary", "error"),

    /** Whether read-only work goes to secondaries. */
    READ_ROUTING("readRouting", "secondary",
            "Where read-only units of work (`setReadOnly(true)`) go. `secondary`: a secondary of the tenant's"
                    + " group, else a secondary of the coordinator (see `readFallback`). `primary`: read-only work"
                    + " is routed as read-write work.",
            Kind.ROUTING, "secondary", "primary"),

    /** Whether read-only work waits for (or avoids) a standby that has not replayed this JVM's writes. */
    READ_YOUR_WRITES("readYourWrites", "off",
            "`tenant`: a read-only unit of work goes to a secondary only when the secondary has replayed every"
                    + " write this JVM committed to the tenant's group (through any connection with this setting);"
                    + " writes without a known tenant count for every group. The driver reads the group primary's"
                    + " WAL position after the last write and the standby's replay position (one round trip each,"
                    + " shared by concurrent units, none while nothing was written), waits up to"
                    + " `readYourWritesWait`, and otherwise runs the unit on the primary (reason"
                    + " `READ_OWN_WRITES_PRIMARY`). Needs `readRouting=secondary`. `off`: standbys may serve reads"
                    + " that miss recent writes (bounded by `maxReplicationLag` when set).",
            Kind.ROUTING, "off", "tenant"),

    /** How long read-only work waits for its standby to replay the application's writes. */
    READ_YOUR_WRITES_WAIT("readYourWritesWait", "20ms",
            "With `readYourWrites=tenant`: how long a read-only unit of work waits for its secondary to replay"
                    + " the last write before it runs on the primary instead (at least `1ms`). A duration:"
                    + " `500ms`, `30s`, `2m`; a bare number is seconds.",
            Kind.ROUTING),

    /**
     * How the tenant is pinned: per session where the pooler allows it, else per transaction.
     */
    TENANT_PINNING("tenantPinning", "auto",
            "How a pinned tenant (`setSchema`, `currentSchema`, the `tenantResolver`) reaches the server."
                    + " `auto`: `statement` behind `pooler=pgbouncer-transaction`, `session` otherwise."
                    + " `session`: `SET search_path TO \"t\"; ` prefixed to the statement that needs it when the"
                    + " server's value differs (same round trip; nothing added while the tenant does not change);"
                    + " behind `pgbouncer-transaction-tracking` each statement's text also names its tenant in a"
                    + " comment at its end, so that clients of different tenants never share a server-side prepared"
                    + " statement; only for direct connections, `pgbouncer-session` or `pgbouncer-transaction-tracking`,"
                    + " rejected with `pooler=pgbouncer-transaction`. `statement`: an autocommit statement is sent as"
                    + " `SET search_path TO \"t\"; <sql>; RESET search_path`, one implicit transaction in one round"
                    + " trip (not a distributed transaction on Citus); behind `pgbouncer-transaction` only where pgjdbc"
                    + " sends it with a single Sync (`prepareThreshold=0`), otherwise, and in explicit transactions, as"
                    + " `transaction`; safe behind any transaction pooler. `transaction`: `SET LOCAL search_path` inside every"
                    + " transaction, piggybacked on its first statement (an autocommit statement is sent as"
                    + " `BEGIN; SET LOCAL ...; <sql>; COMMIT` in one round trip, which Citus runs as a distributed"
                    + " transaction: slower); safe behind any transaction pooler. With no tenant pinned nothing is"
                    + " added.",
            Kind.TENANT, "auto", "session", "statement", "transaction"),

    /**
     * The class that tells the tenant of the transaction starting on the calling thread.
     */
    TENANT_RESOLVER("tenantResolver", "io.github.citusjdbc.ThreadTenantResolver",
            "Class name of an `io.github.citusjdbc.spi.TenantResolver` (public, with a public no-argument"
                    + " constructor), consulted when a transaction starts, and again at each later statement of"
                    + " it (another answer there is refused with SQLState `25001`). A non-null answer wins over"
                    + " `setSchema` and `currentSchema`. The default follows `CitusTenants.bind(tenant)` scopes"
                    + " of the calling thread.", Kind.TENANT),

    /** Whether read-write work for a known tenant goes to the tenant's worker. */
    TENANT_ROUTING("tenantRouting", "coordinator",
            "Where read-write work for a known tenant goes. `coordinator` (the default): the coordinator,"
                    + " which forwards it. `affinity`: straight to the primary of the group holding the tenant,"
                    + " where Citus runs it locally; only queries and DML go there, DDL, `CREATE SCHEMA` and Citus"
                    + " management functions always go to the coordinator. Read-only work whose group has no"
                    + " eligible secondary also goes to the tenant's primary (with `readFallback=primary`).",
            Kind.ROUTING, "coordinator", "affinity"),

    /**
     * Shared schemas searched after the tenant.
     */
    TENANT_SHARED_SCHEMAS("tenantSharedSchemas", null,
            "Comma-separated schemas put after the tenant in the pinned `search_path`, e.g. `public` for"
                    + " reference tables. Empty (the default): the tenant alone. Each name follows the tenant"
                    + " name rules (letters, digits, `_`, `$`; case-sensitive; quoted on the wire).",
            Kind.TENANT),

    /** Longest wait of the first connection for the first topology read. */
    TOPOLOGY_INITIAL_LOAD_TIMEOUT("topologyInitialLoadTimeout", "5s",
            "The longest the first connection to a cluster waits for the first read of its topology; later"
                    + " connections never wait. Until a read succeeds every unit of work goes to the URL's hosts. A"
                    + " duration: `500ms`, `5s`; a bare number is seconds.",
            Kind.TOPOLOGY),

    /** Age of the last good topology read beyond which routing uses the coordinator only. */
    TOPOLOGY_MAX_STALENESS("topologyMaxStaleness", "2m",
            "Once the last successful topology read is older than this (the metadata connection is"
                    + " unreachable), routing falls back to the URL's hosts (the coordinator) for every unit of work,"
                    + " without blocking any statement, until a read succeeds again. At least"
                    + " `topologyRefreshInterval`. A duration: `30s`, `2m`; a bare number is seconds.",
            Kind.TOPOLOGY),

    /** Interval of the background topology refresh. */
    TOPOLOGY_REFRESH_INTERVAL("topologyRefreshInterval", "30s",
            "How often the Citus topology (`pg_dist_node`, tenant placements, standby lag) is re-read in the"
                    + " background, shared by every connection of the JVM to the same hosts, database, user and"
                    + " `clusterName`; routing failures ask for an earlier refresh (rate-limited). A duration:"
                    + " `500ms`, `30s`, `2m`; a bare number is seconds.",
            Kind.TOPOLOGY);

    /** Which part of the driver reads a property; {@code ROUTING_OPEN}: choices are examples, other values are checked by their reader. */
    enum Kind {
        TENANT, ROUTING, ROUTING_OPEN, TOPOLOGY
    }

    private final String propertyName;
    private final String defaultValue;
    private final String description;
    private final Kind kind;
    private final List<String> choices;

    CitusProperty(String propertyName, String defaultValue, String description, Kind kind, String... choices) {
        this.propertyName = propertyName;
        this.defaultValue = defaultValue;
        this.description = description;
        this.kind = kind;
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

    /**
     * @return the allowed values, or an empty list when any value of the property's type is allowed
     *         ({@link #NODE_SELECTOR} also takes a class name besides its listed values)
     */
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
        if (!choices.isEmpty() && kind != Kind.ROUTING_OPEN && !choices.contains(value)) {
            throw invalidValue(value, "expected one of " + String.join(", ", choices));
        }
        return value;
    }

    /**
     * The longest duration any duration key takes: long enough for any use, short enough that every
     * value converts to nanoseconds and to pgjdbc's whole seconds ({@code int}) without overflow.
     */
    public static final Duration MAX_DURATION = Duration.ofDays(7);

    /**
     * @param values key → value of the merged configuration, e.g. {@code properties::getProperty}
     * @return the value, else the default, else ""
     */
    public String getText(UnaryOperator<String> values) {
        String v = values.apply(propertyName);
        if (v == null) {
            v = defaultValue;
        }
        return v == null ? "" : v;
    }

    /**
     * Reads one of the allowed values as a constant of {@code type} (its upper-case name).
     *
     * @throws SQLException SQLState {@code 22023} naming the property when it is not one of {@link #getChoices()}
     */
    public <E extends Enum<E>> E getChoice(UnaryOperator<String> values, Class<E> type) throws SQLException {
        String v = getText(values).trim();
        if (!choices.contains(v)) {
            throw invalidValue(v, "expected one of " + String.join(", ", choices));
        }
        return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
    }

    /**
     * Reads a size: digits with an optional unit {@code B}, {@code kB}, {@code MB}, {@code GB}
     * (powers of 1024, case-insensitive, as PostgreSQL's memory units).
     *
     * @return the number of bytes, or -1 when the value is blank
     * @throws SQLException SQLState {@code 22023} naming the property for a malformed or too large value
     */
    public long getBytes(UnaryOperator<String> values) throws SQLException {
        String v = getText(values).trim();
        if (v.isEmpty()) {
            return -1;
        }
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') {
            end++;
        }
        String unit = v.substring(end).trim().toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "", "b" -> 0;
            case "kb" -> 10;
            case "mb" -> 20;
            case "gb" -> 30;
            default -> -1;
        };
        if (end == 0 || end > 15 || shift < 0) {
            throw invalidValue(v, "expected a number of bytes, optionally with unit kB, MB or GB (e.g. 16MB)");
        }
        long n = Long.parseLong(v.substring(0, end));
        if (n > Long.MAX_VALUE >> shift) {
            throw invalidValue(v, "too large: at most " + (Long.MAX_VALUE >> 30) + "GB");
        }
        return n << shift;
    }

    /**
     * Reads a positive duration: digits with unit {@code ms}, {@code s} or {@code m}; bare digits are seconds.
     *
     * @return the duration, at most {@link #MAX_DURATION}
     * @throws SQLException SQLState {@code 22023} naming the property for a malformed, zero or too long value
     */
    public Duration getDuration(UnaryOperator<String> values) throws SQLException {
        String v = getText(values).trim();
        int end = 0;
        while (end < v.length() && v.charAt(end) >= '0' && v.charAt(end) <= '9') {
            end++;
        }
        String unit = v.substring(end).trim().toLowerCase(Locale.ROOT);
        if (end == 0 || end > 9 || !(unit.isEmpty() || unit.equals("ms") || unit.equals("s") || unit.equals("m"))) {
            throw invalidValue(v, "expected a duration such as 500ms, 30s or 2m (a bare number is seconds)");
        }
        long n = Long.parseLong(v.substring(0, end));
        Duration d = switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.isZero()) {
            throw invalidValue(v, "must be positive");
        }
        if (d.compareTo(MAX_DURATION) > 0) {
            throw invalidValue(v, "too long: at most 7 days (10080m)");
        }
        return d;
    }

    /** As {@link #getDuration(UnaryOperator)} on {@code properties}. */
    public Duration getDuration(Properties properties) throws SQLException {
        return getDuration(properties::getProperty);
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
                + reason, CitusSqlState.INVALID_PARAMETER_VALUE.getState());
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
     * Renders the property table of docs/configuration.md: one row per property, in enum (= name) order.
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
