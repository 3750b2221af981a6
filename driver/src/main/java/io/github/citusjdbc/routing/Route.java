package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;

/**
 * Where one unit of work runs: either the URL's hosts, connected as plain pgjdbc would (the
 * coordinator primary; pgjdbc's multi-host failover and {@code targetServerType} apply), or one
 * node of the topology at its dialled address.
 *
 * <p>Routes are precomputed per topology snapshot and reused, so comparing two routes of the same
 * snapshot with {@code ==} is meaningful; use {@link #sameTarget(Route)} across snapshots.
 * Immutable and thread-safe.
 */
public final class Route {

    private static final Route NOT_CITUS = new Route(null, null, RouteReason.NOT_CITUS, 0, true, -1);
    private static final Route TOPOLOGY_UNAVAILABLE = new Route(null, null, RouteReason.TOPOLOGY_UNAVAILABLE, 0, true, -1);

    private final Node node;
    private final NodeAddress dialAddress;
    private final RouteReason reason;
    private final long topologyVersion;
    private final boolean viaUrl;
    private final long lagBytes;

    Route(Node node, NodeAddress dialAddress, RouteReason reason, long topologyVersion, boolean viaUrl, long lagBytes) {
        this.node = node;
        this.dialAddress = viaUrl ? null : dialAddress;
        this.reason = reason;
        this.topologyVersion = topologyVersion;
        this.viaUrl = viaUrl;
        this.lagBytes = lagBytes;
    }

    /** @return a secondary's replication lag in bytes in the view the decision used; -1 when not measured or a primary */
    public long lagBytes() {
        return lagBytes;
    }

    static Route notCitus() {
        return NOT_CITUS;
    }

    static Route topologyUnavailable() {
        return TOPOLOGY_UNAVAILABLE;
    }

    /**
     * @return true when the unit of work runs on the URL's hosts (the default physical connection);
     *         {@link #dialAddress()} is then null
     */
    public boolean viaUrl() {
        return viaUrl;
    }

    /** @return the address to connect to, after the address translation; null when {@link #viaUrl()} */
    public NodeAddress dialAddress() {
        return dialAddress;
    }

    /**
     * @return the topology node served: for {@link #viaUrl()} routes the coordinator primary when
     *         the topology names one, null when routing is off
     */
    public Node node() {
        return node;
    }

    /** @return why this route was chosen */
    public RouteReason reason() {
        return reason;
    }

    /** @return the version of the topology snapshot the decision used; 0 when routing is off */
    public long topologyVersion() {
        return topologyVersion;
    }

    /** @return whether the target is a secondary (a hot standby: writes fail there) */
    public boolean readsSecondary() {
        return reason.readsSecondary();
    }

    /**
     * @param other another route, possibly of another snapshot
     * @return whether both use the same physical connection target (both the URL, or the same dialled address)
     */
    public boolean sameTarget(Route other) {
        return viaUrl ? other.viaUrl : !other.viaUrl && dialAddress.equals(other.dialAddress);
    }

    @Override
    public String toString() {
        String target = viaUrl ? "url" : dialAddress.toString();
        return "Route[" + target + (node == null ? "" : ", node " + node.nodeId() + " group " + node.groupId() + " "
                + node.role()) + ", " + reason + ", v" + topologyVersion + "]";
    }
}
