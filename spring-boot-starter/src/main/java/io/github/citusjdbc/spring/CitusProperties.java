package io.github.citusjdbc.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code citus.*} settings of a Spring Boot application whose {@code spring.datasource.url} is a
 * {@code jdbc:citus:} URL. Each driver property set here is given to the data source (as if it were
 * in the URL; a value in the URL wins). docs/configuration.md describes every driver property.
 */
@ConfigurationProperties(prefix = "citus")
public class CitusProperties {

    /** Where read-only units of work go: {@code secondary} (a standby of the tenant's group) or {@code primary}. */
    private String readRouting;

    /** {@code coordinator}, or {@code affinity}: queries and DML of a tenant go straight to its worker. */
    private String tenantRouting;

    /** What read-only work does when no secondary qualifies: {@code primary} or {@code error}. */
    private String readFallback;

    /** {@code tenant}: read-only work sees this JVM's committed writes (on a standby that has them, else on a primary); {@code off}. */
    private String readYourWrites;

    /** How long read-only work waits for its standby to replay the application's writes, e.g. {@code 20ms}. */
    private String readYourWritesWait;

    /** Largest replication lag of a secondary that receives reads, in bytes of WAL ({@code 16MB}); empty: not checked. */
    private String maxReplicationLag;

    /** The pooler in front of the nodes: {@code none}, {@code pgbouncer-transaction}, {@code pgbouncer-transaction-tracking}, {@code pgbouncer-session}. */
    private String pooler;

    /** How the tenant is pinned: {@code auto}, {@code session}, {@code statement} or {@code transaction}. */
    private String tenantPinning;

    /** How often the cluster's topology is read again, e.g. {@code 30s}. */
    private String topologyRefreshInterval;

    /** {@code registered=dialled} address pairs, e.g. to reach each node through its PgBouncer. */
    private String nodeAddressMap;

    /** Comma-separated hosts routing may connect to (empty: all). */
    private String allowedHosts;

    /** Any other driver property, by its name (e.g. {@code citus.driver.nodeSelector=random}). */
    private Map<String, String> driver = new LinkedHashMap<>();

    /** Where each request's tenant comes from. */
    private final Tenant tenant = new Tenant();

    /**
     * The tenant of a request, bound with {@code CitusTenants.bind} while Spring MVC handles it (also on the thread running
     * its {@code Callable}). Without a JWT claim: the header, else the path variable (400 when they name different
     * tenants).
     */
    public static class Tenant {
        /** The HTTP header naming the request's tenant, e.g. {@code X-Tenant}; unset: none. */
        private String header;

        /** The path variable naming the request's tenant, e.g. {@code tenant} for {@code /tenants/{tenant}/...}; unset: none. */
        private String pathVariable;

        /**
         * The claim of the request's JWT naming its tenant, e.g. {@code tenant}; only a token Spring Security verified counts.
         * When set it is the only source: a header or path variable may repeat the claim's tenant, any other name is refused
         * with 403 (also when no verified token carries the claim).
         */
        private String jwtClaim;

        public String getHeader() {
            return header;
        }

        public void setHeader(String header) {
            this.header = header;
        }

        public String getPathVariable() {
            return pathVariable;
        }

        public void setPathVariable(String pathVariable) {
            this.pathVariable = pathVariable;
        }

        public String getJwtClaim() {
            return jwtClaim;
        }

        public void setJwtClaim(String jwtClaim) {
            this.jwtClaim = jwtClaim;
        }
    }

    /** @return every driver property set, by its driver name (typed ones and {@code citus.driver.*}) */
    public Map<String, String> driverProperties() {
        Map<String, String> m = new LinkedHashMap<>(driver);
        put(m, "readRouting", readRouting);
        put(m, "tenantRouting", tenantRouting);
        put(m, "readFallback", readFallback);
        put(m, "readYourWrites", readYourWrites);
        put(m, "readYourWritesWait", readYourWritesWait);
        put(m, "maxReplicationLag", maxReplicationLag);
        put(m, "pooler", pooler);
        put(m, "tenantPinning", tenantPinning);
        put(m, "topologyRefreshInterval", topologyRefreshInterval);
        put(m, "nodeAddressMap", nodeAddressMap);
        put(m, "allowedHosts", allowedHosts);
        return m;
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    public String getReadRouting() {
        return readRouting;
    }

    public void setReadRouting(String readRouting) {
        this.readRouting = readRouting;
    }

    public String getTenantRouting() {
        return tenantRouting;
    }

    public void setTenantRouting(String tenantRouting) {
        this.tenantRouting = tenantRouting;
    }

    public String getReadFallback() {
        return readFallback;
    }

    public void setReadFallback(String readFallback) {
        this.readFallback = readFallback;
    }

    public String getReadYourWrites() {
        return readYourWrites;
    }

    public void setReadYourWrites(String readYourWrites) {
        this.readYourWrites = readYourWrites;
    }

    public String getReadYourWritesWait() {
        return readYourWritesWait;
    }

    public void setReadYourWritesWait(String readYourWritesWait) {
        this.readYourWritesWait = readYourWritesWait;
    }

    public String getMaxReplicationLag() {
        return maxReplicationLag;
    }

    public void setMaxReplicationLag(String maxReplicationLag) {
        this.maxReplicationLag = maxReplicationLag;
    }

    public String getPooler() {
        return pooler;
    }

    public void setPooler(String pooler) {
        this.pooler = pooler;
    }

    public String getTenantPinning() {
        return tenantPinning;
    }

    public void setTenantPinning(String tenantPinning) {
        this.tenantPinning = tenantPinning;
    }

    public String getTopologyRefreshInterval() {
        return topologyRefreshInterval;
    }

    public void setTopologyRefreshInterval(String topologyRefreshInterval) {
        this.topologyRefreshInterval = topologyRefreshInterval;
    }

    public String getNodeAddressMap() {
        return nodeAddressMap;
    }

    public void setNodeAddressMap(String nodeAddressMap) {
        this.nodeAddressMap = nodeAddressMap;
    }

    public String getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(String allowedHosts) {
        this.allowedHosts = allowedHosts;
    }

    public Map<String, String> getDriver() {
        return driver;
    }

    public void setDriver(Map<String, String> driver) {
        this.driver = driver;
    }

    public Tenant getTenant() {
        return tenant;
    }
}
