package io.github.citusjdbc;

import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.PGProperty;
import org.postgresql.ds.common.BaseDataSource;

/**
 * A {@link DataSource} for citus-jdbc: a drop-in replacement for pgjdbc's
 * {@code PGSimpleDataSource}.
 *
 * <p>It has every bean property of pgjdbc's data sources (inherited from pgjdbc's
 * {@link BaseDataSource}: {@code serverNames}, {@code portNumbers}, {@code databaseName},
 * {@code user}, {@code password}, {@code sslMode}, {@code prepareThreshold}, ...), a setter for
 * every {@link CitusProperty} (e.g. {@link #setPooler}), {@link #setUrl} for a
 * {@code jdbc:citus:} URL, and the generic {@link #setProperty(String, String)}. Setters named
 * after the exact pgjdbc key (e.g. {@code setSslmode}, {@link #setStringtype}) exist so that
 * HikariCP's {@code dataSourceProperties} can use pgjdbc's key names.
 *
 * <p>Use it as HikariCP's {@code dataSourceClassName}, or give HikariCP the {@code jdbc:citus:}
 * URL as {@code jdbcUrl}. Every {@code getConnection} opens a new physical connection (no pooling).
 * Configure it before use; it is then safe to call {@code getConnection} from several threads.
 */
public class CitusDataSource extends BaseDataSource implements DataSource, AutoCloseable {

    private final DataSourceKeys keys = new DataSourceKeys();

    /** Creates a data source for {@code localhost:5432} with pgjdbc's defaults. */
    public CitusDataSource() {
    }

    /** @return a description of this data source */
    @Override
    public String getDescription() {
        return "citus-jdbc DataSource " + CitusDriver.MAJOR_VERSION + "." + CitusDriver.MINOR_VERSION;
    }

    /**
     * Opens a connection with the configured user and password.
     *
     * @return a new connection, implementing {@link CitusConnection}
     * @throws SQLException as {@link CitusDriver#connect} throws it
     */
    @Override
    public Connection getConnection() throws SQLException {
        return getConnection(getUser(), getPassword());
    }

