package io.github.citusjdbc.topology;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.TopologyListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the current {@link ClusterView} of one cluster and keeps it fresh in the background.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #current()} never blocks and never does I/O: it returns the latest published view.
 *       Only {@link #awaitFirstLoad()} waits, for the very first read of the cluster, and at most
 *       {@link TopologySettings#initialLoadTimeout()}; after that the caller proceeds with a
 *       view whose {@link ClusterView#routingEnabled()} is false (coordinator only) and the load
 *       goes on in the background.</li>
 *   <li>A refresh runs every {@link TopologySettings#refreshInterval()} on the
 *       {@link RefreshScheduler}; the previous view is served while it runs.</li>
 *   <li>A failed refresh keeps the last good snapshot; retries back off from 1 s (or the
 *       interval, if shorter) doubling up to the interval. Once the last good read is older than
 *       {@link TopologySettings#maxStaleness()} the view reports itself stale and routing must
 *       use the coordinator only.</li>
 *   <li>{@link #requestEarlyRefresh(String)} (routing failures) starts a refresh at once unless
 *       one is running or one started less than {@link TopologySettings#earlyRefreshMinInterval()}
 *       ago, so a storm of errors causes at most one refresh per that interval.</li>
 *   <li>Versions: a snapshot keeps its version (and identity) while the catalogs are unchanged;
 *       any change of a node or a tenant's group gives a new snapshot with a higher version, and
 *       {@link TopologyListener}s are then called on the refresh thread, in version order.</li>
 *   <li>Replication lag of the active secondaries is measured by the {@link LagMeasurer} after
 *       every refresh (also when the catalog read failed, against the last good snapshot); the
 *       registry gives one that measures nothing unless a connection uses lag.</li>
 * </ul>
 *
 * <p>This class decides when a refresh runs (schedule, back-off, rate limit, waiters, close);
 * {@link ViewRefresh} is what one refresh does to the view.
 *
 * <p>Thread-safe. Usually obtained through {@link TopologyRegistry}, which shares one instance per
 * {@link ClusterKey}; time comes from an injectable {@link Ticker} and {@link RefreshScheduler}.
 */
public final class ClusterTopology implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterTopology.class);
    private static final long MIN_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final TopologySettings settings;
    private final TopologySource source;
    private final ViewRefresh viewRefresh;
    private final Ticker ticker;
    private final RefreshScheduler scheduler;
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();
    private final Object lock = new Object();
    private volatile long lastRefreshNanos = -1; // how long the last refresh (catalog read and lag) took
    private final java.util.concurrent.ConcurrentHashMap<Class<?>, AutoCloseable> attachments =
            new java.util.concurrent.ConcurrentHashMap<>(2);

    // Guarded by lock.
    private RefreshScheduler.Cancellable pending;
    private boolean started;
    private boolean running;
    private boolean closed;
    private boolean attempted;
    private long lastStartNanos;
    private int failures;
    private final List<Waiter> waiters = new ArrayList<>(0); // callers of refreshNow
    private long readsStarted; // numbers the reads, for the waiters

    /**
     * Creates a holder; nothing is read before {@link #start()}.
     *
     * @param name        identifies the cluster in logs; must hold no secret (e.g. {@link ClusterKey#toString()})
     * @param settings    intervals and timeouts
     * @param source      reads the catalogs; closed with this holder
     * @param lagMeasurer measures secondaries' lag
     * @param ticker      the clock ({@link Ticker#systemTicker()} in production)
     * @param scheduler   runs refreshes ({@link RefreshScheduler#shared()} in production)
     */
    public ClusterTopology(String name, TopologySettings settings, TopologySource source, LagMeasurer lagMeasurer,
                           Ticker ticker, RefreshScheduler scheduler) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.source = Objects.requireNonNull(source, "source");
        Objects.requireNonNull(lagMeasurer, "lagMeasurer");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.viewRefresh = new ViewRefresh(name, settings, source, lagMeasurer,
                ClusterView.loading(ticker, settings.maxStaleness().toNanos()));
    }

    /** Schedules the first read at once. Idempotent. */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                return;
            }
            started = true;
            scheduleLocked(0);
        }
    }

    /**
     * Something shared by every connection to this cluster and closed with it (e.g. the
     * read-your-writes probes), created on first use.
     *
     * @param type   its class, the key
     * @param create creates it
     * @param <T>    its type
     * @return the one instance of {@code type}; already closed when this holder is
     */
    public <T extends AutoCloseable> T attachment(Class<T> type, java.util.function.Supplier<T> create) {
        T t = type.cast(attachments.computeIfAbsent(type, k -> create.get()));
        synchronized (lock) {
            if (closed) {
                closeQuietly(t);
            }
        }
        return t;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing {} failed: {}", c.getClass().getSimpleName(), e.toString());
        }
    }

    /** @return how long the last refresh took (catalog read and lag measurement), in nanoseconds; -1 before one */
    public long lastRefreshNanos() {
        return lastRefreshNanos;
    }

    /** @return the latest view; never blocks */
    public ClusterView current() {
        return viewRefresh.view();
    }

    /**
     * Waits until the first read of the cluster has finished (successfully or not), at most
     * {@link TopologySettings#initialLoadTimeout()}; returns at once once it has. The only method
     * that ever waits for metadata.
     *
     * @return the view after the wait (possibly still {@link ClusterView.Status#LOADING})
     */
    public ClusterView awaitFirstLoad() {
        if (!firstAttempt.isDone()) {
            try {
                firstAttempt.get(settings.initialLoadTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                LOG.info("[{}] first topology read takes longer than {}: coordinator only until it completes", name,
                        settings.initialLoadTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // never completed exceptionally
            }
        }
        return viewRefresh.view();
    }

    /**
     * Asks for a refresh now, because routing met a failure that may mean the topology changed
     * (connection refused, read-only violation, admin shutdown...). Rate-limited: ignored while a
     * refresh runs or within {@link TopologySettings#earlyRefreshMinInterval()} of the start of
     * the previous one. Never blocks.
     *
     * @param reason why, for the DEBUG log (no secrets)
     * @return true when a refresh was scheduled
     */
    public boolean requestEarlyRefresh(String reason) {
        long now = ticker.read();
        synchronized (lock) {
            if (closed || !started) {
                return false;
            }
            if (running || (attempted && now - lastStartNanos < settings.earlyRefreshMinInterval().toNanos())) {
                LOG.debug("[{}] early topology refresh not needed or rate-limited: {}", name, reason);
                return false;
            }
            attempted = true;
            lastStartNanos = now; // rate-limits the requests that arrive before it runs
            scheduleLocked(0);
        }
        LOG.debug("[{}] early topology refresh: {}", name, reason);
        return true;
    }

    /** A caller of {@link #refreshNow} waiting for the end of read number {@code read} or a later one. */
    private record Waiter(long read, CompletableFuture<Void> done) {
    }

    /**
     * Reads the catalogs again now, not rate-limited, and waits until a read that started after this
     * call has finished: for the application's own changes (a tenant just created, distributed or
     * moved), which the next unit of work must be routed with. A read already running started before
     * the change, so another one follows it at once.
     *
     * @param timeout the longest to wait
     * @return true when such a read finished (successfully or not) within {@code timeout}
     */
    public boolean refreshNow(Duration timeout) {
        Waiter w;
        synchronized (lock) {
            if (closed || !started) {
                return false;
            }
            w = new Waiter(readsStarted + 1, new CompletableFuture<>()); // a running read started before: the next
            waiters.add(w);
            if (!running) {
                scheduleLocked(0);
            }
        }
        try {
            w.done().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never completed exceptionally
        } finally {
            synchronized (lock) {
                waiters.remove(w);
            }
        }
    }

    /** @return how many callers of {@link #refreshNow} wait (for tests) */
    int waiting() {
        synchronized (lock) {
            return waiters.size();
        }
    }

    /** Releases the waiters read number {@code read} satisfies; @return whether others still wait. */
    private boolean releaseWaitersLocked(long read) {
        waiters.removeIf(w -> w.read() <= read && w.done().complete(null));
        return !waiters.isEmpty();
    }

    /**
     * @param listener called on the refresh thread after each new snapshot
     */
    public void addListener(TopologyListener listener) {
        viewRefresh.listeners().add(Objects.requireNonNull(listener, "listener"));
    }

    /** @param listener a listener added before; ignored when absent */
    public void removeListener(TopologyListener listener) {
        viewRefresh.listeners().remove(listener);
    }

    /** @return the settings this holder runs with */
    public TopologySettings settings() {
        return settings;
    }

    /** @return the name used in logs */
    public String name() {
        return name;
    }

    /** Stops refreshing and closes the source. Idempotent; does not wait for a running refresh. */
    @Override
    public void close() {
        boolean closeNow;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (pending != null) {
                pending.cancel();
                pending = null;
            }
            closeNow = !running; // otherwise the running refresh closes the source when it ends
            waiters.forEach(w -> w.done().complete(null));
        }
        if (closeNow) {
            source.close();
        }
        attachments.values().forEach(ClusterTopology::closeQuietly);
        firstAttempt.complete(null);
        LOG.debug("[{}] topology closed", name);
    }

    private void scheduleLocked(long delayNanos) {
        if (pending != null) {
            pending.cancel();
        }
        pending = scheduler.schedule(this::refresh, delayNanos);
    }

    /** Runs one refresh on the calling thread (the scheduler's). */
    void refresh() {
        long start = ticker.read();
        long read;
        boolean failingBefore;
        synchronized (lock) {
            if (closed || running) {
                return;
            }
            running = true;
            attempted = true;
            lastStartNanos = start;
            pending = null;
            read = ++readsStarted;
            failingBefore = failures > 0; // changes only after this refresh, below
        }
        boolean failed = true;
        try {
            failed = viewRefresh.run(start, failingBefore);
        } finally {
            lastRefreshNanos = ticker.read() - start;
            boolean closeSource;
            synchronized (lock) {
                running = false;
                failures = failed ? failures + 1 : 0;
                closeSource = closed;
                if (!closed) {
                    boolean stillWaiting = releaseWaitersLocked(read);
                    scheduleLocked(stillWaiting ? 0 : nextDelayNanos());
                }
            }
            if (closeSource) {
                source.close();
            }
            firstAttempt.complete(null);
        }
    }

    private long nextDelayNanos() {
        long interval = settings.refreshInterval().toNanos();
        if (failures == 0) {
            return interval;
        }
        long base = Math.min(MIN_RETRY_NANOS, interval);
        int shift = Math.min(failures - 1, 30);
        return Math.min(interval, base << shift);
    }
}
