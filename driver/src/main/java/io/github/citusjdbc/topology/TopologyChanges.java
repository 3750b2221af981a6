package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.Topology;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * Logs what changed between two snapshots: node additions, removals and changes of role,
 * address, group or activation at INFO (rare, and what an operator wants to see); tenant
 * additions, removals and moves as counts at DEBUG (there may be thousands).
 */
final class TopologyChanges {

    private TopologyChanges() {
    }

    static void log(Logger log, String name, Topology before, Topology after) {
        if (before.nodes().isEmpty() && before.tenantGroups().isEmpty()) {
            log.info("[{}] topology v{}: {} nodes in {} groups, {} tenants", name, after.version(),
                    after.nodes().size(), after.groupIds().size(), after.tenantGroups().size());
            return;
        }
        for (Node n : after.nodes()) {
            Node old = before.node(n.nodeId()).orElse(null);
            if (old == null) {
                log.info("[{}] topology v{}: node {} added: {} {} group {}{}", name, after.version(), n.nodeId(),
                        n.role(), n.address(), n.groupId(), n.active() ? "" : " (inactive)");
            } else if (!old.equals(n)) {
                logChange(log, name, after.version(), old, n);
            }
        }
        for (Node old : before.nodes()) {
            if (after.node(old.nodeId()).isEmpty()) {
                log.info("[{}] topology v{}: node {} removed: {} {} group {}", name, after.version(), old.nodeId(),
                        old.role(), old.address(), old.groupId());
            }
        }
        if (log.isDebugEnabled()) {
            int added = 0;
            int moved = 0;
            int removed = 0;
            for (Map.Entry<String, Integer> e : after.tenantGroups().entrySet()) {
                Integer was = before.tenantGroups().get(e.getKey());
                if (was == null) {
                    added++;
                } else if (!was.equals(e.getValue())) {
                    moved++;
                }
            }
            for (String tenant : before.tenantGroups().keySet()) {
                if (!after.tenantGroups().containsKey(tenant)) {
                    removed++;
                }
            }
            log.debug("[{}] topology v{}: tenants +{} -{} moved {}", name, after.version(), added, removed, moved);
        }
    }

    private static void logChange(Logger log, String name, long version, Node old, Node n) {
        boolean major = old.role() != n.role() || !old.address().equals(n.address()) || old.groupId() != n.groupId()
                || old.active() != n.active();
        String what = "node " + n.nodeId() + " changed: " + describe(old) + " -> " + describe(n);
        if (major) {
            log.info("[{}] topology v{}: {}", name, version, what);
        } else {
            log.debug("[{}] topology v{}: {}", name, version, what);
        }
    }

    private static String describe(Node n) {
        return n.role() + " " + n.address() + " group " + n.groupId() + (n.active() ? "" : " inactive")
                + (Objects.equals(n.clusterName(), TopologySettings.DEFAULT_CLUSTER_NAME) ? "" : " cluster " + n.clusterName())
                + (n.shouldHaveShards() ? "" : " noshards");
    }
}
