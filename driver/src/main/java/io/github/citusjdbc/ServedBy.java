package io.github.citusjdbc;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import java.util.Objects;

/**
 * Which node served a logical connection's last unit of work, and why
 * ({@link CitusConnection#lastServedBy()}). Immutable.
 *
 * @param address         the address the driver dialled (after {@code nodeAddressMap}); for work sent to
 *                        the URL's hosts, the host pgjdbc connected to
 * @param node            the topology node, or null when the topology names none (routing off, topology
 *                        not loaded)
 * @param role            {@link NodeRole#SECONDARY} for a hot standby, else {@link NodeRole#PRIMARY}
 * @param reason          why the unit went there: a {@code io.github.citusjdbc.routing.RouteReason} name,
 *                        e.g. {@code READ_TENANT_SECONDARY}, {@code WRITE_COORDINATOR}
 * @param topologyVersion the version of the topology snapshot the decision used; 0 without one
 * @param tenant          the unit's tenant, or null when none was pinned
 * @param lagBytes        for a secondary, its replication lag in bytes in the snapshot the decision
 *                        used (measured only with {@code maxReplicationLag}); -1 otherwise
 * @param fallbackCause   why read-only work did not run on a secondary of its tenant's group (e.g.
 *                        {@code secondary 10.0.0.7:5432 lag 52428800 bytes, above maxReplicationLag}),
 *                        as the routing table and node health tell when asked; null when it did, or
 *                        when the unit was not read-only work
 */
public record ServedBy(NodeAddress address, Node node, NodeRole role, String reason, long topologyVersion,
                       String tenant, long lagBytes, String fallbackCause) {

    /**
     * Creates a value.
     *
     * @throws NullPointerException if {@code address}, {@code role} or {@code reason} is null
     */
    public ServedBy {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * A value without tenant, lag or fallback cause.
     *
     * @param address         the address dialled
     * @param node            the topology node, or null
     * @param role            the node's role
     * @param reason          the route reason's name
     * @param topologyVersion the snapshot's version
     */
    public ServedBy(NodeAddress address, Node node, NodeRole role, String reason, long topologyVersion) {
        this(address, node, role, reason, topologyVersion, null, -1, null);
    }
}
