package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.spi.TopologyListener;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one refresh of a cluster does, whenever {@link ClusterTopology} runs it: reads the
 * catalogs, turns the read into the next {@link ClusterView}, publishes it, and calls the
 * {@link TopologyListener}s when the topology changed. When and how often it runs is
 * {@link ClusterTopology}'s business.
 *
 * <p>A snapshot keeps its version and identity while the catalogs are unchanged; a failed read
 * keeps the last good snapshot and records the failure. Replication lag is measured after every
 * read, also a failed one (against the last good snapshot). {@link #run} is called by one thread at
 * a time; {@link #view()} from any.
 */
final class ViewRefresh {

    // The holder's logger: this is the holder's work, and operators configure its category.
    private static final Logger LOG = LoggerFactory.getLogger(ClusterTopology.class);

    private final String name;
    private final TopologySettings settings;
    private final TopologySource source;
    private final LagMeasurer lagMeasurer;
    private final List<TopologyListener> listeners = new CopyOnWriteArrayList<>();
    private volatile ClusterView view;
    // Touched by the refresh (one at a time) only.
    private long lastVersion;

    ViewRefresh(String name, TopologySettings settings, TopologySource source, LagMeasurer lagMeasurer,
                ClusterView initial) {
        this.name = name;
        this.settings = settings;
        this.source = source;
        this.lagMeasurer = lagMeasurer;
        this.view = initial;
    }

    /** @return the latest published view */
    ClusterView view() {
        return view;
    }

    /** @return the listeners, called on the refresh thread after each new snapshot; add and remove freely */
    List<TopologyListener> listeners() {
        return listeners;
    }

    /**
     * Reads the catalogs once and publishes the resulting view.
     *
     * @param start         when the refresh started (the ticker's nanoseconds)
     * @param failingBefore whether the previous refresh failed too: a repeated failure is logged at DEBUG only
     * @return true when the read failed
     */
    boolean run(long start, boolean failingBefore) {
        ClusterView old = view;
        Topology before = old.topology();
        ClusterView next;
        boolean failed = false;
        try {
            CatalogRead read = source.read(lastVersion + 1);
            if (read instanceof CatalogRead.Citus citus) {
                Topology t = citus.topology();
                boolean unchanged = old.isCitus() && sameContent(before, t);
                if (unchanged) {
                    t = before; // same version, same instance: nothing changed
                } else {
                    lastVersion = t.version();
                }
                Map<Integer, NodeAddress> dial = unchanged ? old.dialAddresses() : translate(t);
                next = old.withRead(ClusterView.Status.CITUS, t, citus.tenantsSupported(), start, dial, measure(t, dial));
            } else {
                next = old.withRead(ClusterView.Status.NOT_CITUS, Topology.empty(), false, start, Map.of(), Map.of());
                if (old.status() != ClusterView.Status.NOT_CITUS) {
                    LOG.info("[{}] no Citus catalogs (pg_dist_node) on the server: routing off", name);
                }
            }
            if (old.lastFailure().isPresent()) {
                LOG.info("[{}] topology read succeeded again", name);
            }
        } catch (Exception e) {
            failed = true;
            String failure = describe(e);
            if (!failingBefore) {
                LOG.warn("[{}] topology refresh failed, keeping {}: {}", name, before, failure);
            } else {
                LOG.debug("[{}] topology refresh failed again: {}", name, failure);
            }
            Map<Integer, Long> lags = old.isCitus() ? measure(before, old.dialAddresses()) : Map.of();
            next = old.withFailure(failure, lags);
        }
        view = next;
        Topology after = next.topology();
        if (after != before && after.version() != before.version()) {
            if (next.isCitus()) {
                TopologyChanges.log(LOG, name, before, after);
            }
            for (TopologyListener l : listeners) {
                try {
                    l.topologyChanged(before, after);
                } catch (RuntimeException e) {
                    LOG.warn("[{}] topology listener {} failed", name, l, e);
                }
            }
        }
        return failed;
    }

    private Map<Integer, NodeAddress> translate(Topology t) {
        Map<Integer, NodeAddress> dial = new HashMap<>();
        for (Node n : t.nodes()) {
            NodeAddress a = settings.addressTranslator().translate(n.address());
            if (!a.equals(n.address())) {
                dial.put(n.nodeId(), a);
            }
        }
        return dial;
    }

    private Map<Integer, Long> measure(Topology t, Map<Integer, NodeAddress> dial) {
        try {
            return lagMeasurer.measure(t, dial);
        } catch (RuntimeException e) {
            LOG.debug("[{}] replication lag measurement failed", name, e);
            return Map.of();
        }
    }

    /** @return whether two snapshots describe the same nodes and tenant groups, whatever their versions */
    static boolean sameContent(Topology a, Topology b) {
        return a.nodes().equals(b.nodes()) && a.tenantGroups().equals(b.tenantGroups());
    }

    private static String describe(Exception e) {
        String state = e instanceof SQLException s && s.getSQLState() != null ? s.getSQLState() + " " : "";
        return state + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
