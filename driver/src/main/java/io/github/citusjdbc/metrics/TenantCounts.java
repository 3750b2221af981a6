package io.github.citusjdbc.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Routed units of work per tenant, for the {@code top} most active tenants; the others summed. Keeps
 * at most {@code 8 × top} (at least 64) counters: when more tenants appear, the least active half is
 * folded into the sum of the others (a tenant folded away starts again from zero if it comes back),
 * so memory stays bounded whatever the number of tenants. Thread-safe.
 */
final class TenantCounts {

    /** The name under which the tenants outside the top are summed. */
    static final String OTHER = "(other)";

    private final int top;
    private final int capacity;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder folded = new LongAdder();
    private final Object pruneLock = new Object();

    TenantCounts(int top) {
        this.top = top;
        this.capacity = Math.max(64, 8 * top);
    }

    /** @return how many tenants are counted one by one */
    int top() {
        return top;
    }

    /** @return how many tenants have a counter of their own now (at most the capacity) */
    int tracked() {
        return counts.size();
    }

    /** Counts one unit of {@code tenant}. */
    void add(String tenant) {
        LongAdder c = counts.get(tenant);
        if (c == null) {
            if (counts.size() >= capacity) {
                prune();
            }
            c = counts.computeIfAbsent(tenant, t -> new LongAdder());
        }
        c.increment();
    }

    private void prune() {
        synchronized (pruneLock) {
            if (counts.size() < capacity) {
                return; // another thread pruned
            }
            List<Map.Entry<String, LongAdder>> entries = new ArrayList<>(counts.entrySet());
            entries.sort((a, b) -> Long.compare(a.getValue().sum(), b.getValue().sum()));
            for (Map.Entry<String, LongAdder> e : entries.subList(0, entries.size() / 2)) {
                if (counts.remove(e.getKey(), e.getValue())) {
                    folded.add(e.getValue().sum());
                }
            }
        }
    }

    /** @return the {@code top} most active tenants, most active first, then {@link #OTHER} when any other counted */
    Map<String, Long> snapshot() {
        List<Map.Entry<String, Long>> entries = new ArrayList<>();
        counts.forEach((t, c) -> entries.add(Map.entry(t, c.sum())));
        entries.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        Map<String, Long> out = new LinkedHashMap<>();
        long other = folded.sum();
        for (int i = 0; i < entries.size(); i++) {
            if (i < top) {
                out.put(entries.get(i).getKey(), entries.get(i).getValue());
            } else {
                other += entries.get(i).getValue();
            }
        }
        if (other > 0) {
            out.put(OTHER, other);
        }
        return Collections.unmodifiableMap(out);
    }
}
