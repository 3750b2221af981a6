package io.github.citusjdbc.routing;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.NodeAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which nodes are down, by dialled address, with exponential back-off.
 *
 * <p>Life of a node: {@link #markDown} after a failure classified
 * {@link SqlErrors.Kind#NODE_UNAVAILABLE} makes it {@link State#DOWN} for {@code base × 2^(n-1)}
 * (n = consecutive failures), capped at {@code max}. When that expires the node is
 * {@link State#PROBE_DUE}: the next unit of work that would use it claims the probe
 * ({@link #tryClaimProbe}) and is routed there while every other unit still avoids the node for
 * one more back-off period; the probe's outcome is reported with {@link #markUp} (connected) or
 * {@link #markDown} (failed again, longer back-off). A probe that is never reported expires like a
 * back-off, so a node cannot stay excluded for ever. Nothing ever sleeps: time comes from the
 * {@link Ticker}.
 *
 * <p>Cost on the routing path: {@link #anyDown()} is one volatile read; only when some node is
 * down does routing look addresses up (a hash lookup, no allocation). Thread-safe; one instance
 * per cluster, shared by every connection to it.
 */
public final class NodeHealth {

    private static final Logger LOG = LoggerFactory.getLogger(NodeHealth.class);

    /** What routing may do with a node now. */
    public enum State {
        /** Never failed, or recovered: use it. */
        UP,
        /** Within its back-off (or a probe is in flight): avoid it. */
        DOWN,
        /** Back-off expired: the next unit of work may probe it after {@link #tryClaimProbe}. */
        PROBE_DUE
    }

    private final long baseNanos;
    private final long maxNanos;
    private final Ticker ticker;
    private final ConcurrentHashMap<NodeAddress, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicInteger tracked = new AtomicInteger();

    /**
     * @param base   back-off after the first failure; positive
     * @param max    largest back-off; at least {@code base}
     * @param ticker the clock ({@link Ticker#systemTicker()} in production)
     * @throws IllegalArgumentException if {@code base} is not positive or {@code max < base}
     */
    public NodeHealth(Duration base, Duration max, Ticker ticker) {
        this.baseNanos = Objects.requireNonNull(base, "base").toNanos();
        this.maxNanos = Objects.requireNonNull(max, "max").toNanos();
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        if (baseNanos <= 0 || maxNanos < baseNanos) {
            throw new IllegalArgumentException("need 0 < base <= max: base=" + base + ", max=" + max);
        }
    }

    /**
     * @param settings supplies {@link RoutingSettings#nodeBackoffBase()} and {@link RoutingSettings#nodeBackoffMax()}
     * @param ticker   the clock
     * @return a health tracker with the settings' back-off
     */
    public static NodeHealth of(RoutingSettings settings, Ticker ticker) {
        return new NodeHealth(settings.nodeBackoffBase(), settings.nodeBackoffMax(), ticker);
    }

    /** @return whether any node has failed and not recovered yet (one volatile read) */
    public boolean anyDown() {
        return tracked.get() != 0;
    }

    /**
     * @param address a dialled address
     * @return its state now; never changes anything
     */
    public State state(NodeAddress address) {
        if (tracked.get() == 0) {
            return State.UP;
        }
        Entry e = entries.get(address);
        if (e == null) {
            return State.UP;
        }
        return ticker.read() - e.downUntil >= 0 ? State.PROBE_DUE : State.DOWN;
    }

    /**
     * @param address a dialled address
     * @return whether routing may use it without a probe ({@link State#UP})
     */
    public boolean isUp(NodeAddress address) {
        return state(address) == State.UP;
    }

    /**
     * Claims the probe of a node whose back-off expired: on success the caller must route the unit
     * of work there and report the outcome; the node stays avoided by everybody else for another
     * back-off period meanwhile.
     *
     * @param address a dialled address
     * @return true when the caller won the probe; false when the node is up, still down, or another
     *         caller claimed the probe first
     */
    public boolean tryClaimProbe(NodeAddress address) {
        Entry e = entries.get(address);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            long now = ticker.read();
            if (now - e.downUntil < 0) {
                return false;
            }
            e.downUntil = now + e.backoffNanos; // a probe that never reports expires like a back-off
        }
        LOG.debug("probing node {} after its back-off", address);
        return true;
    }

    /**
     * Records a failure of a node: it is avoided for the next back-off period.
     *
     * @param address a dialled address
     * @param reason  why, for the log (no secrets)
     * @return the back-off applied
     */
    public Duration markDown(NodeAddress address, String reason) {
        Objects.requireNonNull(address, "address");
        long backoff;
        int failures;
        while (true) {
            Entry e = entries.computeIfAbsent(address, a -> {
                tracked.incrementAndGet();
                return new Entry();
            });
            synchronized (e) {
                if (e.removed) {
                    continue; // lost a race with markUp: start over with a fresh entry
                }
                failures = ++e.failures;
                backoff = backoffNanos(failures);
                e.backoffNanos = backoff;
                e.downUntil = ticker.read() + backoff;
                break;
            }
        }
        if (failures == 1) {
            LOG.info("node {} marked down for {} ms: {}", address, backoff / 1_000_000, reason);
        } else {
            LOG.debug("node {} still down (failure {}), back-off {} ms: {}", address, failures, backoff / 1_000_000, reason);
        }
        return Duration.ofNanos(backoff);
    }

    /**
     * Records that a node served (a connection opened or a unit of work completed): forgets its
     * failures. Cheap when nothing is down.
     *
     * @param address a dialled address
     */
    public void markUp(NodeAddress address) {
        if (tracked.get() == 0) {
            return;
        }
        Entry e = entries.get(address);
        if (e == null) {
            return;
        }
        synchronized (e) {
            if (e.removed) {
                return;
            }
            e.removed = true;
            entries.remove(address, e);
            tracked.decrementAndGet();
        }
        LOG.info("node {} is up again", address);
        Runnable listener = recoveryListener;
        if (listener != null) {
            listener.run();
        }
    }

    private volatile Runnable recoveryListener;

    /** @param listener run each time a node marked down serves again (the metrics count it), or null */
    public void onRecovery(Runnable listener) {
        this.recoveryListener = listener;
    }

    /**
     * @param address a dialled address
     * @return consecutive failures recorded since it was last up
     */
    public int failures(NodeAddress address) {
        Entry e = entries.get(address);
        if (e == null) {
            return 0;
        }
        synchronized (e) {
            return e.removed ? 0 : e.failures;
        }
    }

    /**
     * @param failures consecutive failures, at least 1
     * @return the back-off after that many failures
     */
    long backoffNanos(int failures) {
        int shift = failures - 1;
        if (shift >= Long.numberOfLeadingZeros(baseNanos) - 1) {
            return maxNanos; // doubling further would overflow
        }
        return Math.min(maxNanos, baseNanos << shift);
    }

    /** Mutable state of one down node; guarded by its own monitor. */
    private static final class Entry {
        int failures;
        long backoffNanos;
        volatile long downUntil;
        boolean removed;
    }
}
