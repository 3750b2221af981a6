package io.github.citusjdbc.spi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of a Citus cluster: its nodes, grouped by Citus group, and the group
 * holding each distributed tenant schema.
 *
 * <p>The driver replaces snapshots atomically; it never modifies one. A higher
 * {@link #version()} means a newer snapshot of the same cluster. Lookups are constant-time map
 * reads. Instances are thread-safe.
 */
public final class Topology {

    private static final Topology EMPTY = new Topology(0, List.of(), Map.of());

    private final long version;
    private final List<Node> nodes;
    private final Map<Integer, Node> nodesById;
    private final Map<Integer, List<Node>> nodesByGroup;
    private final Map<Integer, Node> primaryByGroup;
    private final Map<String, Integer> tenantGroups;

    /**
     * Creates a snapshot.
     *
     * @param version      the snapshot's version; newer snapshots have higher versions
     * @param nodes        the nodes; node ids and addresses must be unique, and a group has
     *                     at most one primary
     * @param tenantGroups tenant schema name → group id of the group holding it
     * @throws NullPointerException     if an argument, a node, a tenant name or a group id is null
     * @throws IllegalArgumentException if {@code version} is negative, a node id or an address
     *                                  appears twice, or a group has two primaries
     */
    public Topology(long version, Collection<Node> nodes, Map<String, Integer> tenantGroups) {
        if (version < 0) {
            throw new IllegalArgumentException("version must not be negative: " + version);
        }
        List<Node> sorted = new ArrayList<>(Objects.requireNonNull(nodes, "nodes"));
        sorted.sort((a, b) -> Integer.compare(a.nodeId(), b.nodeId()));
        Map<Integer, Node> byId = new HashMap<>();
        Map<Integer, List<Node>> byGroup = new TreeMap<>();
        Map<Integer, Node> primaries = new HashMap<>();
        Set<NodeAddress> addresses = new HashSet<>();
        for (Node node : sorted) {
            Objects.requireNonNull(node, "node");
            if (byId.putIfAbsent(node.nodeId(), node) != null) {
                throw new IllegalArgumentException("duplicate node id " + node.nodeId());
            }
            if (!addresses.add(node.address())) {
                throw new IllegalArgumentException("duplicate node address " + node.address());
            }
            byGroup.computeIfAbsent(node.groupId(), g -> new ArrayList<>()).add(node);
            if (node.role() == NodeRole.PRIMARY && primaries.putIfAbsent(node.groupId(), node) != null) {
                throw new IllegalArgumentException("group " + node.groupId() + " has two primaries");
            }
        }
        Map<Integer, List<Node>> frozenGroups = new TreeMap<>();
        byGroup.forEach((group, members) -> frozenGroups.put(group, List.copyOf(members)));
        Map<String, Integer> tenants = new TreeMap<>();
        Objects.requireNonNull(tenantGroups, "tenantGroups").forEach((tenant, group) ->
                tenants.put(Objects.requireNonNull(tenant, "tenant"), Objects.requireNonNull(group, "group id")));
        this.version = version;
        this.nodes = List.copyOf(sorted);
        this.nodesById = Map.copyOf(byId);
        this.nodesByGroup = Collections.unmodifiableMap(frozenGroups);
        this.primaryByGroup = Map.copyOf(primaries);
        this.tenantGroups = Collections.unmodifiableMap(tenants);
    }

    /** @return the snapshot with no nodes and no tenants, version 0 */
    public static Topology empty() {
        return EMPTY;
    }

    /** @return the version of this snapshot */
    public long version() {
        return version;
    }

    /** @return every node, ordered by node id; unmodifiable */
    public List<Node> nodes() {
        return nodes;
    }

    /** @return the ids of all groups that have at least one node, ascending; unmodifiable */
    public SortedSet<Integer> groupIds() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(nodesByGroup.keySet()));
    }

    /**
     * @param nodeId a node id
     * @return the node with that id, if present
     */
    public Optional<Node> node(int nodeId) {
        return Optional.ofNullable(nodesById.get(nodeId));
    }

    /**
     * @param groupId a group id
     * @return every node of the group, ordered by node id; empty for an unknown group; unmodifiable
     */
    public List<Node> nodesInGroup(int groupId) {
        return nodesByGroup.getOrDefault(groupId, List.of());
    }

    /**
     * @param groupId a group id
     * @return the primary of the group, if the group has one (active or not)
     */
    public Optional<Node> primaryOf(int groupId) {
        return Optional.ofNullable(primaryByGroup.get(groupId));
    }

    /**
     * @param groupId a group id
     * @return the active secondaries of the group, ordered by node id; unmodifiable
     */
    public List<Node> activeSecondariesOf(int groupId) {
        List<Node> result = new ArrayList<>();
        for (Node node : nodesInGroup(groupId)) {
            if (node.isActiveSecondary()) {
                result.add(node);
            }
        }
        return List.copyOf(result);
    }

    /** @return the coordinator's primary (group 0), if known */
    public Optional<Node> coordinator() {
        return primaryOf(Node.COORDINATOR_GROUP);
    }

    /**
     * @param tenant a tenant schema name, exactly as stored (case-sensitive)
     * @return the group holding the tenant, or empty when the tenant is unknown
     */
    public OptionalInt groupOfTenant(String tenant) {
        Integer group = tenantGroups.get(tenant);
        return group == null ? OptionalInt.empty() : OptionalInt.of(group);
    }

    /** @return tenant schema name → group id, sorted by name; unmodifiable */
    public Map<String, Integer> tenantGroups() {
        return tenantGroups;
    }

    @Override
    public String toString() {
        return "Topology[version=" + version + ", nodes=" + nodes.size() + ", groups=" + nodesByGroup.size()
                + ", tenants=" + tenantGroups.size() + "]";
    }
}
