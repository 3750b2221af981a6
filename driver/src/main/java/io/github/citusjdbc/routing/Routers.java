package io.github.citusjdbc.routing;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.topology.ClusterKey;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The JVM-wide routers: one {@link NodeHealth} per cluster (what one connection learns about a
 * dead node, every connection uses; the first settings registered decide its back-off) and one
 * {@link Router} per cluster and {@link RoutingSettings} (data sources with different settings on
 * one cluster route differently but share health). Held weakly: a router lives as long as a
 * connection or data source references it. Thread-safe.
 */
public final class Routers {

    private static final Routers SHARED = new Routers(Ticker.systemTicker());

    private final Ticker ticker;
    private final Cache<ClusterKey, NodeHealth> health = Caffeine.newBuilder().weakValues().build();
    private final Cache<Key, Router> routers = Caffeine.newBuilder().weakValues().build();

    /**
     * @param ticker the clock of the health trackers this registry creates
     */
    public Routers(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
    }

    /** @return the registry of the JVM */
    public static Routers shared() {
        return SHARED;
    }

    /**
     * @param cluster  the cluster (as the topology registry keys it)
     * @param settings routing settings
     * @return the router for them, created on first use; keep a reference while using it
     * @throws SQLException SQLState {@code 22023} when the node selector cannot be created
     */
    public Router router(ClusterKey cluster, RoutingSettings settings) throws SQLException {
        Key key = new Key(Objects.requireNonNull(cluster, "cluster"), Objects.requireNonNull(settings, "settings"));
        Router r = routers.getIfPresent(key);
        if (r != null) {
            return r;
        }
        NodeHealth h = health.get(cluster, k -> NodeHealth.of(settings, ticker));
        Router created = Router.create(settings, h, cluster.clusterName(), cluster.toString());
        Router raced = routers.asMap().putIfAbsent(key, created);
        return raced != null ? raced : created;
    }

    private record Key(ClusterKey cluster, RoutingSettings settings) {
    }
}
