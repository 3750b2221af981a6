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
 */
public record ServedBy(NodeAddress address, Node node, NodeRole role, String reason, long topologyVersion) {

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
}
