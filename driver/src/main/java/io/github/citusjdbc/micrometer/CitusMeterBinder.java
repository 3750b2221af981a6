package io.github.citusjdbc.micrometer;

import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.routing.RouteReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Publishes one cluster's {@link CitusMetrics} to a Micrometer {@link MeterRegistry}. The meters read
 * the live metrics when the registry polls them; nothing is added to the statement path. Spring Boot
 * binds every {@link MeterBinder} bean it finds:
 * <pre>{@code
 * @Bean MeterBinder citusMetrics(CitusDataSource ds) throws SQLException {
 *     return new CitusMeterBinder(ds.metrics(), "orders");
 * }
 * }</pre>
 *
 * <p>Meters (each tagged {@code cluster}):
 * <ul>
 *   <li>{@code citus.units} (counter), tagged {@code reason}: routed units of work, one meter per
 *       {@code RouteReason} (all registered at bind time, at 0 until used);</li>
 *   <li>{@code citus.units.node} (counter), tagged {@code node}: routed units by node as dialled, for the
 *       topology's nodes at bind time and {@code url} (the URL's hosts);</li>
 *   <li>{@code citus.retries}, {@code citus.node.failures}, {@code citus.node.recoveries},
 *       {@code citus.failover.waits} (counters);</li>
 *   <li>{@code citus.read.your.writes.checks} (counter) tagged {@code outcome} = {@code secondary} or
 *       {@code primary}; {@code citus.wal.position.reads} (counter);</li>
 *   <li>{@code citus.topology.version}, {@code citus.topology.age}, {@code citus.topology.refresh}
 *       (gauges; age and the last refresh's duration in seconds, -1 before the first read);</li>
 *   <li>{@code citus.replication.lag} (gauge, bytes) tagged {@code node}, for the secondaries whose
 *       lag was measured at bind time;</li>
 *   <li>{@code citus.pins} (counter) tagged {@code form} ({@code envelope}, {@code transaction},
 *       {@code session}, {@code statement}): statements that carried the tenant's pin;
 *       {@code citus.extra.round.trips} (counter) tagged {@code cause} ({@code pin}, {@code commit},
 *       {@code rollback}): round trips the driver made on its own;</li>
 *   <li>with {@code metricsTenants=N}: {@code citus.tenant.units} (counter) and
 *       {@code citus.tenant.statements} (function timer: statements and the time spent in them), tagged
 *       {@code tenant}, for the N most active tenants and {@code (other)}. The set of tenants changes:
 *       it is re-read every {@code tenantRefresh} (10 s by default) by a daemon thread of the binder,
 *       which registers the meters of tenants that entered the top N and removes those of tenants that
 *       left it (their counts go to {@code (other)}). {@link #close()} stops the thread (Spring calls it
 *       on a bean).</li>
 * </ul>
 */
public final class CitusMeterBinder implements MeterBinder, AutoCloseable {

    private final CitusMetrics metrics;
    private final String cluster;
    private final Duration tenantRefresh;
    private volatile TenantMeters tenantMeters; // with metricsTenants, once bound
    private ScheduledExecutorService refresher;

    /**
     * @param metrics the cluster's metrics ({@code CitusDataSource.metrics()})
     * @param cluster the value of the {@code cluster} tag (a name of your choice; no secrets)
     */
    public CitusMeterBinder(CitusMetrics metrics, String cluster) {
        this(metrics, cluster, Duration.ofSeconds(10));
    }

    /**
     * @param metrics       the cluster's metrics ({@code CitusDataSource.metrics()})
     * @param cluster       the value of the {@code cluster} tag (a name of your choice; no secrets)
     * @param tenantRefresh how often the set of per-tenant meters follows the most active tenants
     */
    public CitusMeterBinder(CitusMetrics metrics, String cluster, Duration tenantRefresh) {
        this.metrics = Objects.requireNonNull(metrics, "metrics (null: not connected to Citus)");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.tenantRefresh = Objects.requireNonNull(tenantRefresh, "tenantRefresh");
        if (tenantRefresh.isNegative() || tenantRefresh.isZero()) {
            throw new IllegalArgumentException("tenantRefresh must be positive: " + tenantRefresh);
        }
    }

    /**
     * Brings the per-tenant meters in line with the most active tenants now (the binder's thread does
     * this every {@code tenantRefresh}); nothing without {@code metricsTenants} or before
     * {@link #bindTo}.
     */
    public void refreshTenantMeters() {
        TenantMeters t = tenantMeters;
        if (t != null) {
            t.refresh();
        }
    }

    /** Stops the thread that follows the most active tenants; the meters stay registered. */
    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher = null;
        }
    }

    /** Every node of the topology (its address; the dialled one may differ with nodeAddressMap) and the URL's. */
    private java.util.Set<String> nodesAtBind() {
        java.util.Set<String> nodes = new java.util.TreeSet<>(metrics.getUnitsByNode().keySet());
        for (String n : metrics.getNodes()) {
            nodes.add(n.substring(0, n.indexOf(' ')));
        }
        nodes.add("url");
        return nodes;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags tags = Tags.of(Tag.of("cluster", cluster));
        for (RouteReason r : RouteReason.values()) {
            String reason = r.name();
            FunctionCounter.builder("citus.units", metrics, m -> m.getUnitsByReason().getOrDefault(reason, 0L))
                    .tags(tags.and("reason", reason))
                    .description("units of work routed, by reason").register(registry);
        }
        for (String node : nodesAtBind()) {
            FunctionCounter.builder("citus.units.node", metrics, m -> m.getUnitsByNode().getOrDefault(node, 0L))
                    .tags(tags.and("node", node))
                    .description("units of work routed, by node as dialled (url: the URL's hosts)").register(registry);
        }
        Gauge.builder("citus.topology.refresh", metrics, m -> {
            long ms = m.getLastRefreshMillis();
            return ms < 0 ? -1 : ms / 1000.0;
        }).tags(tags).baseUnit("seconds").description("how long the last topology refresh took").register(registry);
        FunctionCounter.builder("citus.retries", metrics, CitusMetrics::getRetries).tags(tags)
                .description("units of work run once more on another node").register(registry);
        FunctionCounter.builder("citus.node.failures", metrics, CitusMetrics::getNodeFailures).tags(tags)
                .description("failures to reach a node that marked it down").register(registry);
        FunctionCounter.builder("citus.node.recoveries", metrics, CitusMetrics::getNodeRecoveries).tags(tags)
                .description("nodes marked down that served again").register(registry);
        FunctionCounter.builder("citus.failover.waits", metrics, CitusMetrics::getFailoverWaits).tags(tags)
                .description("pauses of units of work waiting for an unreachable node (failoverWait)").register(registry);
        FunctionCounter.builder("citus.read.your.writes.checks", metrics,
                        m -> m.getReadYourWritesChecks() - m.getReadYourWritesOnPrimary())
                .tags(tags.and("outcome", "secondary"))
                .description("read-only units checked for read-your-writes, by where they ran").register(registry);
        FunctionCounter.builder("citus.read.your.writes.checks", metrics, CitusMetrics::getReadYourWritesOnPrimary)
                .tags(tags.and("outcome", "primary"))
                .description("read-only units checked for read-your-writes, by where they ran").register(registry);
        FunctionCounter.builder("citus.wal.position.reads", metrics, CitusMetrics::getWalPositionReads).tags(tags)
                .description("WAL positions read for read-your-writes (round trips)").register(registry);
        Gauge.builder("citus.topology.version", metrics, CitusMetrics::getTopologyVersion).tags(tags)
                .description("version of the topology snapshot held").register(registry);
        Gauge.builder("citus.topology.age", metrics, m -> {
            long ms = m.getTopologyAgeMillis();
            return ms < 0 ? -1 : ms / 1000.0;
        }).tags(tags).baseUnit("seconds").description("time since the last successful topology read").register(registry);
        for (Map.Entry<String, Long> form : metrics.getPinsByForm().entrySet()) {
            String key = form.getKey();
            FunctionCounter.builder("citus.pins", metrics, m -> m.getPinsByForm().getOrDefault(key, 0L))
                    .tags(tags.and("form", key))
                    .description("statements that carried the tenant's pin, by form").register(registry);
        }
        for (Map.Entry<String, Long> cause : metrics.getExtraRoundTrips().entrySet()) {
            String key = cause.getKey();
            FunctionCounter.builder("citus.extra.round.trips", metrics, m -> m.getExtraRoundTrips().getOrDefault(key, 0L))
                    .tags(tags.and("cause", key))
                    .description("round trips the driver made on its own, by cause").register(registry);
        }
        if (metrics.getMetricsTenants() > 0) {
            TenantMeters t = new TenantMeters(metrics, registry, tags);
            t.refresh();
            tenantMeters = t;
            startRefresher();
        }
        for (String node : metrics.getReplicationLagBytes().keySet()) {
            Gauge.builder("citus.replication.lag", metrics, m -> m.getReplicationLagBytes().getOrDefault(node, -1L))
                    .tags(tags.and("node", node)).baseUnit("bytes")
                    .description("replication lag of a secondary as last measured").register(registry);
        }
    }

    private synchronized void startRefresher() {
        if (refresher != null) {
            return;
        }
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "citus-jdbc-tenant-meters");
            t.setDaemon(true);
            return t;
        });
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        long ms = tenantRefresh.toMillis();
        e.scheduleWithFixedDelay(this::refreshTenantMeters, ms, ms, TimeUnit.MILLISECONDS);
        refresher = e;
    }
}
