package io.github.citusjdbc.topology;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.spi.NodeAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * pgjdbc-backed {@link ConnectionOpener} and {@link NodeConnector} for the topology's own
 * connections. pgjdbc's driver is called directly (not through {@code DriverManager}) so that no
 * other registered driver, ours included, can intercept the URL.
 *
 * <p>The caller's pgjdbc properties (user, password, SSL settings...) are kept; on top of them the
 * topology connections get bounded connect and socket timeouts (a hung server must not hold the
 * refresh thread forever), {@code prepareThreshold=0} (safe behind a transaction-mode PgBouncer)
 * and an {@code ApplicationName} when none was given, so that they are recognisable in
 * {@code pg_stat_activity}.
 */
public final class PgjdbcConnections {

    /** The ApplicationName of topology connections when the application set none. */
    public static final String APPLICATION_NAME = "citus-jdbc topology";

    private static final org.postgresql.Driver PGJDBC = new org.postgresql.Driver();

    private PgjdbcConnections() {
    }

    /**
     * A metadata connection opener over the URL's whole host list: pgjdbc tries the hosts in order
     * with {@code targetServerType=preferPrimary}, so the coordinator primary is preferred and any
     * other reachable listed host (e.g. the coordinator's standby) serves when it is down.
     *
     * @param hosts    the URL's hosts, in order
     * @param database the database
     * @param pgjdbc   pgjdbc properties including user and password; copied, not modified
     * @param settings for the timeouts
     * @return the opener
     */
    public static ConnectionOpener metadata(List<NodeAddress> hosts, String database, Properties pgjdbc,
                                            TopologySettings settings) {
        String url = url(hosts, database);
        Properties props = topologyProperties(pgjdbc, settings);
        props.setProperty("targetServerType", "preferPrimary");
        props.setProperty("loadBalanceHosts", "false");
        return () -> connect(url, props);
    }

    /**
     * A connector to single nodes, whatever their role ({@code targetServerType=any}).
     *
     * @param database the database
     * @param pgjdbc   pgjdbc properties including user and password; copied, not modified
     * @param settings for the timeouts
     * @return the connector
     */
    public static NodeConnector nodes(String database, Properties pgjdbc, TopologySettings settings) {
        Properties props = topologyProperties(pgjdbc, settings);
        props.setProperty("targetServerType", "any");
        return address -> connect(url(List.of(address), database), props);
    }

    private static Connection connect(String url, Properties props) throws SQLException {
        Connection c = PGJDBC.connect(url, props);
        if (c == null) {
            throw new SQLException("pgjdbc refused the URL " + url, CitusSqlState.UNABLE_TO_CONNECT.getState());
        }
        return c;
    }

    private static Properties topologyProperties(Properties pgjdbc, TopologySettings settings) {
        Properties props = new Properties();
        props.putAll(Objects.requireNonNull(pgjdbc, "pgjdbc"));
        props.setProperty("connectTimeout", seconds(settings.connectTimeout()));
        props.setProperty("loginTimeout", seconds(settings.connectTimeout()));
        props.setProperty("socketTimeout", seconds(settings.queryTimeout()));
        props.setProperty("prepareThreshold", "0");
        if (props.getProperty("ApplicationName") == null) {
            props.setProperty("ApplicationName", APPLICATION_NAME);
        }
        return props;
    }

    private static String seconds(Duration d) {
        // pgjdbc takes whole seconds; round up so that a sub-second setting never means "no timeout" (0).
        return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
    }

    private static String url(List<NodeAddress> hosts, String database) {
        return "jdbc:postgresql://" + hosts.stream().map(NodeAddress::toString).collect(Collectors.joining(","))
                + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    }
}
