package io.github.citusjdbc.metrics;

import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.routing.NodeHealth;
import io.github.citusjdbc.routing.RouteReason;
import io.github.citusjdbc.spi.NodeAddress;
import java.util.ArrayList;
import java.util.List;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.spi.Node;
import java.lang.management.ManagementFactory;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link CitusMetrics} of one cluster: counters the routing adds to, gauges read from the
 * topology's current view, and the read-your-writes figures read from their owner. Registered as a
 * JMX MXBean while open. Thread-safe; one per cluster, closed with its topology.
 */
public final class ClusterMetrics implements CitusMetrics, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMetrics.class);
    private static final RouteReason[] REASONS = RouteReason.values();
    /** The key of units sent to the URL's hosts (the coordinator, through pgjdbc's host handling). */
    public static final String URL_NODE = "url";

    private final LongAdder[] units = new LongAdder[REASONS.length];
    private final LongAdder retries = new LongAdder();
    private final LongAdder nodeFailures = new LongAdder();
    private final Supplier<ClusterView> view;
    private final java.util.function.LongSupplier refreshNanos;
    private final NodeHealth health;
    private final ConcurrentHashMap<NodeAddress, LongAdder> unitsByNode = new ConcurrentHashMap<>();
    private final LongAdder unitsToUrl = new LongAdder();
    private volatile ReadYourWritesFigures readYourWrites = ReadYourWritesFigures.NONE;
    private volatile TenantCounts tenants; // null while no connection asked for per-tenant counts
    private final ObjectName jmxName;

    /** The read-your-writes counts, owned by the read-your-writes check. */
    public interface ReadYourWritesFigures {
        /** Before read-your-writes is used. */
        ReadYourWritesFigures NONE = new ReadYourWritesFigures() {
        };

        /** @return units checked */
        default long checks() {
            return 0;
        }

        /** @return units sent to a primary */
        default long onPrimary() {
            return 0;
        }

        /** @return positions read */
        default long positionReads() {
            return 0;
        }
    }

    /**
     * @param clusterName the cluster's name in logs (no secrets), used in the JMX name
     * @param view        the topology's current view
     * @param refreshNanos how long the topology's last refresh took, -1 before one
     * @param health      the cluster's node health
     */
    public ClusterMetrics(String clusterName, Supplier<ClusterView> view, java.util.function.LongSupplier refreshNanos,
                          NodeHealth health) {
        for (int i = 0; i < units.length; i++) {
            units[i] = new LongAdder();
        }
        this.view = view;
        this.refreshNanos = refreshNanos;
        this.health = health;
        this.jmxName = register(clusterName);
    }

    private ObjectName register(String clusterName) {
        try {
            ObjectName name = new ObjectName("io.github.citusjdbc:type=Cluster,name=" + ObjectName.quote(clusterName));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // a closed topology's bean, replaced by the new one
            }
            server.registerMBean(new StandardMBean(this, CitusMetrics.class, true), name);
            return name;
        } catch (JMException | RuntimeException e) {
            LOG.debug("metrics of {} not registered in JMX: {}", clusterName, e.toString());
            return null;
        }
    }

    /** A unit of work was routed to {@code route}: counted by reason and by node. */
    public void routed(io.github.citusjdbc.routing.Route route) {
        units[route.reason().ordinal()].increment();
        if (route.viaUrl()) {
            unitsToUrl.increment();
        } else {
            LongAdder n = unitsByNode.get(route.dialAddress());
            if (n == null) {
                n = unitsByNode.computeIfAbsent(route.dialAddress(), a -> new LongAdder());
            }
            n.increment();
        }
    }

    @Override
    public Map<String, Long> getUnitsByNode() {
        Map<String, Long> m = new java.util.TreeMap<>();
        unitsByNode.forEach((address, n) -> m.put(address.toString(), n.sum()));
        long url = unitsToUrl.sum();
        if (url > 0) {
            m.put(URL_NODE, url);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public long getLastRefreshMillis() {
        long n = refreshNanos.getAsLong();
        return n < 0 ? -1 : n / 1_000_000;
    }

    /**
     * Counts the {@code top} most active tenants one by one from now on (the largest {@code top} any
     * connection of the cluster asked for wins; counts start when the first asks).
     */
    public synchronized void countTenants(int top) {
        TenantCounts t = tenants;
        if (top > 0 && (t == null || t.top() < top)) {
            tenants = new TenantCounts(top);
        }
    }

    /** A routed unit of work of {@code tenant} (non-null); counted only with {@code metricsTenants}. */
    public void tenantUnit(String tenant) {
        TenantCounts t = tenants;
        if (t != null) {
            t.add(tenant);
        }
    }

    @Override
    public Map<String, Long> getUnitsByTenant() {
        TenantCounts t = tenants;
        return t == null ? Map.of() : t.snapshot();
    }

    /** A unit ran once more on another route. */
    public void retried() {
        retries.increment();
    }

    /** A node failed and was marked down. */
    public void nodeFailed() {
        nodeFailures.increment();
    }

    /** @param figures where the read-your-writes counts come from */
    public void readYourWrites(ReadYourWritesFigures figures) {
        this.readYourWrites = figures;
    }

    @Override
    public Map<String, Long> getUnitsByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (RouteReason r : REASONS) {
            long n = units[r.ordinal()].sum();
            if (n > 0) {
                m.put(r.name(), n);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /** @return units routed for {@code reason} */
    public long units(RouteReason reason) {
        return units[reason.ordinal()].sum();
    }

    @Override
    public long getRetries() {
        return retries.sum();
    }

    @Override
    public long getNodeFailures() {
        return nodeFailures.sum();
    }

    @Override
    public long getReadYourWritesChecks() {
        return readYourWrites.checks();
    }

    @Override
    public long getReadYourWritesOnPrimary() {
        return readYourWrites.onPrimary();
    }

    @Override
    public long getWalPositionReads() {
        return readYourWrites.positionReads();
    }

    @Override
    public long getTopologyVersion() {
        return view.get().version();
    }

    @Override
    public long getTopologyAgeMillis() {
        return view.get().age().map(java.time.Duration::toMillis).orElse(-1L);
    }

    @Override
    public Map<String, Long> getReplicationLagBytes() {
        ClusterView v = view.get();
        Map<Integer, Long> lags = v.replicationLags();
        if (lags.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> m = new LinkedHashMap<>();
        for (Node n : v.topology().nodes()) {
            Long lag = lags.get(n.nodeId());
            if (lag != null) {
                m.put(n.address().toString(), lag);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public List<String> getNodes() {
        ClusterView v = view.get();
        List<String> out = new ArrayList<>();
        for (Node n : v.topology().nodes()) {
            out.add(n.address() + " " + n.role().name().toLowerCase(java.util.Locale.ROOT) + " group " + n.groupId()
                    + (n.active() ? "" : ", inactive")
                    + (health.state(v.dialAddress(n)) == NodeHealth.State.UP ? "" : ", backed off"));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public List<String> getUnhealthyNodes() {
        if (!health.anyDown()) {
            return List.of();
        }
        ClusterView v = view.get();
        List<String> out = new ArrayList<>();
        for (Node n : v.topology().nodes()) {
            NodeAddress dial = v.dialAddress(n);
            if (health.state(dial) != NodeHealth.State.UP) {
                out.add(dial.toString());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Unregisters the JMX bean. */
    @Override
    public void close() {
        if (jmxName != null) {
            try {
                MBeanServer server = ManagementFactory.getPlatformMBeanServer();
                if (server.isRegistered(jmxName)) {
                    server.unregisterMBean(jmxName);
                }
            } catch (JMException | RuntimeException e) {
                LOG.debug("metrics bean {} not unregistered: {}", jmxName, e.toString());
            }
        }
    }
}
