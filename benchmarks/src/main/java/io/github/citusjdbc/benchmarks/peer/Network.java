package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the client dials each node on each path, and the URLs of the columns. With
 * {@code relays} on, every address is a {@link RoundTripRelay} in front of the node or its
 * PgBouncer, adding {@code delay} per direction and counting round trips; the relay answers TLS
 * requests with 'N', so every URL says {@code sslmode=disable} (also without relays, so that all
 * paths compare alike), unless {@code tls} (no relays then): {@code sslmode=require}.
 */
public final class Network implements AutoCloseable {

    private final LocalCluster cluster;
    private final Fixture fixture;
    private final boolean relays;
    private final Duration delay;
    private final String sslmode;
    private final Function<ClusterNode, String> registered;
    private final Map<String, RoundTripRelay> open = new LinkedHashMap<>();

    /**
     * @param registered the address {@code pg_dist_node} holds for a node (what citus-jdbc's topology reads)
     */
    public Network(LocalCluster cluster, Fixture fixture, boolean relays, Duration delay, boolean tls,
                   Function<ClusterNode, String> registered) {
        if (tls && relays) {
            throw new IllegalArgumentException("the relays answer TLS requests with 'N'");
        }
        this.sslmode = tls ? "require" : "disable";
        this.cluster = cluster;
        this.fixture = fixture;
        this.relays = relays;
        this.delay = delay;
        this.registered = registered;
    }

    public Fixture fixture() {
        return fixture;
    }

    public LocalCluster cluster() {
        return cluster;
    }

    /** @return {@code host:port} the client dials for the node on the path */
    public synchronized String address(ClusterNode node, ColumnSpec.Path path) {
        String target = switch (path) {
            case DIRECT -> node.address();
            case PGBOUNCER_118 -> node.bouncerAddress();
            case PGBOUNCER_125 -> node.trackingBouncerAddress();
        };
        if (!relays) {
            return target;
        }
        return open.computeIfAbsent(target, t -> {
            int colon = t.lastIndexOf(':');
            try {
                return RoundTripRelay.start(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)), delay);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).address();
    }

    /** @return the column's JDBC URL (credentials not included) */
    public String url(ColumnSpec col) {
        ClusterNode node = switch (col.target()) {
            case COORDINATOR -> cluster.coordinator();
            case HOLDER -> cluster.worker(1);
            case HOLDER_STANDBY -> cluster.standbyOf(cluster.worker(1));
        };
        StringBuilder url = new StringBuilder(col.driver().prefix).append(address(node, col.path()))
                .append('/').append(cluster.database()).append("?sslmode=").append(sslmode);
        if (!col.properties().isEmpty()) {
            url.append('&').append(col.properties());
        }
        if (col.driver() == ColumnSpec.Driver.CITUS_JDBC) {
            StringBuilder map = new StringBuilder();
            for (ClusterNode n : cluster.nodes()) {
                String from = registered.apply(n);
                String to = address(n, col.path());
                if (!from.equals(to)) {
                    map.append(map.length() == 0 ? "" : ",").append(from).append('=').append(to);
                }
            }
            if (map.length() > 0) {
                url.append("&nodeAddressMap=").append(map);
            }
        }
        return url.toString();
    }

    /** @return round trips counted by every relay since the last {@link #resetCounts()} */
    public synchronized long roundTrips() {
        return open.values().stream().mapToLong(RoundTripRelay::roundTrips).sum();
    }

    public synchronized void resetCounts() {
        open.values().forEach(RoundTripRelay::reset);
    }

    @Override
    public synchronized void close() {
        open.values().forEach(RoundTripRelay::close);
        open.clear();
    }
}
