package io.github.citusjdbc.hibernate;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.CitusReadOnly;
import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.tenant.TenantName;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.service.UnknownUnwrapTypeException;
import org.hibernate.service.spi.Configurable;

/**
 * Hibernate's schema-per-tenant connection provider over citus-jdbc: it hands out connections of a
 * {@link DataSource} with the tenant pinned by the driver ({@link Connection#setSchema(String)}),
 * so every transaction runs with {@code search_path} set to the tenant — per transaction, hence
 * safe behind PgBouncer in transaction mode. It sends no SQL of its own: pinning, read-only and
 * their resets are client-side state of the driver's connection.
 *
 * <p><b>Configuration.</b> Programmatically: {@code new CitusMultiTenantConnectionProvider(dataSource)}
 * as the value of {@code hibernate.multi_tenant_connection_provider}. By class name (Hibernate calls
 * the no-argument constructor, then {@link #configure(Map)}): the data source comes from
 * {@code hibernate.connection.datasource} (or {@code jakarta.persistence.nonJtaDataSource}) when it
 * is a {@code DataSource} instance; otherwise a {@link CitusDataSource} is built from
 * {@code hibernate.connection.url} (or {@code jakarta.persistence.jdbc.url}, a {@code jdbc:citus:}
 * URL), {@code hibernate.connection.username} and {@code hibernate.connection.password}. That one is
 * not pooled: pass a pool (HikariCP over {@code CitusDataSource}) for production.
 *
 * <p><b>Tenant precedence.</b> The driver lets a tenant bound with {@link CitusTenants#bind(String)}
 * win over {@code setSchema}. So a session opened for tenant {@code a} on a thread bound to tenant
 * {@code b} would run in {@code b}: {@link #getConnection(String)} refuses that mismatch with an
 * {@code SQLException} (SQLState {@code 0A000}) instead. Use
 * {@link CitusTenantIdentifierResolver} to take the session's tenant from the binding.
 *
 * <p><b>Read-only.</b> Inside a {@link CitusReadOnly} scope, connections are handed out with
 * {@code setReadOnly(true)}; transactions are then {@code READ ONLY} and, once the driver routes
 * reads, eligible for secondaries.
 *
 * <p><b>Release.</b> The connection goes back with no tenant ({@code setSchema(null)}) and not
 * read-only; then it is closed (returned to the pool). A transaction isolation the application set
 * is not tracked here (reading it back costs a round trip in pgjdbc): pools such as HikariCP reset
 * it on return, and with the driver's {@code pooler=pgbouncer-transaction} it is applied per
 * transaction and never reaches the server session.
 *
 * <p>Thread-safe once configured.
 */
public class CitusMultiTenantConnectionProvider implements MultiTenantConnectionProvider<String>, Configurable {
    private static final long serialVersionUID = 1L;

    private transient volatile DataSource dataSource;
    private transient volatile boolean checked;

    /** For Hibernate (by class name); the data source comes from {@link #configure(Map)}. */
    public CitusMultiTenantConnectionProvider() {
    }

    /**
     * @param dataSource a citus-jdbc data source, or a pool over one (its connections must unwrap to
     *     {@link CitusConnection}); takes precedence over Hibernate's connection settings
     */
    public CitusMultiTenantConnectionProvider(DataSource dataSource) {
        if (dataSource == null) {
            throw new IllegalArgumentException("dataSource is null");
        }
        this.dataSource = dataSource;
    }

    /**
     * Takes the data source from Hibernate's settings unless one was given to the constructor.
     *
     * @param settings Hibernate's configuration values
     * @throws IllegalArgumentException when neither a {@code DataSource} nor a {@code jdbc:citus:} URL is configured
     */
    @Override
    public void configure(Map<String, Object> settings) {
        if (dataSource != null) {
            return;
        }
        Object ds = first(settings, AvailableSettings.DATASOURCE, AvailableSettings.JAKARTA_NON_JTA_DATASOURCE);
        if (ds instanceof DataSource) {
            dataSource = (DataSource) ds;
            return;
        }
        if (ds != null) {
            throw new IllegalArgumentException(AvailableSettings.DATASOURCE + " must be a javax.sql.DataSource instance"
                    + " for " + getClass().getSimpleName() + " (JNDI names are not looked up), got " + ds.getClass().getName());
        }
        Object url = first(settings, AvailableSettings.URL, AvailableSettings.JAKARTA_JDBC_URL);
        if (url == null || !url.toString().startsWith("jdbc:citus:")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs a DataSource ("
                    + AvailableSettings.DATASOURCE + ") or a jdbc:citus: URL (" + AvailableSettings.URL + "), got "
                    + (url == null ? "neither" : "a URL of another driver (" + scheme(url.toString()) + ")"));
        }
        CitusDataSource built = new CitusDataSource();
        built.setUrl(url.toString());
        Object user = first(settings, AvailableSettings.USER, AvailableSettings.JAKARTA_JDBC_USER);
        Object password = first(settings, AvailableSettings.PASS, AvailableSettings.JAKARTA_JDBC_PASSWORD);
        if (user != null) {
            built.setUser(user.toString());
        }
        if (password != null) {
            built.setPassword(password.toString());
        }
        dataSource = built;
    }

