package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.topology.ClusterView;

/**
 * What routing reads from the topology: the subset of {@link ClusterView} that decisions depend
 * on, as an interface so that tests can build views by hand. Implementations must be immutable
 * apart from {@link #routingEnabled()}, which may turn false as time passes (staleness).
 */
public interface RoutingView {

    /** @return how far the driver got with the cluster */
    ClusterView.Status status();

    /** @return whether routing may use {@link #topology()}: Citus, and not stale */
    boolean routingEnabled();

    /** @return the snapshot; the same instance for as long as the catalogs are unchanged */
    Topology topology();

    /** @return false on Citus before 12: no tenant is ever known, routing is by node only */
    boolean tenantsSupported();

    /**
     * @param node a node of {@link #topology()}
     * @return the address to connect to
     */
    NodeAddress dialAddress(Node node);

    /**
     * @param node     a secondary
     * @param maxBytes the largest acceptable lag
     * @return whether its lag is known and at most {@code maxBytes}
     */
    boolean isLagWithin(Node node, long maxBytes);

    /**
     * @param node a secondary
     * @return its replication lag in bytes as last measured, or -1 when not measured
     */
    default long lagBytes(Node node) {
        return -1;
    }

    /**
     * @param view a view of the topology package
     * @return it as a routing view (a new adapter; {@link RouteDecider} caches it per view)
     */
    static RoutingView of(ClusterView view) {
        return new ClusterViewAdapter(view);
    }

    /** Adapts a {@link ClusterView}. */
    record ClusterViewAdapter(ClusterView view) implements RoutingView {
        @Override
        public ClusterView.Status status() {
            return view.status();
        }

        @Override
        public boolean routingEnabled() {
            return view.routingEnabled();
        }

        @Override
        public Topology topology() {
            return view.topology();
        }

        @Override
        public boolean tenantsSupported() {
            return view.tenantsSupported();
        }

        @Override
        public NodeAddress dialAddress(Node node) {
            return view.dialAddress(node);
        }

        @Override
        public boolean isLagWithin(Node node, long maxBytes) {
            return view.isLagWithin(node, maxBytes);
        }

        @Override
        public long lagBytes(Node node) {
            return view.replicationLagBytes(node).orElse(-1);
        }
    }
}
