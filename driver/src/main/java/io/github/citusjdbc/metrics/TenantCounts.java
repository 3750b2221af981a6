package io.github.citusjdbc.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToLongFunction;

/**
 * TenantActivity per tenant (units of work, statements, time in statements), for the {@code top} most
 * active tenants by units; the others summed. Keeps at most {@code 8 × top} (at least 64) tenants:
 * when more appear, the least active half is folded into the sums of the others (a tenant folded
 * away starts again from zero if it comes back), so memory stays bounded whatever the number of
 * tenants. Thread-safe.
 */
final class TenantCounts {

    /** The name under which the tenants outside the top are summed. */
    static final String OTHER = "(other)";

    private final int top;
    private final int capacity;
    private final ConcurrentHashMap<String, TenantActivity> tenants = new ConcurrentHashMap<>();
    private final TenantActivity folded = new TenantActivity();
    private final Object pruneLock = new Object();

    TenantCounts(int top) {
        this.top = top;
        this.capacity = Math.max(64, 8 * top);
    }

    /** @return how many tenants are listed one by one */
    int top() {
        return top;
    }

    /** @return how many tenants have counters of their own now (at most the capacity) */
    int tracked() {
        return tenants.size();
    }

    /**
     * Counts one unit of work of {@code tenant}.
     *
     * @return the tenant's counters, to which the unit's statements are added
     */
    TenantActivity add(String tenant) {
        TenantActivity a = tenants.get(tenant);
        if (a == null) {
            if (tenants.size() >= capacity) {
                prune();
            }
            a = tenants.computeIfAbsent(tenant, t -> new TenantActivity());
        }
        a.units.increment();
        return a;
    }

    private void prune() {
        synchronized (pruneLock) {
            if (tenants.size() < capacity) {
                return; // another thread pruned
            }
            List<Map.Entry<String, TenantActivity>> entries = new ArrayList<>(tenants.entrySet());
            entries.sort((x, y) -> Long.compare(x.getValue().units.sum(), y.getValue().units.sum()));
            for (Map.Entry<String, TenantActivity> e : entries.subList(0, entries.size() / 2)) {
                if (tenants.remove(e.getKey(), e.getValue())) {
                    TenantActivity a = e.getValue();
                    folded.units.add(a.units.sum());
                    folded.statements.add(a.statements.sum());
                    folded.nanos.add(a.nanos.sum());
                }
            }
        }
    }

    /** @return units of work: the {@code top} most active tenants, most active first, then {@link #OTHER} when any other counted */
    Map<String, Long> snapshot() {
        return snapshot(a -> a.units.sum());
    }

    /**
     * @param measure what to report of each tenant
     * @return that measure for the {@code top} tenants with the most units, in that order, then
     *         {@link #OTHER} summing the rest when any other tenant has units
     */
    Map<String, Long> snapshot(ToLongFunction<TenantActivity> measure) {
        List<Map.Entry<String, TenantActivity>> entries = new ArrayList<>(tenants.entrySet());
        long[] units = new long[entries.size()];
        Integer[] order = new Integer[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
            units[i] = entries.get(i).getValue().units.sum();
        }
        java.util.Arrays.sort(order, (x, y) -> Long.compare(units[y], units[x]));
        Map<String, Long> out = new LinkedHashMap<>();
        long otherUnits = folded.units.sum();
        long other = measure.applyAsLong(folded);
        for (int i = 0; i < order.length; i++) {
            TenantActivity a = entries.get(order[i]).getValue();
            if (i < top) {
                out.put(entries.get(order[i]).getKey(), measure.applyAsLong(a));
            } else {
                otherUnits += units[order[i]];
                other += measure.applyAsLong(a);
            }
        }
        if (otherUnits > 0) {
            out.put(OTHER, other);
        }
        return Collections.unmodifiableMap(out);
    }
}
