package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kit's view of the cluster's servers: the primaries with their Citus group (the
 * coordinator first), the standbys, and which primaries are disabled. Not thread-safe: the owner
 * synchronizes.
 */
final class Topology {
    private final Map<String, ClusterNode> primaries = new LinkedHashMap<>();
    private final Map<String, Integer> groups = new LinkedHashMap<>();
    private final List<ClusterNode> standbys = new ArrayList<>();
    private final Set<String> inactive = new HashSet<>();
    private int roundRobin;

    void addPrimary(ClusterNode node, int group) {
        primaries.put(node.name(), node);
        groups.put(node.name(), group);
    }

    void addStandby(ClusterNode node) {
        standbys.removeIf(s -> s.name().equals(node.name()));
        standbys.add(node);
    }

    void remove(ClusterNode node) {
        primaries.remove(node.name());
        groups.remove(node.name());
        inactive.remove(node.name());
        standbys.removeIf(s -> s.name().equals(node.name()) || sameAddress(s, node));
    }

    /** The promoted standby takes the old primary's place (and group). */
    void replace(ClusterNode oldPrimary, ClusterNode promoted) {
        int group = groupOf(oldPrimary);
        boolean wasCoordinator = group == 0;
        Map<String, ClusterNode> copy = new LinkedHashMap<>(primaries);
        primaries.clear();
        if (wasCoordinator) {
            primaries.put(promoted.name(), promoted);
        }
        for (ClusterNode p : copy.values()) {
            if (p.name().equals(oldPrimary.name())) {
                if (!wasCoordinator) {
                    primaries.put(promoted.name(), promoted);
                }
            } else {
                primaries.put(p.name(), p);
            }
        }
        groups.remove(oldPrimary.name());
        groups.put(promoted.name(), group);
        standbys.removeIf(s -> s.name().equals(promoted.name()));
        if (inactive.remove(oldPrimary.name())) {
            inactive.add(promoted.name());
        }
    }

    void setActive(ClusterNode node, boolean active) {
        if (active) {
            inactive.remove(node.name());
        } else {
            inactive.add(node.name());
        }
    }

    boolean isActive(ClusterNode node) {
        return !inactive.contains(node.name());
    }

    ClusterNode coordinator() {
        for (ClusterNode p : primaries.values()) {
            if (groups.get(p.name()) == 0) {
                return p;
            }
        }
        throw new IllegalStateException("no coordinator known: install Citus first");
    }

    /** @return every primary, coordinator first */
    List<ClusterNode> primaries() {
        return new ArrayList<>(primaries.values());
    }

    /** @return the primaries that receive metadata changes (the disabled ones get them on activation) */
    List<ClusterNode> activePrimaries() {
        List<ClusterNode> out = new ArrayList<>();
        for (ClusterNode p : primaries.values()) {
            if (!inactive.contains(p.name())) {
                out.add(p);
            }
        }
        return out;
    }

    List<ClusterNode> standbys() {
        return new ArrayList<>(standbys);
    }

    boolean isPrimary(ClusterNode node) {
        for (ClusterNode q : primaries.values()) {
            if (sameAddress(q, node)) {
                return true;
            }
        }
        return false;
    }

    int groupOf(ClusterNode primary) {
        Integer g = groups.get(primary.name());
        if (g == null) {
            throw new IllegalArgumentException(primary.name() + " is not a primary of the cluster");
        }
        return g;
    }

    ClusterNode primaryOfGroup(int group) {
        for (Map.Entry<String, Integer> e : groups.entrySet()) {
            if (e.getValue() == group) {
                return primaries.get(e.getKey());
            }
        }
        throw new IllegalArgumentException("no primary for group " + group);
    }

    boolean hasGroup(int group) {
        return groups.containsValue(group);
    }

    /** @return the primary at the node's address (the identity), else the one with its name */
    ClusterNode primary(ClusterNode node) {
        for (ClusterNode q : primaries.values()) {
            if (sameAddress(q, node)) {
                return q;
            }
        }
        ClusterNode p = primaries.get(node.name());
        if (p != null) {
            return p;
        }
        throw new IllegalArgumentException(node.name() + " is not a primary of the cluster");
    }

    /** @return the next active worker primary, in turn */
    ClusterNode nextWorker() {
        List<ClusterNode> workers = new ArrayList<>();
        for (ClusterNode p : activePrimaries()) {
            if (groups.get(p.name()) != 0) {
                workers.add(p);
            }
        }
        if (workers.isEmpty()) {
            throw new IllegalStateException("no active worker to place a tenant on");
        }
        return workers.get(Math.floorMod(roundRobin++, workers.size()));
    }

    static boolean sameAddress(ClusterNode a, ClusterNode b) {
        return a.host().equals(b.host()) && a.port() == b.port();
    }
}
