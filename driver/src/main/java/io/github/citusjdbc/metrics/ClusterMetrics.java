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
 * The {@link CitusMetrics} of one cluster: counters the routing and the read-your-writes check add
 * to, and gauges read from the cluster's current topology holder. One per cluster for the life of
 * the JVM ({@link #of}), registered as a JMX MXBean. Thread-safe.
 */
public final class ClusterMetrics implements CitusMetrics, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterMetrics.class);
    private static final RouteReason[] REASONS = RouteReason.values();
    /** The key of units sent to the URL's hosts (the coordinator, through pgjdbc's host handling). */
    public static final String URL_NODE = "url";

    private final LongAdder[] units = adders(REASONS.length);
    private final LongAdder retries = new LongAdder();
    private final LongAdder nodeFailures = new LongAdder();
    private volatile Supplier<ClusterView> view = () -> null; // until attach
    private volatile java.util.function.LongSupplier refreshNanos = () -> -1;
    private volatile NodeHealth health;
    private final ConcurrentHashMap<NodeAddress, LongAdder> unitsByNode = new ConcurrentHashMap<>();
    private final LongAdder unitsToUrl = new LongAdder();
    private final LongAdder rywChecks = new LongAdder();
    private final LongAdder rywOnPrimary = new LongAdder();
    private final LongAdder walPositionReads = new LongAdder();
    private final LongAdder failoverWaits = new LongAdder();
    private final LongAdder nodeRecoveries = new LongAdder();
    private static final PinForm[] FORMS = PinForm.values();
    private static final ExtraRoundTrip[] EXTRAS = ExtraRoundTrip.values();
    private final LongAdder[] pins = adders(FORMS.length);
    private final LongAdder[] extraRoundTrips = adders(EXTRAS.length);
    private static final java.util.concurrent.ConcurrentHashMap<io.github.citusjdbc.topology.ClusterKey, ClusterMetrics> ALL =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile TenantCounts tenants; // null while no connection asked for per-tenant counts
    private final ObjectName jmxName;

    /**
     * The metrics of a cluster for the life of the JVM: counts survive the cluster's topology being
     * closed when no connection is left and read again later. Registered in JMX when created.
     *
     * @param key the cluster
     * @return its metrics, created on first use
     */
    public static ClusterMetrics of(io.github.citusjdbc.topology.ClusterKey key) {
        return ALL.computeIfAbsent(key, k -> new ClusterMetrics(k.toString()));
    }

    /**
     * Forgets every cluster's metrics and unregisters their JMX beans: the driver's deregistration
     * (a bean left in the platform MBean server would keep the driver's class loader alive).
     */
    public static void closeAll() {
        ALL.forEach((key, metrics) -> {
            if (ALL.remove(key, metrics)) {
                metrics.close();
            }
        });
    }

    ClusterMetrics(String clusterName) {
        this.jmxName = register(clusterName);
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /**
     * Points the gauges at the cluster's current topology holder and node health (a new holder is
     * made when the cluster is used again after its topology was closed).
     *
     * @param view         the holder's current view
     * @param refreshNanos how long the holder's last refresh took, -1 before one
     * @param health       the cluster's node health
     */
    public void attach(Supplier<ClusterView> view, java.util.function.LongSupplier refreshNanos, NodeHealth health) {
        this.view = view;
        this.refreshNanos = refreshNanos;
        this.health = health;
        if (health != null) {
            health.onRecovery(nodeRecoveries::increment);
        }
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

    /**
     * A unit of work was routed to {@code route}: counted by reason and by node, the node's counter
     * ({@link #unitsTo}) kept by the caller while it routes to the same node (no map look-up per unit).
     *
     * @param nodeCounter the counter of the route's node; unused (may be null) for the URL's hosts
     */
    public void routed(io.github.citusjdbc.routing.Route route, LongAdder nodeCounter) {
        units[route.reason().ordinal()].increment();
        if (route.viaUrl()) {
            unitsToUrl.increment();
        } else {
            nodeCounter.increment();
        }
    }

    /** @return the counter of units routed to the node dialled at {@code address} */
    public LongAdder unitsTo(NodeAddress address) {
        LongAdder n = unitsByNode.get(address);
        return n != null ? n : unitsByNode.computeIfAbsent(address, a -> new LongAdder());
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

    /**
     * A unit of work of {@code tenant} (non-null) began: counted only with {@code metricsTenants}.
     *
     * @return the tenant's counters, to which the unit's statements are added; null when tenants are not counted
     */
    public TenantActivity tenantUnit(String tenant) {
        TenantCounts t = tenants;
        return t == null ? null : t.add(tenant);
    }

    @Override
    public int getMetricsTenants() {
        TenantCounts t = tenants;
        return t == null ? 0 : t.top();
    }

    @Override
    public Map<String, Long> getUnitsByTenant() {
        TenantCounts t = tenants;
        return t == null ? Map.of() : t.snapshot();
    }

    @Override
    public Map<String, Long> getStatementsByTenant() {
        TenantCounts t = tenants;
        return t == null ? Map.of() : t.snapshot(a -> a.statements.sum());
    }

    @Override
    public Map<String, Long> getStatementMillisByTenant() {
        TenantCounts t = tenants;
        return t == null ? Map.of() : t.snapshot(a -> a.nanos.sum() / 1_000_000);
    }

    /** A statement carried the tenant's pin in the {@code form} shown. */
    public void pinned(PinForm form) {
        pins[form.ordinal()].increment();
    }

    /** A unit of work could not reach a node and waits to run again ({@code failoverWait}). */
    public void failoverWaited() {
        failoverWaits.increment();
    }

    @Override
    public long getNodeRecoveries() {
        return nodeRecoveries.sum();
    }

    @Override
    public long getFailoverWaits() {
        return failoverWaits.sum();
    }

    /** The driver made a round trip of its own. */
    public void extraRoundTrip(ExtraRoundTrip why) {
        extraRoundTrips[why.ordinal()].increment();
    }

    @Override
    public Map<String, Long> getPinsByForm() {
        return counts(FORMS, pins, PinForm::key);
    }

    @Override
    public Map<String, Long> getExtraRoundTrips() {
        return counts(EXTRAS, extraRoundTrips, ExtraRoundTrip::key);
    }

    /** @return every constant's count ({@code adders} by ordinal), under its metrics name, in declaration order */
    private static <E extends Enum<E>> Map<String, Long> counts(E[] constants, LongAdder[] adders,
                                                                java.util.function.Function<E, String> name) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (E e : constants) {
            m.put(name.apply(e), adders[e.ordinal()].sum());
        }
        return Collections.unmodifiableMap(m);
    }

    /** A unit ran once more on another route. */
    public void retried() {
        retries.increment();
    }

    /** A node failed and was marked down. */
    public void nodeFailed() {
        nodeFailures.increment();
    }

    /** A read-only unit was checked for read-your-writes; {@code onPrimary}: it had to go to a primary. */
    public void readYourWritesChecked(boolean onPrimary) {
        rywChecks.increment();
        if (onPrimary) {
            rywOnPrimary.increment();
        }
    }

    /** A WAL position was read for read-your-writes (one round trip). */
    public void walPositionRead() {
        walPositionReads.increment();
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
        return rywChecks.sum();
    }

    @Override
    public long getReadYourWritesOnPrimary() {
        return rywOnPrimary.sum();
    }

    @Override
    public long getWalPositionReads() {
        return walPositionReads.sum();
    }

    @Override
    public long getTopologyVersion() {
        ClusterView v = view.get();
        return v == null ? 0 : v.version();
    }

    @Override
    public long getTopologyAgeMillis() {
        ClusterView v = view.get();
        return v == null ? -1 : v.age().map(java.time.Duration::toMillis).orElse(-1L);
    }

    @Override
    public Map<String, Long> getReplicationLagBytes() {
        ClusterView v = view.get();
        Map<Integer, Long> lags = v == null ? Map.of() : v.replicationLags();
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
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node n : v.topology().nodes()) {
            out.add(n.address() + " " + n.role().name().toLowerCase(java.util.Locale.ROOT) + " group " + n.groupId()
                    + (n.active() ? "" : ", inactive")
                    + (health == null || health.state(v.dialAddress(n)) == NodeHealth.State.UP ? "" : ", backed off"));
        }
        return Collections.unmodifiableList(out);
    }

    @Override
    public List<String> getUnhealthyNodes() {
        NodeHealth h = health;
        if (h == null || !h.anyDown()) {
            return List.of();
        }
        ClusterView v = view.get();
        if (v == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node n : v.topology().nodes()) {
            NodeAddress dial = v.dialAddress(n);
            if (h.state(dial) != NodeHealth.State.UP) {
                out.add(dial.toString());
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** Unregisters the JMX bean (the JVM-wide instance is never closed by the driver). */
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
