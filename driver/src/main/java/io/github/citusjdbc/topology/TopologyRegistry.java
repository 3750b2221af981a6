package io.github.citusjdbc.topology;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.spi.TopologyListener;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide registry of {@link ClusterTopology} instances: one per {@link ClusterKey}, shared by
 * every connection and data source of the JVM, held in a Caffeine cache.
 *
 * <p>Users take a {@link Lease} ({@link #acquire}) and close it when done (a logical connection
 * on close, a data source on close). An entry with leases never expires; once its last lease is
 * closed it stays until its next scheduled refresh (so that open/close cycles through
 * {@code DriverManager} within a refresh interval do not reload it), or at most
 * {@link TopologySettings#idleTimeout()}, and is then closed instead of refreshed: its metadata
 * connection closes and nothing of it runs any more.
 *
 * <p>Thread-safe.
 */
public final class TopologyRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(TopologyRegistry.class);
    private static final TopologyRegistry SHARED = new TopologyRegistry(Ticker.systemTicker(), RefreshScheduler.shared());

    private final Ticker ticker;
    private final RefreshScheduler scheduler;
    private final Cache<ClusterKey, Entry> entries;

    /**
     * Creates a registry; production code uses {@link #shared()}.
     *
     * @param ticker    the clock for refreshes, staleness and idle expiry
     * @param scheduler runs the refreshes
     */
    public TopologyRegistry(Ticker ticker, RefreshScheduler scheduler) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.entries = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(Runnable::run) // close evicted holders at once, deterministically
                .expireAfter(new IdleExpiry())
                .removalListener((ClusterKey key, Entry entry, RemovalCause cause) -> {
                    if (entry != null && cause != RemovalCause.REPLACED) {
                        LOG.debug("[{}] topology no longer used: closing", key);
                        entry.topology.close();
                    }
                })
                .build();
    }

    /** @return the registry shared by the whole JVM */
    public static TopologyRegistry shared() {
        return SHARED;
    }

    /**
     * Takes a lease on the cluster's topology, creating and starting it when it is not known yet,
     * and waits for its first read at most {@link TopologySettings#initialLoadTimeout()} (see
     * {@link ClusterTopology#awaitFirstLoad()}); a cluster already loaded never waits.
     *
     * @param key      the cluster
     * @param settings used only when the cluster is not registered yet
     * @param factory  creates the holder when the cluster is not registered yet
     * @return a lease to close when done
     */
    public Lease acquire(ClusterKey key, TopologySettings settings, Factory factory) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(factory, "factory");
        ClusterTopology[] created = new ClusterTopology[1];
        Entry entry = entries.asMap().compute(key, (k, e) -> {
            if (e == null) {
                created[0] = factory.create(k, settings, ticker, whileLeased(k));
                return new Entry(created[0], 1, settings.idleTimeout().toNanos(), false);
            }
            return new Entry(e.topology, e.leases + 1, e.idleNanos, e.closeWhenUnused);
        });
        if (created[0] != null) {
            created[0].start(); // outside the map's lock: its first refresh looks the entry up
        }
        entry.topology.awaitFirstLoad();
        return new Lease(this, key, entry.topology);
    }

    /**
     * {@link #acquire(ClusterKey, TopologySettings, Factory)} with the pgjdbc-backed source and lag
     * probe ({@link #pgjdbcFactory(Properties)}).
     *
     * @param key      the cluster
     * @param settings used only when the cluster is not registered yet
     * @param pgjdbc   pgjdbc properties including user and password (copied)
     * @return a lease to close when done
     */
    public Lease acquire(ClusterKey key, TopologySettings settings, Properties pgjdbc) {
        return acquire(key, settings, pgjdbcFactory(pgjdbc));
    }

    /**
     * @param pgjdbc pgjdbc properties including user and password (copied)
     * @return a factory of holders reading through {@link MetadataConnectionSource} and, when the key asks
     *         for it, measuring lag with {@link ReplicationLagProbe} on the hosts it allows, both over pgjdbc
     */
    public static Factory pgjdbcFactory(Properties pgjdbc) {
        Properties copy = new Properties();
        copy.putAll(Objects.requireNonNull(pgjdbc, "pgjdbc"));
        return (key, settings, ticker, scheduler) -> new ClusterTopology(key.toString(), settings,
                new MetadataConnectionSource(PgjdbcConnections.metadata(key.hosts(), key.database(), copy, settings),
                        new TopologyReader(key.clusterName()), key.toString()),
                key.lagProbe() == null ? LagMeasurer.none()
                        : new ReplicationLagProbe(PgjdbcConnections.nodes(key.database(), copy, settings), key::lagProbeMayDial),
                ticker, scheduler);
    }

    /**
     * The scheduler a holder of {@code key} gets: each of its tasks (refreshes) first checks that the
     * holder still has a lease; when it has none the holder is removed (and so closed) instead.
     */
    private RefreshScheduler whileLeased(ClusterKey key) {
        return (task, delayNanos) -> scheduler.schedule(() -> {
            if (stillLeased(key)) {
                task.run();
            }
        }, delayNanos);
    }

    private boolean stillLeased(ClusterKey key) {
        boolean[] leased = new boolean[1];
        entries.asMap().computeIfPresent(key, (k, e) -> {
            leased[0] = e.leases > 0;
            return leased[0] ? e : null; // no lease left: removed, the removal listener closes the holder
        });
        if (!leased[0]) {
            LOG.debug("[{}] no connection left at refresh time: topology closed", key);
        }
        return leased[0];
    }

    /**
     * Closes every registered holder (the driver's deregistration): refreshes stop, metadata
     * connections close. Leases still out keep their last view; new leases register anew.
     */
    public void closeAll() {
        entries.invalidateAll();
        entries.cleanUp();
    }

    /**
     * Closes the cluster's holder now when no lease is out (its metadata connection closes, its refreshes
     * stop) instead of at its next refresh, or else when its last lease is returned (a pool may still
     * be closing its connections on another thread); a later lease registers it anew.
     *
     * @return true when a holder was closed now
     */
    public boolean closeIfUnused(ClusterKey key) {
        boolean[] closed = new boolean[1];
        entries.asMap().computeIfPresent(key, (k, e) -> {
            closed[0] = e.leases == 0;
            // removed: the removal listener closes the holder; otherwise the last release removes it
            return closed[0] ? null : new Entry(e.topology, e.leases, e.idleNanos, true);
        });
        return closed[0];
    }

    /** @return the number of clusters registered (including idle ones not yet expired) */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** Runs pending expiry now (tests; Caffeine otherwise does it during other cache activity). */
    public void cleanUp() {
        entries.cleanUp();
    }

    private void release(ClusterKey key, ClusterTopology topology) {
        entries.asMap().computeIfPresent(key, (k, e) -> {
            if (e.topology != topology) {
                return e;
            }
            int leases = Math.max(0, e.leases - 1);
            return leases == 0 && e.closeWhenUnused ? null : new Entry(e.topology, leases, e.idleNanos, e.closeWhenUnused);
        });
        entries.cleanUp();
    }

    /** Creates the holder of a newly registered cluster (not started). */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param key       the cluster
         * @param settings  its settings
         * @param ticker    the registry's clock
         * @param scheduler the registry's scheduler
         * @return a new, unstarted holder
         */
        ClusterTopology create(ClusterKey key, TopologySettings settings, Ticker ticker, RefreshScheduler scheduler);
    }

    /**
     * A claim on one cluster's topology. Close it when done; closing twice is harmless.
     * Thread-safe.
     */
    public static final class Lease implements AutoCloseable {
        private final TopologyRegistry registry;
        private final ClusterKey key;
        private final ClusterTopology topology;
        private final AtomicBoolean closed = new AtomicBoolean();

        Lease(TopologyRegistry registry, ClusterKey key, ClusterTopology topology) {
            this.registry = registry;
            this.key = key;
            this.topology = topology;
        }

        /** @return the latest view; never blocks (see {@link ClusterTopology#current()}) */
        public ClusterView current() {
            return topology.current();
        }

        /**
         * Asks for an early refresh, rate-limited (see {@link ClusterTopology#requestEarlyRefresh(String)}).
         *
         * @param reason why, for the DEBUG log (no secrets)
         * @return true when a refresh was scheduled
         */
        public boolean requestEarlyRefresh(String reason) {
            return topology.requestEarlyRefresh(reason);
        }

        /** @param listener called on the refresh thread after each new snapshot of the cluster */
        public void addListener(TopologyListener listener) {
            topology.addListener(listener);
        }

        /** @param listener a listener added before; ignored when absent */
        public void removeListener(TopologyListener listener) {
            topology.removeListener(listener);
        }

        /** @return the shared holder behind this lease */
        public ClusterTopology topology() {
            return topology;
        }

        /** @return the cluster */
        public ClusterKey key() {
            return key;
        }

        /** Returns the lease; the holder is closed once idle for its idle timeout. */
        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                registry.release(key, topology);
            }
        }
    }

    /**
     * A registered holder and how many leases are out; replaced, never mutated. {@code closeWhenUnused}:
     * {@link #closeIfUnused} was asked while leases were out, so the last one closes it.
     */
    private record Entry(ClusterTopology topology, int leases, long idleNanos, boolean closeWhenUnused) {
    }

    /** Leased entries never expire; an entry without leases expires after its idle timeout. */
    private static final class IdleExpiry implements Expiry<ClusterKey, Entry> {
        @Override
        public long expireAfterCreate(ClusterKey key, Entry entry, long currentTime) {
            return entry.leases > 0 ? Long.MAX_VALUE : entry.idleNanos;
        }

        @Override
        public long expireAfterUpdate(ClusterKey key, Entry entry, long currentTime, long currentDuration) {
            return entry.leases > 0 ? Long.MAX_VALUE : entry.idleNanos;
        }

        @Override
        public long expireAfterRead(ClusterKey key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
