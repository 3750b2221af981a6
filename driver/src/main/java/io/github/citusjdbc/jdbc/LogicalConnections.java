package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.Routers;
import io.github.citusjdbc.sockets.BoundedLogin;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Properties;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens logical connections. Internal: public only so that the driver's entry points (and the
 * benchmarks, which wrap a stub connection) can reach it.
 */
public final class LogicalConnections {

    private static final Logger LOG = LoggerFactory.getLogger(LogicalConnections.class);

    private LogicalConnections() {
    }

    /**
     * Opens a physical connection through pgjdbc, applies {@code readOnly} and wraps it. The
     * default tenant ({@code currentSchema}) is pinned by the logical connection, nothing is sent now.
     *
     * @param pgjdbc the pgjdbc driver
     * @param config the parsed configuration
     * @return a new open connection
     * @throws SQLException as pgjdbc throws it when the server cannot be reached or refuses the login;
     *                      the physical connection is closed when a later step fails
     */
    public static CitusConnection open(Driver pgjdbc, DriverConfig config) throws SQLException {
        Properties props = config.pgjdbcProperties();
        // pgjdbc's login timeouts kept, but not as socket timeouts: the socket stays blocking (BoundedLogin).
        BoundedLogin login = BoundedLogin.keepingTimeouts(props);
        Connection physical;
        try {
            physical = pgjdbc.connect(config.pgjdbcUrl(), props);
            if (physical == null) {
                throw new SQLException("pgjdbc refused the URL " + config.pgjdbcUrl(), CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
            login.succeeded(physical);
        } finally {
            login.end();
        }
        try {
            applySessionDefaults(physical, config);
            return withTopology(pgjdbc, physical, config);
        } catch (SQLException | RuntimeException e) {
            try {
                physical.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Wraps a pgjdbc connection, without querying it.
     *
     * @param physical the connection to wrap (pgjdbc's, or one that unwraps to pgjdbc's
     *                 {@link BaseConnection}); owned by the result from now on
     * @param config   the configuration it was opened with
     * @param citus    whether the server is a Citus cluster
     * @return the logical connection
     */
    public static CitusConnection wrap(Connection physical, DriverConfig config, boolean citus) {
        return new WrappedConnection(Objects.requireNonNull(physical, "physical"),
                Objects.requireNonNull(config, "config"), citus);
    }

    /** @return pgjdbc's interface of {@code physical}: the driver runs over pgjdbc's connections only */
    static BaseConnection pgjdbcOf(Connection physical) {
        try {
            return physical.unwrap(BaseConnection.class);
        } catch (SQLException e) {
            throw new IllegalArgumentException("citus-jdbc runs over pgjdbc's connections only, not "
                    + physical.getClass().getName(), e);
        }
    }

    /**
     * Takes a lease on the cluster's shared topology (whose first read detects Citus: one detection
     * for the whole JVM) and, on Citus with something to route, gives the connection its routing.
     */
    private static CitusConnection withTopology(Driver pgjdbc, Connection physical, DriverConfig config)
            throws SQLException {
        TopologyRegistry.Lease lease = TopologyRegistry.shared().acquire(config.cluster(), config.topology(),
                config.pgjdbcProperties());
        boolean routes = false;
        try {
            ClusterView view = lease.current();
            boolean citus = switch (view.status()) {
                case CITUS -> true;
                case NOT_CITUS -> false;
                default -> probeCitus(physical); // first read slow or failed: ask this connection, once
            };
            LogicalConnection connection = new WrappedConnection(physical, config, citus);
            if (citus && RouteSession.routes(config.routing())) {
                Router router = Routers.shared().router(config.cluster(), config.routing());
                connection.routing = new RouteSession(connection, pgjdbc, config, lease, router,
                        new Physical(null, physical));
                routes = true;
            }
            LOG.debug("{} opened{}", connection, routes ? ", routing" : "");
            return connection;
        } finally {
            if (!routes) {
                lease.close(); // nothing to route: the connection needs no topology
            }
        }
    }

    private static boolean probeCitus(Connection physical) throws SQLException {
        try (Statement st = physical.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_node') IS NOT NULL")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    private static void applySessionDefaults(Connection physical, DriverConfig config) throws SQLException {
        // currentSchema is the default tenant: pinned per transaction (or session) by TenantPins, never sent here.
        if (config.readOnly() != null) {
            physical.setReadOnly(config.readOnly());
        }
    }
}
