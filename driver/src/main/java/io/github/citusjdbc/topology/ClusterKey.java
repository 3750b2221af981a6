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
 */
public record ClusterKey(List<NodeAddress> hosts, String database, String user, String clusterName, String addressMap) {

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
     * Creates a key without address map.
     *
     * @param hosts       the hosts of the URL, in URL order; not empty
     * @param database    the database name
     * @param user        the user name, or the empty string
     * @param clusterName the {@code nodecluster} of the secondaries to use
     */
    public ClusterKey(List<NodeAddress> hosts, String database, String user, String clusterName) {
        this(hosts, database, user, clusterName, "");
    }

    /** @return {@code user@h1:p1,h2:p2/db}, plus {@code [cluster=x]} when not default; no secrets */
    @Override
    public String toString() {
        String hostList = hosts.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
        return user + "@" + hostList + "/" + database
                + (TopologySettings.DEFAULT_CLUSTER_NAME.equals(clusterName) ? "" : "[cluster=" + clusterName + "]")
                + (addressMap.isEmpty() ? "" : "[mapped]");
    }
}
