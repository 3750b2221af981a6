package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.NodeAddress;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Identifies one cluster as the driver sees it: the URL's host list, the database, the user the
 * metadata is read as, and the {@code nodecluster} name secondaries are filtered by. Every
 * connection and data source with an equal key shares one {@link ClusterTopology}.
 *
 * <p>The cluster name is part of the key because two data sources filtering secondaries by
 * different names need different snapshots of the same servers. Immutable; holds no password,
 * so {@link #toString()} is safe to log.
 *
 * @param hosts       the hosts of the URL, in URL order (order matters: the first reachable
 *                    primary is preferred for metadata); not empty
 * @param database    the database name
 * @param user        the user name, or the empty string when none was given
 * @param clusterName the {@code nodecluster} of the secondaries to use, usually {@code default}
 * @param addressMap  the {@code nodeAddressMap} text (empty for none): the topology translates addresses
 *                    once per snapshot, so data sources dialling nodes differently (directly, or through
 *                    each node's PgBouncer) need separate topologies
 * @param lagProbe    null when no replication lag is measured (no {@code maxReplicationLag}, or no read
 *                    routed to secondaries); otherwise the addresses the lag probe may log in to besides
 *                    the URL's hosts ({@code allowedHosts}). Part of the key so that a topology never
 *                    probes beyond the allow-list of any connection sharing it.
 */
public record ClusterKey(List<NodeAddress> hosts, String database, String user, String clusterName, String addressMap,
                         DialFilter lagProbe) {

    /**
     * Creates a key.
     *
     * @throws NullPointerException     if an argument or a host is null
     * @throws IllegalArgumentException if {@code hosts} is empty
     */
    public ClusterKey {
        hosts = List.copyOf(Objects.requireNonNull(hosts, "hosts"));
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("hosts must not be empty");
        }
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(addressMap, "addressMap");
    }

    /**
     * Creates a key whose topology measures no replication lag.
     *
     * @param hosts       the hosts of the URL, in URL order; not empty
     * @param database    the database name
     * @param user        the user name, or the empty string
     * @param clusterName the {@code nodecluster} of the secondaries to use
     * @param addressMap  the {@code nodeAddressMap} text (empty for none)
     */
    public ClusterKey(List<NodeAddress> hosts, String database, String user, String clusterName, String addressMap) {
        this(hosts, database, user, clusterName, addressMap, null);
    }

    /**
     * @param dialled an address the lag probe would log in to
     * @return whether it may: lag is measured, and the address is one of the URL's or allowed
     */
    public boolean lagProbeMayDial(NodeAddress dialled) {
        return lagProbe != null && (hosts.contains(dialled) || lagProbe.allows(dialled));
    }

    /**
     * Creates a key without address map.
     *
     * @param hosts       the hosts of the URL, in URL order; not empty
     * @param database    the database name
     * @param user        the user name, or the empty string
     * @param clusterName the {@code nodecluster} of the secondaries to use
     */
    public ClusterKey(List<NodeAddress> hosts, String database, String user, String clusterName) {
        this(hosts, database, user, clusterName, "", null);
    }

    /** @return {@code user@h1:p1,h2:p2/db}, plus {@code [cluster=x]} when not default; no secrets */
    @Override
    public String toString() {
        String hostList = hosts.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
        return user + "@" + hostList + "/" + database
                + (TopologySettings.DEFAULT_CLUSTER_NAME.equals(clusterName) ? "" : "[cluster=" + clusterName + "]")
                + (addressMap.isEmpty() ? "" : "[mapped]") + (lagProbe == null ? "" : "[lag]");
    }
}
