package io.github.citusjdbc.consistency;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each group of one cluster was last written by this JVM: the {@link System#nanoTime()} taken
 * after the commit of a read-write unit of work was acknowledged. A write whose group is not known
 * (no tenant, or a tenant the topology does not know yet) marks every group. A standby has a write
 * when it has replayed a primary WAL position read by a query that <em>started after</em> the mark:
 * that position is at or past the write's commit record.
 *
 * <p>Marks only grow (a concurrent, older mark never replaces a newer one). No I/O, no allocation
 * for groups 0..127 after their first mark. Thread-safe; one per cluster.
 */
public final class WriteMarks {

    /** The group of a write that may have touched any group. */
    public static final int ANY_GROUP = -1;
    /** {@link #lastWrite} of a group never written. */
    public static final long NEVER = Long.MIN_VALUE;

    private final AtomicLong anyGroup = new AtomicLong(NEVER);
    private final ConcurrentHashMap<Integer, AtomicLong> groups = new ConcurrentHashMap<>();

    /**
     * Records a write acknowledged at {@code ackNanos}.
     *
     * @param group    the group written, or {@link #ANY_GROUP}
     * @param ackNanos {@link System#nanoTime()} read after the commit returned
     */
    public void written(int group, long ackNanos) {
        AtomicLong mark = group == ANY_GROUP ? anyGroup : groups.computeIfAbsent(group, g -> new AtomicLong(NEVER));
        mark.accumulateAndGet(ackNanos, WriteMarks::later);
    }

    /**
     * @param group a group id
     * @return when the group was last written (a write to any group included), or {@link #NEVER}
     */
    public long lastWrite(int group) {
        AtomicLong mark = groups.get(group);
        return later(anyGroup.get(), mark == null ? NEVER : mark.get());
    }

    /**
     * @param candidates the cluster's group ids
     * @return those written at least once (all of them after a write to any group)
     */
    public java.util.List<Integer> written(java.util.Collection<Integer> candidates) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (int g : candidates) {
            if (lastWrite(g) != NEVER) {
                out.add(g);
            }
        }
        return out;
    }

    /** The later of two marks; {@link #NEVER} is earlier than any time, and nanoTime values compare by difference. */
    static long later(long a, long b) {
        if (a == NEVER) {
            return b;
        }
        if (b == NEVER) {
            return a;
        }
        return a - b >= 0 ? a : b;
    }
}