    /** @return {@code jdbc:name:} of a URL, never the rest (which may hold a password) */
    private static String scheme(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^jdbc:[A-Za-z0-9_.-]{1,30}:").matcher(url);
        return m.find() ? m.group() : "not a JDBC URL";
    }

    private static Object first(Map<String, Object> settings, String... keys) {
        for (String k : keys) {
            Object v = settings.get(k);
            if (v != null && !(v instanceof String && ((String) v).isEmpty())) {
                return v;
            }
        }
        return null;
    }

    /** @return the data source connections come from */
    public DataSource getDataSource() {
        DataSource ds = dataSource;
        if (ds == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not configured: no DataSource");
        }
        return ds;
    }

    /**
     * A connection for work without a Hibernate tenant (schema tooling, sequences at startup): no
     * tenant pinned by {@code setSchema}, except that a tenant bound to the thread with
     * {@link CitusTenants#bind(String)} is pinned (so schema validation inside a binding sees that tenant).
     *
     * @return a connection of the data source
     * @throws SQLException from the data source
     */
    @Override
    public Connection getAnyConnection() throws SQLException {
        Connection c = open();
        try {
            c.setSchema(CitusTenants.current()); // null unpins a previous borrower's tenant
            return c;
        } catch (SQLException | RuntimeException e) {
            closeAfter(c, e);
            throw e;
        }
    }

    /**
     * @param connection a connection from {@link #getAnyConnection()}; reset and closed
     * @throws SQLException from the reset or the close
     */
    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        release(connection);
    }

    /**
     * A connection pinned to {@code tenantIdentifier}: every transaction on it runs in that tenant.
     *
     * @param tenantIdentifier the tenant (schema) name
     * @return a connection of the data source with the tenant pinned (and read-only inside a {@link CitusReadOnly} scope)
     * @throws SQLException SQLState {@code 42602} for an invalid tenant name (nothing sent); {@code 0A000}
     *     when the thread is bound to another tenant, or the data source is not citus-jdbc's
     */
    @Override
    public Connection getConnection(String tenantIdentifier) throws SQLException {
        TenantName.validate(tenantIdentifier);
        String bound = CitusTenants.current();
        if (bound != null && !bound.equals(tenantIdentifier)) {
            throw new SQLException("Hibernate session for tenant \"" + tenantIdentifier + "\" on a thread bound to tenant \""
                    + bound + "\": the bound tenant would win; open the session for the bound tenant"
                    + " (CitusTenantIdentifierResolver) or close the binding first", CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
        }
        Connection c = open();
        try {
            c.setSchema(tenantIdentifier);
            if (CitusReadOnly.isActive()) {
                c.setReadOnly(true);
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            closeAfter(c, e);
            throw e;
        }
    }

    /**
     * @param tenantIdentifier the tenant the connection was pinned to
     * @param connection a connection from {@link #getConnection(String)}; reset (no tenant, not read-only) and closed
     * @throws SQLException from the reset or the close
     */
    @Override
    public void releaseConnection(String tenantIdentifier, Connection connection) throws SQLException {
        release(connection);
    }

    /** @return false: Hibernate keeps a connection for the whole transaction */
    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    /** @return whether {@link #unwrap(Class)} answers for {@code type} */
    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return type.isInstance(this) || (dataSource != null && type.isInstance(dataSource));
    }

    /**
     * @param type this provider's type or the data source's
     * @return this provider or the data source
     * @throws UnknownUnwrapTypeException for other types
     */
    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        if (dataSource != null && type.isInstance(dataSource)) {
            return type.cast(dataSource);
        }
        throw new UnknownUnwrapTypeException(type);
    }

    private Connection open() throws SQLException {
        Connection c = getDataSource().getConnection();
        if (!checked) {
            // setSchema on another driver's connection would be a session-level SET: it leaks behind a pooler.
            if (!c.isWrapperFor(CitusConnection.class)) {
                closeAfter(c, null);
                throw new SQLException(getClass().getSimpleName() + " needs citus-jdbc connections (jdbc:citus: URL or"
                        + " CitusDataSource, possibly behind a pool); this DataSource gives " + c.getClass().getName(),
                        CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
            }
            checked = true;
        }
        return c;
    }

    private static void release(Connection c) throws SQLException {
        try {
            if (!c.isClosed()) {
                if (!c.getAutoCommit()) {
                    // A session closed with its transaction still open (e.g. after an exception):
                    // end it, as the pool would, so that read-only can be reset.
                    c.rollback();
                }
                // Read-only first: HikariCP's setSchema asks getSchema(), which with autocommit off
                // opens a transaction, and read-only cannot change inside one.
                if (c.isReadOnly()) {
                    c.setReadOnly(false);
                }
                c.setSchema(null);
            }
        } finally {
            c.close();
        }
    }

    private static void closeAfter(Connection c, Exception cause) {
        try {
            c.close();
        } catch (SQLException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
