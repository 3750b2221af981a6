package io.github.citusjdbc.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is in a test cluster: its nodes in start order (coordinator, workers, then standbys), which
 * primary each standby replicates, and, for a cluster the kit started, the PostgreSQL server and
 * the two PgBouncers (1.18, then 1.25) behind each node's name.
 *
 * <p>{@link ClusterBoot} fills it while the cluster starts; {@link ClusterFaults} reads it and
 * forgets a standby once it is promoted. Not thread-safe on its own: {@link LocalCluster}
 * synchronizes every call that can race with a change.
 */
final class ClusterMembers {
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    private final Map<String, PostgresServer> servers = new LinkedHashMap<>();
    /** Per node: PgBouncer 1.18, then PgBouncer 1.25 (tracking). */
    private final Map<String, List<PgBouncerProcess>> bouncers = new LinkedHashMap<>();
    /** Standby name to the name of the primary it replicates; a promoted standby leaves it. */
    private final Map<String, String> standbyOf = new LinkedHashMap<>();

    /** Adds a node someone else started (an attached cluster), with its standby link if it is one. */
    void addNode(ClusterNode node) {
        nodes.put(node.name(), node);
        if (node.isStandby()) {
            standbyOf.put(node.name(), node.primaryName());
        }
    }

    /** Adds a primary the kit runs, together with its server. */
    void addPrimary(ClusterNode node, PostgresServer server) {
        servers.put(node.name(), server);
        nodes.put(node.name(), node);
    }

    /** Adds a standby the kit runs, together with its server and the link to its primary. */
    void addStandby(ClusterNode node, PostgresServer server) {
        servers.put(node.name(), server);
        standbyOf.put(node.name(), node.primaryName());
        nodes.put(node.name(), node);
    }

    /** Records the PgBouncers (1.18, then 1.25) the kit runs in front of a node. */
    void addBouncers(ClusterNode node, List<PgBouncerProcess> pair) {
        bouncers.put(node.name(), pair);
    }

    /** @return all nodes in start order: coordinator, workers, then standbys */
    List<ClusterNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** @return the node of that name; throws naming the nodes there are when it has none */
    ClusterNode node(String name) {
        ClusterNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return n;
    }

    List<ClusterNode> workers() {
        return nodes.values().stream().filter(n -> n.role() == NodeRole.WORKER).toList();
    }

    /** @return the primaries in Citus group order (coordinator first) */
    List<ClusterNode> primaryNodes() {
        return nodes.values().stream().filter(n -> !n.isStandby()).toList();
    }

    List<ClusterNode> standbyNodes() {
        return nodes.values().stream().filter(ClusterNode::isStandby).toList();
    }

    /** @return the standby of a primary; throws when it has none */
    ClusterNode standbyOf(ClusterNode primary) {
        for (Map.Entry<String, String> e : standbyOf.entrySet()) {
            if (e.getValue().equals(primary.name())) {
                return nodes.get(e.getKey());
            }
        }
        throw new IllegalArgumentException(primary.name() + " has no standby");
    }

    /** @return the primary a standby replicates, or null when the node is no (longer a) standby */
    ClusterNode primaryOf(ClusterNode standby) {
        String primaryName = standbyOf.get(standby.name());
        return primaryName == null ? null : nodes.get(primaryName);
    }

    /** Forgets that a standby replicates a primary: it was promoted. */
    void forgetStandbyLink(ClusterNode promoted) {
        standbyOf.remove(promoted.name());
    }

    /** @return the server the kit started for a node, or null when it started none of that name */
    PostgresServer server(ClusterNode node) {
        return servers.get(node.name());
    }

    /** @return a server by its node's name (the primary a standby is backed up from), or null */
    PostgresServer server(String name) {
        return servers.get(name);
    }

    /** @return the PgBouncers in front of a node (1.18, then 1.25), or null when it has none */
    List<PgBouncerProcess> bouncers(ClusterNode node) {
        return bouncers.get(node.name());
    }

    /** @return every server the kit started */
    List<PostgresServer> servers() {
        return List.copyOf(servers.values());
    }

    /** @return every PgBouncer the kit started */
    List<PgBouncerProcess> allBouncers() {
        List<PgBouncerProcess> all = new ArrayList<>();
        bouncers.values().forEach(all::addAll);
        return all;
    }

    /** @return the PIDs of every server and PgBouncer that is running now */
    List<Long> processIds() {
        List<Long> pids = new ArrayList<>();
        servers.values().forEach(s -> s.pid().ifPresent(pids::add));
        bouncers.values().forEach(pair -> pair.forEach(b -> b.pid().ifPresent(pids::add)));
        return Collections.unmodifiableList(pids);
    }
}
