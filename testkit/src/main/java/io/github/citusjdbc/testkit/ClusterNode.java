package io.github.citusjdbc.testkit;

import java.util.Objects;

/**
 * One PostgreSQL server of a test cluster, as the tests see it: its name, role, Citus group,
 * the address it listens on and the address of the PgBouncer in front of it.
 *
 * <p>Immutable. The address never changes for the life of the node; a promoted standby keeps
 * its address, and the cluster's metadata is rewritten to point at it.
 */
public final class ClusterNode {
    private final String name;
    private final NodeRole role;
    private final int groupId;
    private final String host;
    private final int port;
    private final int bouncerPort;
    private final int trackingBouncerPort;
    private final String primaryName;

    /**
     * @param name        short unique name, e.g. {@code coordinator}, {@code worker1}, {@code worker1-standby}
     * @param role        the role when the cluster started
     * @param groupId     the Citus group id (coordinator 0); a standby shares its primary's group
     * @param host        host the server listens on (always a loopback address)
     * @param port        the server's own port
     * @param bouncerPort the port of the PgBouncer in front of it, or -1 when there is none
     * @param primaryName for a standby the name of its primary, otherwise null
     */
    public ClusterNode(String name, NodeRole role, int groupId, String host, int port, int bouncerPort, String primaryName) {
        this(name, role, groupId, host, port, bouncerPort, -1, primaryName);
    }

    /**
     * @param trackingBouncerPort the port of the second PgBouncer in front of it (1.25, which tracks
     *                            {@code search_path} and keeps prepared statements per client), or -1
     * @see #ClusterNode(String, NodeRole, int, String, int, int, String)
     */
    public ClusterNode(String name, NodeRole role, int groupId, String host, int port, int bouncerPort,
                       int trackingBouncerPort, String primaryName) {
        this.trackingBouncerPort = trackingBouncerPort;
        this.name = Objects.requireNonNull(name, "name");
        this.role = Objects.requireNonNull(role, "role");
        this.groupId = groupId;
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.bouncerPort = bouncerPort;
        this.primaryName = primaryName;
    }

    public String name() { return name; }

    public NodeRole role() { return role; }

    public int groupId() { return groupId; }

    public String host() { return host; }

    public int port() { return port; }

    /** @return the PgBouncer port in front of this node, or -1 when the cluster has no PgBouncer */
    public int bouncerPort() { return bouncerPort; }

    public boolean hasBouncer() { return bouncerPort > 0; }

    /**
     * @return the port of the PgBouncer 1.25 in front of this node ({@code track_extra_parameters = search_path},
     *         {@code max_prepared_statements}), or -1 when there is none
     */
    public int trackingBouncerPort() { return trackingBouncerPort; }

    public boolean hasTrackingBouncer() { return trackingBouncerPort > 0; }

    /** @return {@code host:port} of the PgBouncer 1.25 in front of it */
    public String trackingBouncerAddress() {
        if (!hasTrackingBouncer()) {
            throw new IllegalStateException(name + " has no PgBouncer 1.25");
        }
        return host + ":" + trackingBouncerPort;
    }

    public boolean isStandby() { return role == NodeRole.STANDBY; }

    /** @return the name of the primary this standby replicates, or null for a primary */
    public String primaryName() { return primaryName; }

    /** @return {@code host:port} of the server itself */
    public String address() { return host + ":" + port; }

    /** @return {@code host:port} of the PgBouncer in front of it */
    public String bouncerAddress() {
        if (!hasBouncer()) {
            throw new IllegalStateException(name + " has no PgBouncer");
        }
        return host + ":" + bouncerPort;
    }

    @Override
    public String toString() {
        return name + "(" + role + ", group " + groupId + ", " + address()
                + (hasBouncer() ? ", bouncer " + bouncerPort : "")
                + (hasTrackingBouncer() ? ", bouncer 1.25 " + trackingBouncerPort : "") + ")";
    }
}
