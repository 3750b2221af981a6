package io.github.citusjdbc.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * One tenant's counters ({@code metricsTenants}): units of work, statements and the time spent in
 * them. A connection keeps the counters of its current unit's tenant and adds each statement to them.
 * Thread-safe.
 */
public final class TenantActivity {
    final LongAdder units = new LongAdder();
    final LongAdder statements = new LongAdder();
    final LongAdder nanos = new LongAdder();

    TenantActivity() {
    }

    /** One statement (an execution, a batch, a COPY) of the tenant took {@code elapsedNanos}. */
    public void statement(long elapsedNanos) {
        statements.increment();
        nanos.add(elapsedNanos);
    }
}
