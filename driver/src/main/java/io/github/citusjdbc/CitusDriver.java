package io.github.citusjdbc;

import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.config.OwnedPgjdbcProperty;
import io.github.citusjdbc.config.ParsedUrl;
import io.github.citusjdbc.config.PgjdbcVersion;
import io.github.citusjdbc.config.Secrets;
import io.github.citusjdbc.jdbc.LogicalConnections;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.RefreshScheduler;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.postgresql.PGProperty;

/**
 * The JDBC driver for {@code jdbc:citus:} URLs: a drop-in replacement for pgjdbc's
 * {@code jdbc:postgresql:} that wraps pgjdbc.
 *
 * <p>URL grammar: {@code jdbc:citus://host1[:port1][,host2[:port2]...]/[database][?key=value&...]},
 * IPv6 literals in brackets, default port 5432, database and query percent-decoded. A key in the
 * URL wins over the same key in {@link Properties}, which wins over the default. The driver's own
 * keys are listed in {@link CitusProperty}; every other key is pgjdbc's and passes through, except
 * the few the driver owns (see docs/configuration.md).
 *
 * <p>Registered with {@link DriverManager} when the class loads (also through
 * {@code META-INF/services/java.sql.Driver}). Deregistering it ({@link #deregister()}, or
 * {@link DriverManager#deregisterDriver} as application servers do when they unload an
 * application) closes every shared topology and stops the driver's background threads, so that
 * its class loader can be collected. Thread-safe.
 */
public final class CitusDriver implements Driver {

    /** The URL prefix this driver accepts. */
    public static final String URL_PREFIX = "jdbc:citus:";

    static final int MAJOR_VERSION = 0;
    static final int MINOR_VERSION = 1;

    private static final CitusDriver INSTANCE = new CitusDriver();
    // Called directly rather than through DriverManager: no lookup per connect, no dependency on registration order.
    private static final Driver PGJDBC = new org.postgresql.Driver();

    private static volatile boolean registered; // written under CitusDriver.class, or by the deregistration action

    static {
        try {
            register();
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Registers the driver with {@link DriverManager} (done when the class loads; again after
     * {@link #deregister()}).
     *
     * @throws IllegalStateException when it is registered already
     * @throws SQLException          as {@link DriverManager#registerDriver(Driver, DriverAction)} throws it
     */
    public static synchronized void register() throws SQLException {
        if (registered) {
            throw new IllegalStateException("citus-jdbc is registered already");
        }
        DriverManager.registerDriver(INSTANCE, CitusDriver::releaseResources);
        registered = true;
    }

    /**
     * Deregisters the driver from {@link DriverManager}, which closes every shared topology (and its
     * metadata connection) and stops the driver's threads. For an application (or container) that
     * unloads the driver; connections still open keep working with the topology they last saw. Does
     * nothing when not registered.
     *
     * @throws SQLException as {@link DriverManager#deregisterDriver} throws it
     */
    public static synchronized void deregister() throws SQLException {
        if (registered) {
            DriverManager.deregisterDriver(INSTANCE); // calls releaseResources
        }
    }

    /** The {@link java.sql.DriverAction}: what deregistration releases. */
    private static void releaseResources() {
        registered = false; // also when a container deregistered the driver through DriverManager
        TopologyRegistry.shared().closeAll();
        io.github.citusjdbc.metrics.ClusterMetrics.closeAll(); // their JMX beans would pin this class loader
        RefreshScheduler.shared().shutdown();
    }

    /** Creates a driver; applications normally use {@link DriverManager} or {@link CitusDataSource} instead. */
    public CitusDriver() {
    }

    /**
     * Opens a connection.
     *
     * @param url  a {@code jdbc:citus:} URL
     * @param info connection properties such as {@code user} and {@code password}; may be null
     * @return a new connection, implementing {@link CitusConnection}; null when {@code url} is not
     *         a {@code jdbc:citus:} URL, as JDBC requires
     * @throws SQLException SQLState {@code 08001} for a malformed URL, host or port and
     *                      {@code 22023} for a bad or conflicting property value (the message
     *                      names the property, never a password); otherwise pgjdbc's exception
     *                      when the server cannot be reached or refuses the login
     */
    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (url == null) {
            throw new SQLException("url is null", CitusSqlState.UNABLE_TO_CONNECT.getState());
        }
        if (!acceptsURL(url)) {
            return null;
        }
        PgjdbcVersion.requireSupported();
        return LogicalConnections.open(PGJDBC, DriverConfig.parse(url, info));
    }

    /**
     * @param url a JDBC URL
     * @return true exactly when {@code url} starts with {@code jdbc:citus:}
     */
    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(URL_PREFIX);
    }

    /**
     * Lists the driver's own properties followed by pgjdbc's, with values from the URL and {@code info}.
     * The descriptions of the pgjdbc keys the driver owns say what the driver does with them.
     *
     * @param url  a {@code jdbc:citus:} URL; when malformed, only {@code info} provides values
     * @param info connection properties; may be null
     * @return the properties, or an empty array when {@code url} is not a {@code jdbc:citus:} URL
     */
    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        if (!acceptsURL(url)) {
            return new DriverPropertyInfo[0];
        }
        Properties values = new Properties();
        if (info != null) {
            info.stringPropertyNames().forEach(k -> values.setProperty(k, info.getProperty(k)));
        }
        try {
            ParsedUrl parsed = ParsedUrl.parse(url);
            values.putAll(parsed.query());
            values.setProperty(PGProperty.PG_DBNAME.getName(), parsed.database());
            values.setProperty(PGProperty.PG_HOST.getName(), parsed.hosts().stream().map(NodeAddress::host)
                    .collect(Collectors.joining(",")));
            values.setProperty(PGProperty.PG_PORT.getName(), parsed.hosts().stream()
                    .map(h -> Integer.toString(h.port())).collect(Collectors.joining(",")));
        } catch (SQLException e) {
            // Tools ask while the user is still typing the URL: describe the properties anyway.
        }
        List<DriverPropertyInfo> result = new ArrayList<>();
        for (CitusProperty property : CitusProperty.values()) {
            result.add(property.toDriverPropertyInfo(values));
        }
        for (PGProperty property : PGProperty.values()) {
            DriverPropertyInfo pg = property.toDriverPropertyInfo(values);
            OwnedPgjdbcProperty owned = OwnedPgjdbcProperty.forKey(property.getName());
            if (owned != null) {
                pg.description = "citus-jdbc: " + owned.behaviour() + " pgjdbc: " + pg.description;
            }
            if (Secrets.isSecret(property.getName())) {
                pg.value = null; // never echo a secret: password, sslpassword
            }
            result.add(pg);
        }
        return result.toArray(new DriverPropertyInfo[0]);
    }

    @Override
    public int getMajorVersion() {
        return MAJOR_VERSION;
    }

    @Override
    public int getMinorVersion() {
        return MINOR_VERSION;
    }

    /** @return false: like pgjdbc, the driver does not claim full JDBC compliance */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    /**
     * @return never
     * @throws SQLFeatureNotSupportedException always: the driver logs through SLF4J, not java.util.logging
     */
    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("citus-jdbc logs through SLF4J");
    }

    /** @return the driver instance registered with {@link DriverManager} */
    static CitusDriver instance() {
        return INSTANCE;
    }

    @Override
    public String toString() {
        return "CitusDriver " + MAJOR_VERSION + "." + MINOR_VERSION;
    }
}
