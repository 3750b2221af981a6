package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.routing.RoutingSettings;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.tenant.TenantSettings;
import io.github.citusjdbc.topology.ClusterKey;
import io.github.citusjdbc.topology.TopologySettings;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The immutable configuration of one {@code jdbc:citus:} data source, parsed once from a URL and
 * {@link Properties}.
 *
 * <p>Precedence: a key in the URL query wins over the same key in {@code Properties}, which wins
 * over the default. The driver's own keys ({@link CitusProperty}) are validated and removed; the
 * pgjdbc keys the driver owns ({@link OwnedPgjdbcProperty}) are validated, adjusted or removed;
 * all other keys are handed to pgjdbc untouched. {@link ConfigParser} does the parsing; this class
 * holds the result. Thread-safe. {@link #toString()} shows no property values, so no password.
 */
public final class DriverConfig {

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

    DriverConfig(ParsedUrl url, Pooler pooler, TenantSettings tenants, Boolean readOnly, Properties pgjdbc,
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
            if (Secrets.isSecret(key)) {
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
        return ConfigParser.parse(url, info);
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
