package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.sockets.BoundedLogin;
import io.github.citusjdbc.sockets.BoundedValidation;
import io.github.citusjdbc.spi.NodeAddress;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical pgjdbc connections of one logical connection with routing: the URL's (opened with the
 * logical connection, closed by it) and at most one per routed node, opened on first use with the
 * application's properties and bounded login timeouts, validated after {@code nodeIdleValidation}
 * idle, replaced when broken, and brought to the logical connection's session state before use. Not
 * thread-safe, except {@link #abort} (a pool's thread).
 */
final class NodeConnections {

    private static final Logger LOG = LoggerFactory.getLogger(NodeConnections.class);

    private final LogicalConnection connection;
    private final Driver pgjdbc;
    private final DriverConfig config;
    private final Physical url;
    private final long idleValidationNanos;
    private final ArrayList<Physical> nodes = new ArrayList<>(2);

    NodeConnections(LogicalConnection connection, Driver pgjdbc, DriverConfig config, Physical url) {
        this.connection = connection;
        this.pgjdbc = pgjdbc;
        this.config = config;
        this.url = url;
        this.idleValidationNanos = config.idleValidation().toNanos();
    }

    /**
     * @param r a route
     * @return the physical connection for it: the URL's, or the node's (validated when idle for
     *         {@code nodeIdleValidation}, replaced when broken, opened on first use); its session state
     *         brought up to date
     * @throws SQLException when the node cannot be connected
     */
    Physical physicalFor(Route r) throws SQLException {
        if (r.viaUrl()) {
            return fresh(url);
        }
        NodeAddress address = r.dialAddress();
        for (int i = 0, n = nodes.size(); i < n; i++) {
            Physical p = nodes.get(i);
            if (p.address == address || p.address.equals(address)) {
                Physical checked = fresh(p);
                if (checked != null) {
                    return checked;
                }
                break;
            }
        }
        Physical opened = open(address);
        nodes.add(opened);
        return opened;
    }

    /** @return {@code p} when usable (validated after {@code nodeIdleValidation} idle); null when replaced */
    Physical fresh(Physical p) throws SQLException {
        if (p == url) {
            if (url.appliedVersion != connection.state.version()) {
                connection.state.applyTo(url, !connection.pins.ownsIsolation());
            }
            return url;
        }
        boolean broken = p.connection.isClosed();
        if (!broken && System.nanoTime() - p.lastUsedNanos > idleValidationNanos) {
            broken = !BoundedValidation.isValid(p.connection, nodeConnectSeconds());
        }
        if (broken) {
            LOG.debug("{}: physical connection to {} is broken, replacing it", connection, p);
            forget(p);
            return null;
        }
        if (p.appliedVersion != connection.state.version()) {
            connection.state.applyTo(p, !connection.pins.ownsIsolation());
        }
        return p;
    }

    /** Closes a broken routed connection and forgets it. */
    void forget(Physical p) {
        nodes.remove(p);
        p.closeQuietly();
    }

    private Physical open(NodeAddress address) throws SQLException {
        Properties props = config.pgjdbcProperties();
        int seconds = nodeConnectSeconds();
        // The whole login is bounded, not only the TCP connect: a node (or PgBouncer) that accepts the
        // connection and then stalls in authentication must not hold the application thread. Without a
        // socket timeout, so that the socket stays in blocking mode (BoundedLogin).
        props.remove("targetServerType"); // one node: secondaries must be accepted
        String target = "jdbc:postgresql://" + address + "/" + urlDatabase();
        BoundedLogin login = BoundedLogin.prepare(props, seconds);
        Connection c;
        try {
            c = pgjdbc.connect(target, props);
            if (c == null) {
                throw new SQLException("pgjdbc refused the URL " + target, CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
            login.succeeded(c);
        } finally {
            login.end();
        }
        Physical p = new Physical(address, c);
        try {
            if (config.pooler().isPgBouncer() && !BoundedValidation.isValid(c, seconds)) {
                // PgBouncer 1.18 accepts clients of a dead server and holds their first query for
                // query_wait_timeout: one empty query bounded by nodeConnectTimeout finds out at connect time.
                throw new SQLException("citus-jdbc: the PgBouncer at " + address + " did not reach its server within"
                        + " nodeConnectTimeout (" + config.routing().nodeConnectTimeout() + ")", CitusSqlState.UNABLE_TO_CONNECT.getState());
            }
            connection.state.applyTo(p, !connection.pins.ownsIsolation());
        } catch (SQLException | RuntimeException e) {
            p.closeQuietly();
            throw e;
        }
        p.lastUsedNanos = System.nanoTime();
        LOG.debug("{}: opened a physical connection to {}", connection, address);
        return p;
    }

    private String urlDatabase() {
        String u = config.pgjdbcUrl();
        return u.substring(u.indexOf('/', "jdbc:postgresql://".length()) + 1);
    }

    /** @return {@code nodeConnectTimeout} in whole seconds, at least 1 (pgjdbc's timeouts are seconds) */
    private int nodeConnectSeconds() {
        long millis = config.routing().nodeConnectTimeout().toMillis();
        return (int) Math.max(1, (millis + 999) / 1000);
    }

    /** Closes every routed physical connection; the URL's is the logical connection's to close. */
    void close() {
        for (Physical p : nodes) {
            p.closeQuietly();
        }
        nodes.clear();
    }

    /** Aborts every routed physical connection; may run on another thread (a pool's). */
    void abort(java.util.concurrent.Executor executor) {
        for (Physical p : nodes.toArray(new Physical[0])) { // no iterator: the owner thread may be using the list
            try {
                p.connection.abort(executor);
            } catch (SQLException ignored) {
                // aborting a broken connection: nothing left to release
            }
        }
        nodes.clear();
    }
}
