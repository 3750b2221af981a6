package io.github.citusjdbc.micrometer;

import io.github.citusjdbc.CitusMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-tenant meters of one cluster: one {@code citus.tenant.units} counter and one
 * {@code citus.tenant.statements} timer per tenant among the most active ({@code metricsTenants}),
 * and for {@code (other)}. {@link #refresh} registers the meters of tenants that entered that set and
 * removes those of tenants that left it; between refreshes the meters read a snapshot at most a
 * second old, so that a registry polling every meter computes the ranking once.
 */
final class TenantMeters {

    /** What the meters read: the three per-tenant maps taken together. */
    private record Snapshot(long takenNanos, Map<String, Long> units, Map<String, Long> statements,
                            Map<String, Long> millis) {
    }

    private final CitusMetrics metrics;
    private final MeterRegistry registry;
    private final Tags tags;
    private final Map<String, List<Meter>> registered = new HashMap<>();
    private volatile Snapshot snapshot;

    TenantMeters(CitusMetrics metrics, MeterRegistry registry, Tags tags) {
        this.metrics = metrics;
        this.registry = registry;
        this.tags = tags;
    }

    private Snapshot take() {
        return new Snapshot(System.nanoTime(), metrics.getUnitsByTenant(), metrics.getStatementsByTenant(),
                metrics.getStatementMillisByTenant());
    }

    private Snapshot current() {
        Snapshot s = snapshot;
        if (s == null || System.nanoTime() - s.takenNanos() > 1_000_000_000L) {
            s = take();
            snapshot = s;
        }
        return s;
    }

    /** Registers the meters of tenants now among the most active and removes the others'. */
    synchronized void refresh() {
        Snapshot s = take();
        snapshot = s;
        for (String tenant : s.units().keySet()) {
            if (!registered.containsKey(tenant)) {
                registered.put(tenant, register(tenant));
            }
        }
        for (String tenant : new HashSet<>(registered.keySet())) {
            if (!s.units().containsKey(tenant)) {
                registered.remove(tenant).forEach(registry::remove);
            }
        }
    }

    private List<Meter> register(String tenant) {
        Tags t = tags.and("tenant", tenant);
        FunctionCounter units = FunctionCounter.builder("citus.tenant.units", metrics,
                        m -> current().units().getOrDefault(tenant, 0L))
                .tags(t).description("units of work of a tenant (autocommit statements and transactions)")
                .register(registry);
        FunctionTimer statements = FunctionTimer.builder("citus.tenant.statements", metrics,
                        m -> current().statements().getOrDefault(tenant, 0L),
                        m -> current().millis().getOrDefault(tenant, 0L), TimeUnit.MILLISECONDS)
                .tags(t).description("statements of a tenant and the time the application waited for them")
                .register(registry);
        return List.of(units, statements);
    }
}
