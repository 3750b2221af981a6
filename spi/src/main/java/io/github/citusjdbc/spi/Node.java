package io.github.citusjdbc.spi;

import java.util.Objects;

/**
 * One row of Citus's node catalog ({@code pg_catalog.pg_dist_node}) as the driver sees it.
 *
 * <p>Immutable and thread-safe. Two nodes are equal when every component is equal.
 *
 * @param nodeId           Citus's node id; a removed and re-added node gets a new id
 * @param groupId          the group: the coordinator is group 0, a primary and its secondaries share one
 * @param address          the address as registered in the catalog (before any {@link AddressTranslator})
 * @param role             the node's role
 * @param active           false once the node was disabled ({@code citus_disable_node})
 * @param clusterName      the node's {@code nodecluster}, {@code "default"} unless configured otherwise
 * @param shouldHaveShards whether Citus places new shards on the node
 */
public record Node(int nodeId, int groupId, NodeAddress address, NodeRole role, boolean active,
                   String clusterName, boolean shouldHaveShards) {

    /** The group id of the coordinator. */
    public static final int COORDINATOR_GROUP = 0;

    /**
     * Creates a node.
     *
     * @param nodeId           Citus's node id
     * @param groupId          the group id, 0 for the coordinator's group
     * @param address          the registered address
     * @param role             the role
     * @param active           whether the node is active
     * @param clusterName      the node's {@code nodecluster}
     * @param shouldHaveShards whether Citus places new shards on the node
     * @throws NullPointerException     if {@code address}, {@code role} or {@code clusterName} is null
     * @throws IllegalArgumentException if {@code groupId} is negative
     */
    public Node {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(clusterName, "clusterName");
        if (groupId < 0) {
            throw new IllegalArgumentException("groupId must not be negative: " + groupId);
        }
    }

    /** @return true for an active node of role {@link NodeRole#PRIMARY} */
    public boolean isActivePrimary() {
        return active && role == NodeRole.PRIMARY;
    }

    /** @return true for an active node of role {@link NodeRole#SECONDARY} */
    public boolean isActiveSecondary() {
        return active && role == NodeRole.SECONDARY;
    }

    /** @return true when the node belongs to the coordinator's group */
    public boolean isCoordinatorGroup() {
        return groupId == COORDINATOR_GROUP;
    }
}
