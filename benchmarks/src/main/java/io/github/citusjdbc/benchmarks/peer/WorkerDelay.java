package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Delay between the coordinator and the workers: a {@link RoundTripRelay} in front of each worker
 * primary, registered in {@code pg_dist_node} with {@code citus_update_node} instead of the worker's
 * own address, and restored on {@link #close()}. The relay answers TLS requests with 'N', so the
 * nodes' {@code citus.node_conninfo} is set to {@code sslmode=prefer} meanwhile (Citus sets
 * {@code sslmode=require}). Clients see the relay addresses in {@code pg_dist_node} as well; citus-jdbc
 * maps them back with {@code nodeAddressMap} (see {@link #registered(ClusterNode)}).
 */
public final class WorkerDelay implements AutoCloseable {

    private final LocalCluster cluster;
    private final Map<String, RoundTripRelay> relays = new LinkedHashMap<>();

    private WorkerDelay(LocalCluster cluster) {
        this.cluster = cluster;
    }

    public static WorkerDelay install(LocalCluster cluster, Duration delay) throws SQLException, IOException {
        WorkerDelay d = new WorkerDelay(cluster);
        if (delay.isZero()) {
            return d;
        }
        try {
            for (ClusterNode n : cluster.primaryNodes()) {
                d.conninfo(n, "ALTER SYSTEM SET citus.node_conninfo = 'sslmode=prefer'");
            }
            for (ClusterNode w : cluster.workers()) {
                RoundTripRelay relay = RoundTripRelay.start(w.host(), w.port(), delay);
                d.relays.put(w.name(), relay);
                d.update(w.host(), w.port(), "127.0.0.1", relay.port());
            }
        } catch (SQLException | IOException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** @return the address {@code pg_dist_node} holds for the node while the delay is installed */
    public String registered(ClusterNode node) {
        RoundTripRelay r = relays.get(node.name());
        return r == null ? node.address() : r.address();
    }

    private void update(String fromHost, int fromPort, String toHost, int toPort) throws SQLException {
        try (Connection c = cluster.admin(cluster.coordinator());
             PreparedStatement ps = c.prepareStatement("SELECT citus_update_node((SELECT nodeid FROM pg_dist_node"
                     + " WHERE nodename = ? AND nodeport = ? AND noderole = 'primary'), ?, ?)")) {
            ps.setString(1, fromHost);
            ps.setInt(2, fromPort);
            ps.setString(3, toHost);
            ps.setInt(4, toPort);
            ps.execute();
        }
    }

    private void conninfo(ClusterNode n, String sql) throws SQLException {
        try (Connection c = cluster.admin(n); Statement s = c.createStatement()) {
            s.execute(sql);
            s.execute("SELECT pg_reload_conf()");
        }
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (Map.Entry<String, RoundTripRelay> e : relays.entrySet()) {
            ClusterNode w = cluster.node(e.getKey());
            try {
                update("127.0.0.1", e.getValue().port(), w.host(), w.port());
            } catch (SQLException ex) {
                first = first == null ? ex : first;
            }
        }
        if (!relays.isEmpty()) {
            for (ClusterNode n : cluster.primaryNodes()) {
                try {
                    conninfo(n, "ALTER SYSTEM RESET citus.node_conninfo");
                } catch (SQLException ex) {
                    first = first == null ? ex : first;
                }
            }
        }
        relays.values().forEach(RoundTripRelay::close);
        relays.clear();
        if (first != null) {
            throw first;
        }
    }
}
