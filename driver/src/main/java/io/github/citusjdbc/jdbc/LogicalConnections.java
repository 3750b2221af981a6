package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.config.SqlStates;
import io.github.citusjdbc.topology.CitusDetector;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Objects;
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
        Connection physical = pgjdbc.connect(config.pgjdbcUrl(), config.pgjdbcProperties());
        if (physical == null) {
            throw new SQLException("pgjdbc refused the URL " + config.pgjdbcUrl(), SqlStates.UNABLE_TO_CONNECT);
        }
        try {
            applySessionDefaults(physical, config);
            boolean citus = CitusDetector.shared().isCitus(config.clusterKey(), physical);
            CitusConnection connection = wrap(physical, config, citus);
            LOG.debug("{} opened", connection);
            return connection;
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
     * Wraps any JDBC connection, without querying it.
     *
     * @param physical the connection to wrap; owned by the result from now on
     * @param config   the configuration it was opened with
     * @param citus    whether the server is a Citus cluster
     * @return the logical connection
     */
    public static CitusConnection wrap(Connection physical, DriverConfig config, boolean citus) {
        return new LogicalConnection(Objects.requireNonNull(physical, "physical"),
                Objects.requireNonNull(config, "config"), citus);
    }

    private static void applySessionDefaults(Connection physical, DriverConfig config) throws SQLException {
        // currentSchema is the default tenant: pinned per transaction (or session) by TenantPins, never sent here.
        if (config.readOnly() != null) {
            physical.setReadOnly(config.readOnly());
        }
    }
}