    /**
     * Opens a connection with the given user and password.
     *
     * @param user     the user, or null for the configured one's absence (pgjdbc then uses the OS user)
     * @param password the password, or null
     * @return a new connection, implementing {@link CitusConnection}
     * @throws SQLException as {@link CitusDriver#connect} throws it
     */
    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return CitusDriver.instance().connect(url(true), DataSourceUrl.credentials(user, password));
    }

    /**
     * Where a unit of work of {@code tenant} would go now ({@link CitusConnection#explain}), asked
     * through one connection of this data source, opened and closed for it (with a pool, ask a pooled
     * connection instead). Nothing runs on the node the answer names.
     *
     * @param tenant   the tenant (a schema name), or null for work that pins none
     * @param readOnly whether the unit is read-only
     * @return the node and reason, or null when the driver does not route (plain PostgreSQL, routing off)
     * @throws SQLException as {@link #getConnection()} throws it, or 42602 for an invalid tenant name
     */
    public ServedBy explain(String tenant, boolean readOnly) throws SQLException {
        try (Connection c = getConnection()) {
            return c.unwrap(CitusConnection.class).explain(tenant, readOnly);
        }
    }

    /**
     * The metrics of this data source's cluster ({@link CitusConnection#metrics}), asked through one
     * connection of this data source, opened and closed for it. The object stays live: keep it and
     * read it again.
     *
     * @return the cluster's metrics, or null when the server is not Citus
     * @throws SQLException as {@link #getConnection()} throws it
     */
    public CitusMetrics metrics() throws SQLException {
        try (Connection c = getConnection()) {
            return c.unwrap(CitusConnection.class).metrics();
        }
    }

    /**
     * Says the application is done with this data source: when no connection to its cluster is open
     * any more (in this data source or any other of the JVM), the driver closes what it keeps for the
     * cluster at once — the topology's metadata connection and its background refreshes — instead of
     * at the next refresh. Open connections keep working; a later {@code getConnection} works too (it
     * loads the topology again). Spring calls it when the context closes.
     *
     * @throws SQLException when the configuration is invalid (as {@link #getConnection} would say)
     */
    @Override
    public void close() throws SQLException {
        Properties info = DataSourceUrl.credentials(getUser(), null);
        TopologyRegistry.shared().closeIfUnused(DriverConfig.parse(url(false), info).cluster());
    }

    /**
     * Builds the {@code jdbc:citus:} URL from the configured servers, database and properties,
     * without secrets: never the user, a password or an SSL key password ({@code sslpassword}), which
     * {@link #getConnection} passes all the same.
     *
     * @return the URL
     */
    @Override
    public String getUrl() {
        return url(false);
    }

    private String url(boolean withSecrets) {
        return DataSourceUrl.build(super.getUrl(), keys.otherKeys(), keys.citusKeys(), withSecrets);
    }

    /** @return the same as {@link #getUrl()} */
    @Override
    public String getURL() {
        return getUrl();
    }

    /**
     * Configures servers, database and properties from a {@code jdbc:citus:} URL. Keys in the
     * URL's query replace values set earlier; others are kept.
     *
     * @param url a {@code jdbc:citus:} URL
     * @throws IllegalArgumentException when the URL is malformed (the bean setter cannot throw
     *                                  SQLException); the message says why
     */
    @Override
    public void setUrl(String url) {
        try {
            DataSourceUrl.apply(url, this);
        } catch (SQLException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * The same as {@link #setUrl(String)}.
     *
     * @param url a {@code jdbc:citus:} URL
     */
    @Override
    public void setURL(String url) {
        setUrl(url);
    }

    /**
     * Sets a property by its key: one of {@link CitusProperty}, one of pgjdbc's, or any other key,
     * which is passed to pgjdbc as the driver passes unknown URL keys.
     *
     * @param name  the key
     * @param value the value; null removes a key of ours or an unknown key
     * @throws SQLException SQLState {@code 22023} when the value is not allowed for one of our
     *                      properties; pgjdbc's exception for a bad value of one of its own
     */
    @Override
    public void setProperty(String name, String value) throws SQLException {
        CitusProperty property = CitusProperty.forName(name);
        if (property != null) {
            keys.setCitus(property, value);
        } else if (PGProperty.forName(name) != null) {
            super.setProperty(name, value);
        } else {
            keys.setOther(name, value);
        }
    }

    /**
     * Reads a property by its key.
     *
     * @param name the key
     * @return the value set, or the default (null for an unknown key never set)
     * @throws SQLException as pgjdbc's data source throws it for its own keys
     */
    @Override
    public String getProperty(String name) throws SQLException {
        CitusProperty property = CitusProperty.forName(name);
        if (property != null) {
            return keys.citus(property);
        }
        return PGProperty.forName(name) != null ? super.getProperty(name) : keys.other(name);
    }

    /**
     * Sets {@link CitusProperty#POOLER}.
     *
     * @param pooler {@code none}, {@code pgbouncer-transaction} or {@code pgbouncer-session}; null for the default
     * @throws IllegalArgumentException for any other value
     */
    public void setPooler(String pooler) {
        keys.setCitusForBean(CitusProperty.POOLER, pooler);
    }

    /** @return the value of {@link CitusProperty#POOLER} */
    public String getPooler() {
        return keys.citus(CitusProperty.POOLER);
    }

    /**
     * Sets {@link CitusProperty#READ_ROUTING} (for pools that configure data sources by bean properties).
     *
     * @param readRouting {@code secondary} or {@code primary}; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setReadRouting(String readRouting) {
        keys.setCitusForBean(CitusProperty.READ_ROUTING, readRouting);
    }

    /** @return the value of {@link CitusProperty#READ_ROUTING} */
    public String getReadRouting() {
        return keys.citus(CitusProperty.READ_ROUTING);
    }

    /**
     * Sets {@link CitusProperty#TENANT_ROUTING} (for pools that configure data sources by bean properties).
     *
     * @param tenantRouting {@code coordinator} or {@code affinity}; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setTenantRouting(String tenantRouting) {
        keys.setCitusForBean(CitusProperty.TENANT_ROUTING, tenantRouting);
    }

    /** @return the value of {@link CitusProperty#TENANT_ROUTING} */
    public String getTenantRouting() {
        return keys.citus(CitusProperty.TENANT_ROUTING);
    }

    /**
     * Sets {@link CitusProperty#READ_FALLBACK} (for pools that configure data sources by bean properties).
     *
     * @param readFallback {@code primary} or {@code error}; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setReadFallback(String readFallback) {
        keys.setCitusForBean(CitusProperty.READ_FALLBACK, readFallback);
    }

    /** @return the value of {@link CitusProperty#READ_FALLBACK} */
    public String getReadFallback() {
        return keys.citus(CitusProperty.READ_FALLBACK);
    }

    /**
     * Sets {@link CitusProperty#MAX_REPLICATION_LAG} (for pools that configure data sources by bean properties).
     *
     * @param maxReplicationLag bytes of WAL, e.g. {@code 16MB}; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setMaxReplicationLag(String maxReplicationLag) {
        keys.setCitusForBean(CitusProperty.MAX_REPLICATION_LAG, maxReplicationLag);
    }

    /** @return the value of {@link CitusProperty#MAX_REPLICATION_LAG} */
    public String getMaxReplicationLag() {
        return keys.citus(CitusProperty.MAX_REPLICATION_LAG);
    }

    /**
     * Sets {@link CitusProperty#NODE_ADDRESS_MAP} (for pools that configure data sources by bean properties).
     *
     * @param nodeAddressMap {@code registered=dialled} pairs, comma-separated; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setNodeAddressMap(String nodeAddressMap) {
        keys.setCitusForBean(CitusProperty.NODE_ADDRESS_MAP, nodeAddressMap);
    }

    /** @return the value of {@link CitusProperty#NODE_ADDRESS_MAP} */
    public String getNodeAddressMap() {
        return keys.citus(CitusProperty.NODE_ADDRESS_MAP);
    }

    /**
     * Sets {@link CitusProperty#ALLOWED_HOSTS} (for pools that configure data sources by bean properties).
     *
     * @param allowedHosts comma-separated hosts; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setAllowedHosts(String allowedHosts) {
        keys.setCitusForBean(CitusProperty.ALLOWED_HOSTS, allowedHosts);
    }

    /** @return the value of {@link CitusProperty#ALLOWED_HOSTS} */
    public String getAllowedHosts() {
        return keys.citus(CitusProperty.ALLOWED_HOSTS);
    }

    /**
     * Sets {@link CitusProperty#TOPOLOGY_REFRESH_INTERVAL} (for pools that configure data sources by bean properties).
     *
     * @param topologyRefreshInterval a duration, e.g. {@code 30s}; null for the default
     * @throws IllegalArgumentException for a value the property does not allow
     */
    public void setTopologyRefreshInterval(String topologyRefreshInterval) {
        keys.setCitusForBean(CitusProperty.TOPOLOGY_REFRESH_INTERVAL, topologyRefreshInterval);
    }

    /** @return the value of {@link CitusProperty#TOPOLOGY_REFRESH_INTERVAL} */
    public String getTopologyRefreshInterval() {
        return keys.citus(CitusProperty.TOPOLOGY_REFRESH_INTERVAL);
    }

    /**
     * pgjdbc's {@code gsslib} under its exact key name (pgjdbc's own setter is {@code setGssLib}).
     *
     * @param gsslib {@code auto}, {@code sspi} or {@code gssapi}
     */
    public void setGsslib(String gsslib) {
        setProperty(PGProperty.GSS_LIB, gsslib);
    }

    /**
     * pgjdbc's {@code stringtype} under its exact key name (pgjdbc's own setter is {@code setStringType}).
     *
     * @param stringtype {@code unspecified} or {@code varchar}
     */
    public void setStringtype(String stringtype) {
        setProperty(PGProperty.STRING_TYPE, stringtype);
    }

    /**
     * pgjdbc's {@code useSpnego} under its exact key name (pgjdbc's own setter is {@code setUseSpNego}).
     *
     * @param useSpnego whether to use SPNEGO in SSPI authentication
     */
    public void setUseSpnego(boolean useSpnego) {
        setProperty(PGProperty.USE_SPNEGO, Boolean.toString(useSpnego));
    }

    /**
     * pgjdbc's {@code service} (a connection service name from {@code pg_service.conf}).
     *
     * @param service the service name
     */
    public void setService(String service) {
        setProperty(PGProperty.SERVICE, service);
    }

    /**
     * @param iface an interface
     * @return true when this data source implements it
     */
    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    /**
     * @param iface an interface this data source implements
     * @return this data source
     * @throws SQLException when it does not implement {@code iface}
     */
    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Cannot unwrap to " + iface.getName());
    }

    /** @return the URL (which never contains a password nor an SSL key password) */
    @Override
    public String toString() {
        return "CitusDataSource[" + getUrl() + ", user=" + getUser() + "]";
    }
}
