package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.topology.ClusterView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A hand-built {@link RoutingView}; immutable once handed to a decider (build a new one per "refresh"). */
final class FakeView implements RoutingView {

    // The test kit's shape: coordinator + standby (group 0), worker 1 + standby (group 1), worker 2 (group 2).
    static final Node COORD = primary(1, 0, "coord");
    static final Node COORD_STANDBY = secondary(5, 0, "coord-standby");
    static final Node W1 = primary(2, 1, "w1");
    static final Node W1_STANDBY = secondary(9, 1, "w1-standby");
    static final Node W2 = primary(3, 2, "w2");

    ClusterView.Status status = ClusterView.Status.CITUS;
    boolean enabled = true;
    boolean tenantsSupported = true;
    final List<Node> nodes = new ArrayList<>();
    final Map<String, Integer> tenants = new HashMap<>();
    final Map<Integer, NodeAddress> dial = new HashMap<>();
    final Map<Integer, Long> lags = new HashMap<>();
    long version = 1;
    private Topology topology;

    /** @return the kit's topology with tenants t0 (group 0), t1 (group 1, has a standby), t2 (group 2, none) */
    static FakeView kit() {
        FakeView v = new FakeView();
        v.nodes.addAll(List.of(COORD, COORD_STANDBY, W1, W1_STANDBY, W2));
        v.tenants.put("t0", 0);
        v.tenants.put("t1", 1);
        v.tenants.put("t2", 2);
        return v;
    }

    static Node primary(int id, int group, String host) {
        return new Node(id, group, new NodeAddress(host, 5432), NodeRole.PRIMARY, true, "default", group != 0);
    }

    static Node secondary(int id, int group, String host) {
        return new Node(id, group, new NodeAddress(host, 5432), NodeRole.SECONDARY, true, "default", true);
    }

    static Node inactive(Node n) {
        return new Node(n.nodeId(), n.groupId(), n.address(), n.role(), false, n.clusterName(), n.shouldHaveShards());
    }

    static Node inCluster(Node n, String cluster) {
        return new Node(n.nodeId(), n.groupId(), n.address(), n.role(), n.active(), cluster, n.shouldHaveShards());
    }

    FakeView replace(Node old, Node replacement) {
        nodes.set(nodes.indexOf(old), replacement);
        return this;
    }

    FakeView without(Node n) {
        nodes.remove(n);
        return this;
    }

    @Override
    public ClusterView.Status status() {
        return status;
    }

    @Override
    public boolean routingEnabled() {
        return enabled && status == ClusterView.Status.CITUS;
    }

    @Override
    public synchronized Topology topology() {
        if (topology == null) {
            topology = new Topology(version, nodes, tenants);
        }
        return topology;
    }

    @Override
    public boolean tenantsSupported() {
        return tenantsSupported;
    }

    @Override
    public NodeAddress dialAddress(Node node) {
        return dial.getOrDefault(node.nodeId(), node.address());
    }

    @Override
    public boolean isLagWithin(Node node, long maxBytes) {
        Long lag = lags.get(node.nodeId());
        return lag != null && lag <= maxBytes;
    }

    @Override
    public long lagBytes(Node node) {
        return lags.getOrDefault(node.nodeId(), -1L);
    }
}
