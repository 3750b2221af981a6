package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link Topology} from catalog rows, one row at a time: the rows of
 * {@code pg_dist_node} and the (schema, group) rows of the tenant placement query.
 *
 * <p>Filtering rules: a primary is always kept (Citus requires primaries in the {@code default}
 * cluster); any other node is kept only when its {@code nodecluster} equals the configured cluster
 * name, as Citus itself only uses the secondaries of its session's {@code citus.cluster_name}
 * (docs/facts.md, Standbys). A tenant without a placement belongs to the coordinator's group 0; a tenant listed
 * with several groups (a move in flight) keeps the lowest, so that answers are deterministic.
 *
 * <p>Separate from {@link TopologyReader} so that snapshot construction can be measured without a
 * server. Not thread-safe; one instance builds one snapshot. Internal API.
 */
public final class TopologyAssembler {

    private final String clusterName;
    private final List<Node> nodes;
    private final Map<String, Integer> tenants;

    /**
     * @param clusterName  the {@code nodecluster} whose secondaries are kept
     * @param expectedRows the expected number of tenant rows (sizing only; 0 when unknown)
     */
    public TopologyAssembler(String clusterName, int expectedRows) {
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
        this.nodes = new ArrayList<>();
        this.tenants = new HashMap<>(Math.max(16, expectedRows * 4 / 3 + 1));
    }

    /**
     * Adds one {@code pg_dist_node} row.
     *
     * @param nodeId           {@code nodeid}
     * @param groupId          {@code groupid}
     * @param host             {@code nodename}
     * @param port             {@code nodeport}
     * @param active           {@code isactive}
     * @param role             {@code noderole} as text
     * @param nodeCluster      {@code nodecluster}
     * @param shouldHaveShards {@code shouldhaveshards}
     * @throws IllegalArgumentException for an unknown role or an invalid address
     */
    public void addNode(int nodeId, int groupId, String host, int port, boolean active, String role,
                        String nodeCluster, boolean shouldHaveShards) {
        NodeRole nodeRole = NodeRole.fromCatalog(role);
        if (nodeRole != NodeRole.PRIMARY && !clusterName.equals(nodeCluster)) {
            return; // another cluster's secondary: Citus would not use it for this session either
        }
        nodes.add(new Node(nodeId, groupId, new NodeAddress(host, port), nodeRole, active, nodeCluster, shouldHaveShards));
    }

    /**
     * Adds one row of the tenant placement query.
     *
     * @param schema  the schema name as stored ({@code pg_namespace.nspname})
     * @param groupId the group holding it, or null when it has no placement
     */
    public void addTenant(String schema, Integer groupId) {
        int group = groupId == null ? Node.COORDINATOR_GROUP : groupId;
        tenants.merge(Objects.requireNonNull(schema, "schema"), group, Math::min);
    }

    /**
     * @param version the version of the snapshot
     * @return the snapshot of every row added so far
     * @throws IllegalArgumentException when the rows are inconsistent (e.g. two primaries in a group)
     */
    public Topology build(long version) {
        return new Topology(version, nodes, tenants);
    }
}
