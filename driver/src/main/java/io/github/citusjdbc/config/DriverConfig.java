package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.routing.RoutingSettings;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.ClusterKey;
import io.github.citusjdbc.topology.TopologySettings;
import java.time.Duration;
import io.github.citusjdbc.tenant.PinningMode;
import io.github.citusjdbc.tenant.TenantPath;
import io.github.citusjdbc.tenant.TenantResolvers;
import io.github.citusjdbc.tenant.TenantSettings;
import java.util.ArrayList;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The immutable configuration of one {@code jdbc:citus:} data source, parsed once from a URL and
 * {@link Properties}.
 *
 * <p>Precedence: a key in the URL query wins over the same key in {@code Properties}, which wins
 * over the default. The driver's own keys ({@link CitusProperty}) are validated and removed; the
 * pgjdbc keys the driver owns ({@link OwnedPgjdbcProperty}) are validated, adjusted or removed;
 * all other keys are handed to pgjdbc untouched. Thread-safe. {@link #toString()} shows no
 * property values, so no password.
 */
public final class DriverConfig {

    private static final Set<String> ACCEPTED_TARGET_SERVER_TYPES = Set.of("any", "primary", "master");
    private static final Set<String> READ_ONLY_MODES = Set.of("ignore", "transaction", "always");
    // Matches search_path in an options string however it is spelled (-c search_path=, --search-path=).
    private static final Pattern SEARCH_PATH_OPTION = Pattern.compile("search[_-]path", Pattern.CASE_INSENSITIVE);

    private final List<NodeAddress> hosts;
    private final String database;
    private final Pooler pooler;
    private final String defaultSchema;
    private final Boolean readOnly;
    private final TenantSettings tenants;
    private final Properties pgjdbcProperties;
    private final String pgjdbcUrl;
    private final String url;
    private final String clusterKey;
    private final RoutingSettings routing;
    private final TopologySettings topology;
    private final ClusterKey cluster;
    private final Duration idleValidation;
    private final Duration readYourWritesWait;
    private final int metricsTenants;
    private final long failoverWaitNanos;

    private DriverConfig(ParsedUrl url, Pooler pooler, TenantSettings tenants, Boolean readOnly, Properties pgjdbc,
                         RoutingSettings routing, TopologySettings topology, String clusterName,
                         Duration idleValidation, String pgjdbcAddressMap, Duration readYourWritesWait,
                         int metricsTenants, Duration failoverWait) {
        this.hosts = url.hosts();
        this.database = url.database();
        this.pooler = pooler;
        this.tenants = tenants;
        this.defaultSchema = tenants.defaultTenant() == null ? null : tenants.defaultTenant().tenant();
        this.readOnly = readOnly;
        this.pgjdbcProperties = pgjdbc;
        String hostList = hosts.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
        this.pgjdbcUrl = "jdbc:postgresql://" + hostList + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
        this.clusterKey = hostList + "/" + database;
        this.url = publicUrl(hostList, database, url.query());
        this.routing = routing;
        this.topology = topology;
        String user = pgjdbc.getProperty("user");
        String map = pgjdbcAddressMap;
        // Lag is measured only for connections that use it, and only on hosts they may connect to.
        boolean lagUsed = routing.lagChecked() && routing.readRouting() == RoutingSettings.ReadRouting.SECONDARY;
        this.cluster = new ClusterKey(hosts, database, user == null ? "" : user, clusterName, map,
                lagUsed ? routing.allowedHosts() : null);
        this.idleValidation = idleValidation;
        this.readYourWritesWait = readYourWritesWait;
        this.metricsTenants = metricsTenants;
        this.failoverWaitNanos = failoverWait == null ? 0 : failoverWait.toNanos();
    }

    /** The URL as {@code DatabaseMetaData.getURL()} shows it: the application's, without secrets. */
    private static String publicUrl(String hostList, String database, Properties query) {
        StringBuilder sb = new StringBuilder("jdbc:citus://").append(hostList).append('/')
                .append(URLEncoder.encode(database, StandardCharsets.UTF_8));
        char sep = '?';
        for (String key : new java.util.TreeSet<>(query.stringPropertyNames())) {
            if (key.toLowerCase(java.util.Locale.ROOT).contains("password")) {
                continue; // password, sslpassword: never shown
            }
            sb.append(sep).append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(query.getProperty(key), StandardCharsets.UTF_8));
            sep = '&';
        }
        return sb.toString();
    }

    /**
     * @return the application's {@code jdbc:citus:} URL as {@code DatabaseMetaData.getURL()} reports
     *         it: hosts, database and query parameters, without any password parameter
     */
    public String url() {
        return url;
    }

    /**
     * Parses a URL and properties.
     *
     * @param url  a {@code jdbc:citus:} URL
     * @param info connection properties, may be null; only String keys with String values are read
     * @return the configuration
     * @throws SQLException SQLState {@code 08001} for a malformed URL, host or port; {@code 22023}
     *                      naming the property for a bad or conflicting property value
     */
    public static DriverConfig parse(String url, Properties info) throws SQLException {
        ParsedUrl parsed = UrlParser.parse(url);
        for (OwnedPgjdbcProperty p : List.of(OwnedPgjdbcProperty.PGHOST, OwnedPgjdbcProperty.PGPORT,
                OwnedPgjdbcProperty.PGDBNAME)) {
            if (parsed.query().containsKey(p.key())) {
                throw new SQLException("Malformed citus-jdbc URL: " + p.key()
                        + " must not be a query parameter; hosts, ports and database go in the URL path",
                        CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
        }
        Properties merged = new Properties();
        if (info != null) {
            for (String key : info.stringPropertyNames()) {
                merged.setProperty(key, info.getProperty(key));
            }
        }
        merged.remove(OwnedPgjdbcProperty.PGHOST.key()); // the URL path decides
        merged.remove(OwnedPgjdbcProperty.PGPORT.key());
        merged.remove(OwnedPgjdbcProperty.PGDBNAME.key());
        merged.putAll(parsed.query());

        UnknownKeys.check(merged);
        Pooler pooler = Pooler.from(merged);
        for (CitusProperty property : CitusProperty.values()) {
            property.getString(merged); // validate every key of ours, even those not used yet
        }
        TenantSettings tenants = tenantSettings(merged, pooler);
        RoutingSettings routing = RoutingSettings.parse(merged);
        TopologySettings topology = topologySettings(merged, routing);
        String clusterName = CitusProperty.CLUSTER_NAME.getString(merged).trim();
        if (clusterName.isEmpty()) {
            throw CitusProperty.CLUSTER_NAME.invalidValue(clusterName, "must not be empty");
        }
        Duration idleValidation = CitusProperty.NODE_IDLE_VALIDATION.getDuration(merged);
        Duration readYourWritesWait = CitusProperty.READ_YOUR_WRITES_WAIT.getDuration(merged);
        boolean readYourWrites = "tenant".equals(CitusProperty.READ_YOUR_WRITES.getString(merged).trim());
        int metricsTenants = metricsTenants(merged);
        String failoverWaitText = CitusProperty.FAILOVER_WAIT.get(merged);
        Duration failoverWait = failoverWaitText == null || failoverWaitText.isBlank() ? null
                : CitusProperty.FAILOVER_WAIT.getDuration(merged);
        String addressMap = CitusProperty.NODE_ADDRESS_MAP.get(merged);
        addressMap = addressMap == null ? "" : addressMap.replace(" ", "");
        for (CitusProperty property : CitusProperty.values()) {
            merged.remove(property.getName());
        }
        Boolean readOnly = ownReadOnly(merged);
        limitPrepareThreshold(merged, pooler);
        limitOptions(merged, pooler);
        limitChoice(merged, OwnedPgjdbcProperty.TARGET_SERVER_TYPE, ACCEPTED_TARGET_SERVER_TYPES,
                "the driver chooses the server per route; accepted: any, primary");
        if (parsed.hosts().size() > 1 && merged.getProperty(OwnedPgjdbcProperty.TARGET_SERVER_TYPE.key()) == null) {
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
        return new DriverConfig(parsed, pooler, tenants, readOnly, merged, routing, topology, clusterName,
                idleValidation, addressMap, readYourWrites ? readYourWritesWait : null, metricsTenants, failoverWait);
    }

    private static int metricsTenants(Properties merged) throws SQLException {
        String v = CitusProperty.METRICS_TENANTS.getString(merged).trim();
        try {
            int n = Integer.parseInt(v);
            if (n >= 0 && n <= 1000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw CitusProperty.METRICS_TENANTS.invalidValue(v, "expected a number of tenants from 0 to 1000");
    }

    private static TopologySettings topologySettings(Properties merged, RoutingSettings routing) throws SQLException {
        Duration refresh = CitusProperty.TOPOLOGY_REFRESH_INTERVAL.getDuration(merged);
        Duration staleness = CitusProperty.TOPOLOGY_MAX_STALENESS.getDuration(merged);
        if (staleness.compareTo(refresh) < 0) {
            throw CitusProperty.TOPOLOGY_MAX_STALENESS.invalidValue(CitusProperty.TOPOLOGY_MAX_STALENESS.get(merged),
                    "must not be shorter than topologyRefreshInterval (" + refresh + ")");
        }
        Duration firstLoad = CitusProperty.TOPOLOGY_INITIAL_LOAD_TIMEOUT.getDuration(merged);
        TopologySettings d = TopologySettings.defaults();
        // Early refreshes at most once per refresh interval, and never less often than the default allows.
        Duration early = refresh.compareTo(d.earlyRefreshMinInterval()) < 0 ? refresh : d.earlyRefreshMinInterval();
        return new TopologySettings(refresh, staleness, firstLoad, early, d.idleTimeout(),
                routing.nodeConnectTimeout(), d.queryTimeout(), routing.addressMap());
    }

    private static TenantSettings tenantSettings(Properties merged, Pooler pooler) throws SQLException {
        PinningMode mode = PinningMode.of(CitusProperty.TENANT_PINNING.getString(merged));
        if (mode == PinningMode.AUTO) {
            mode = pooler.leaksSearchPath() ? PinningMode.STATEMENT : PinningMode.SESSION;
        }
        if (mode == PinningMode.SESSION && pooler.leaksSearchPath()) {
            throw CitusProperty.TENANT_PINNING.invalidValue(mode.value(), "conflicts with pooler=" + pooler.value()
                    + ": a session search_path leaks to other clients behind a transaction pooler; use transaction");
        }
        List<String> shared = schemaList(CitusProperty.TENANT_SHARED_SCHEMAS.getString(merged),
                CitusProperty.TENANT_SHARED_SCHEMAS.getName());
        try {
            TenantPath.of("x_probe", shared); // validates names and duplicates
        } catch (SQLException e) {
            throw CitusProperty.TENANT_SHARED_SCHEMAS.invalidValue(
                    CitusProperty.TENANT_SHARED_SCHEMAS.getString(merged), e.getMessage());
        }
        TenantPath defaultTenant = null;
        String schema = (String) merged.remove(OwnedPgjdbcProperty.CURRENT_SCHEMA.key());
        if (schema != null && !schema.isBlank()) {
            // pgjdbc's list form "a,b": a is the default tenant, b... are searched after it.
            List<String> names = schemaList(schema, OwnedPgjdbcProperty.CURRENT_SCHEMA.key());
            List<String> rest = new ArrayList<>(names.subList(1, names.size()));
            for (String s : shared) {
                if (!rest.contains(s) && !s.equals(names.get(0))) {
                    rest.add(s);
                }
            }
            try {
                defaultTenant = TenantPath.of(names.get(0), rest);
            } catch (SQLException e) {
                throw invalid(OwnedPgjdbcProperty.CURRENT_SCHEMA, schema, e.getMessage());
            }
        }
        return new TenantSettings(mode, TenantResolvers.forName(CitusProperty.TENANT_RESOLVER.getString(merged)),
                shared, defaultTenant);
    }

    private static List<String> schemaList(String value, String key) throws SQLException {
        List<String> names = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return names;
        }
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.isEmpty()) {
                throw new SQLException("Invalid value for property " + key + ": '" + value + "'; empty schema name",
                        CitusSqlState.INVALID_PARAMETER_VALUE.getState());
            }
            names.add(name);
        }
        return names;
    }

    private static Boolean ownReadOnly(Properties merged) throws SQLException {
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

    private static SQLException invalid(OwnedPgjdbcProperty property, String value, String reason) {
        return new SQLException("Invalid value for property " + property.key() + ": '" + value + "'; " + reason,
                CitusSqlState.INVALID_PARAMETER_VALUE.getState());
    }

    private static SQLException conflict(OwnedPgjdbcProperty property, String reason) {
        return new SQLException("Property " + property.key() + reason, CitusSqlState.INVALID_PARAMETER_VALUE.getState());
    }

    /** @return the hosts of the URL, in order, never empty */
    public List<NodeAddress> hosts() {
        return hosts;
    }

    /** @return the database name, possibly empty (the server then uses the user name) */
    public String database() {
        return database;
    }

    /** @return the configured pooler */
    public Pooler pooler() {
        return pooler;
    }

    /** @return the default tenant from pgjdbc's {@code currentSchema} (its first schema), or null */
    public String defaultSchema() {
        return defaultSchema;
    }

    /** @return the tenant pinning configuration */
    public TenantSettings tenants() {
        return tenants;
    }

    /** @return the value of pgjdbc's {@code readOnly}, or null when not given */
    public Boolean readOnly() {
        return readOnly;
    }

    /** @return the user name, or null when not given (pgjdbc then uses the OS user) */
    public String user() {
        return pgjdbcProperties.getProperty("user");
    }

    /** @return the {@code jdbc:postgresql:} URL for pgjdbc: hosts and database only, no query */
    public String pgjdbcUrl() {
        return pgjdbcUrl;
    }

    /** @return a new copy of the properties for pgjdbc (including user and password) */
    public Properties pgjdbcProperties() {
        Properties copy = new Properties();
        copy.putAll(pgjdbcProperties);
        return copy;
    }

    /** @return identifies the cluster (host list and database) for per-cluster caches */
    public String clusterKey() {
        return clusterKey;
    }

    /** @return how units of work are routed ({@code readRouting}, {@code tenantRouting}, ...) */
    public RoutingSettings routing() {
        return routing;
    }

    /** @return how the cluster's topology is read and kept fresh */
    public TopologySettings topology() {
        return topology;
    }

    /** @return the cluster's identity for the shared topology and routers (hosts, database, user, {@code clusterName}) */
    public ClusterKey cluster() {
        return cluster;
    }

    /** @return how long a unit of work that could not reach a node may wait and run again ({@code failoverWait}), in ns; 0: not at all */
    public long failoverWaitNanos() {
        return failoverWaitNanos;
    }

    /**
     * @return how long read-only work waits for its secondary to replay this JVM's writes
     *         ({@code readYourWritesWait}); null when {@code readYourWrites=off}
     */
    public Duration readYourWritesWait() {
        return readYourWritesWait;
    }

    /** @return how many tenants the metrics count one by one ({@code metricsTenants}); 0: none */
    public int metricsTenants() {
        return metricsTenants;
    }

    /** @return idle time after which a physical connection is validated before its next unit of work */
    public Duration idleValidation() {
        return idleValidation;
    }

    @Override
    public String toString() {
        Set<String> keys = new TreeSet<>(pgjdbcProperties.stringPropertyNames());
        return "DriverConfig[hosts=" + hosts + ", database=" + database + ", user=" + user() + ", pooler="
                + pooler.value() + ", tenantPinning=" + tenants.mode().value()
                + (defaultSchema == null ? "" : ", currentSchema=" + defaultSchema)
                + (readOnly == null ? "" : ", readOnly=" + readOnly) + ", pgjdbcKeys=" + keys + "]";
    }
}
