package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The refresh, staleness and rate-limit logic of {@link ClusterTopology}, on a fake clock (no sleeping). */
class ClusterTopologyTest {

    private final ManualClock clock = new ManualClock();
    private final FakeSource source = new FakeSource();
    private final AtomicInteger lagMeasurements = new AtomicInteger();
    private volatile Map<Integer, Long> lags = Map.of(3, 100L);

    private TopologySettings settings = TopologySettings.defaults();

    private ClusterTopology topology() {
        return new ClusterTopology("test", settings, source, (t, dial) -> {
            lagMeasurements.incrementAndGet();
            return lags;
        }, clock, clock);
    }

    private ClusterTopology started() {
        ClusterTopology t = topology();
        t.start();
        clock.runDue();
        return t;
    }

    @Test
    void beforeTheFirstReadTheViewIsLoadingAndRoutesToTheCoordinatorOnly() {
        ClusterTopology t = topology();
        t.start();
        ClusterView v = t.current();
        assertEquals(ClusterView.Status.LOADING, v.status());
        assertFalse(v.routingEnabled());
        assertTrue(v.isStale());
        assertEquals(0, v.version());
        assertEquals(0, source.reads.get(), "current() must not read");
    }

    @Test
    void firstReadPublishesVersionOneWithLag() {
        ClusterTopology t = started();
        ClusterView v = t.current();
        assertEquals(ClusterView.Status.CITUS, v.status());
        assertTrue(v.routingEnabled());
        assertEquals(1, v.version());
        assertEquals(OptionalLongOf(100), v.replicationLagBytes(v.topology().node(3).orElseThrow()));
        assertTrue(v.isLagWithin(v.topology().node(3).orElseThrow(), 100));
        assertFalse(v.isLagWithin(v.topology().node(3).orElseThrow(), 99));
        assertFalse(v.isLagWithin(v.topology().node(2).orElseThrow(), Long.MAX_VALUE), "unknown lag is never within");
    }

    private static java.util.OptionalLong OptionalLongOf(long v) {
        return java.util.OptionalLong.of(v);
    }

    @Test
    void refreshesInTheBackgroundAtTheInterval() {
        started();
        clock.advance(Duration.ofSeconds(29));
        assertEquals(1, source.reads.get());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, source.reads.get());
        clock.advance(Duration.ofSeconds(60));
        assertEquals(4, source.reads.get());
        assertEquals(4, lagMeasurements.get(), "lag is measured alongside every refresh");
    }

    @Test
    void unchangedCatalogKeepsVersionAndSnapshotInstance() {
        ClusterTopology t = started();
        Topology first = t.current().topology();
        clock.advance(Duration.ofSeconds(30));
        assertSame(first, t.current().topology());
        assertEquals(1, t.current().version());
    }

    @Test
    void aChangeBumpsTheVersionAndNotifiesListenersOnce() {
        ClusterTopology t = started();
        List<long[]> calls = new ArrayList<>();
        t.addListener((before, after) -> calls.add(new long[] {before.version(), after.version()}));
        source.tenants = Map.of("tenant_a", 1, "tenant_b", 0);
        clock.advance(Duration.ofSeconds(30));
        assertEquals(2, t.current().version());
        assertEquals(0, t.current().topology().groupOfTenant("tenant_b").getAsInt());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(1, calls.size());
        assertEquals(1, calls.get(0)[0]);
        assertEquals(2, calls.get(0)[1]);
    }

    @Test
    void aThrowingListenerDoesNotStopRefreshesOrOtherListeners() {
        ClusterTopology t = started();
        AtomicInteger good = new AtomicInteger();
        t.addListener((b, a) -> {
            throw new IllegalStateException("boom");
        });
        t.addListener((b, a) -> good.incrementAndGet());
        source.nodes = List.of(FakeSource.node(1, 0, 9700, NodeRole.PRIMARY));
        clock.advance(Duration.ofSeconds(30));
        assertEquals(1, good.get());
        assertEquals(2, t.current().version());
        clock.advance(Duration.ofSeconds(30));
        assertEquals(3, source.reads.get());
    }

    @Test
    void failedRefreshKeepsTheLastGoodSnapshotUntilMaxStaleness() {
        settings = settings.withMaxStaleness(Duration.ofSeconds(120));
        ClusterTopology t = started();
        Topology good = t.current().topology();
        source.failure = new SQLException("connection refused", "08001");
        clock.advance(Duration.ofSeconds(30));
        ClusterView v = t.current();
        assertSame(good, v.topology());
        assertEquals(ClusterView.Status.CITUS, v.status());
        assertTrue(v.lastFailure().orElseThrow().startsWith("08001"));
        assertTrue(v.routingEnabled());
        assertEquals(Duration.ofSeconds(30), v.age().orElseThrow());

        clock.advance(Duration.ofSeconds(90)); // exactly maxStaleness old: still usable
        assertTrue(t.current().routingEnabled());
        clock.advance(Duration.ofSeconds(1));
        v = t.current();
        assertTrue(v.isStale());
        assertFalse(v.routingEnabled(), "past maxStaleness routing must fall back to the coordinator");
        assertSame(good, v.topology(), "the last good snapshot is still there for diagnostics");

        source.failure = null;
        clock.advance(Duration.ofSeconds(30));
        assertTrue(t.current().routingEnabled());
        assertFalse(t.current().lastFailure().isPresent());
    }

    @Test
    void aViewHeldByACallerBecomesStaleByItself() {
        ClusterTopology t = started();
        ClusterView held = t.current();
        source.failure = new SQLException("down", "08006");
        clock.advance(Duration.ofMinutes(3));
        assertTrue(held.isStale());
    }

    @Test
    void failuresAreRetriedWithBackoffCappedByTheInterval() {
        source.failure = new SQLException("down", "08001");
        ClusterTopology t = started();
        assertEquals(ClusterView.Status.UNREACHABLE, t.current().status());
        assertFalse(t.current().routingEnabled());
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            Duration d = clock.nextDelay();
            delays.add(d);
            clock.advance(d);
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30)), delays);
        source.failure = null;
        clock.advance(clock.nextDelay());
        assertTrue(t.current().routingEnabled());
        assertEquals(Duration.ofSeconds(30), clock.nextDelay(), "back to the normal interval after a success");
    }

    @Test
    void earlyRefreshRunsAtOnceButAStormCausesOneRefreshPerMinInterval() {
        settings = settings.withEarlyRefreshMinInterval(Duration.ofSeconds(5));
        ClusterTopology t = started();
        clock.advance(Duration.ofSeconds(10));
        int before = source.reads.get();
        assertTrue(t.requestEarlyRefresh("connection refused"));
        for (int i = 0; i < 1000; i++) {
            assertFalse(t.requestEarlyRefresh("storm " + i));
        }
        clock.runDue();
        assertEquals(before + 1, source.reads.get());
        clock.advance(Duration.ofSeconds(4));
        assertFalse(t.requestEarlyRefresh("too soon"));
        clock.advance(Duration.ofSeconds(1));
        assertTrue(t.requestEarlyRefresh("allowed again"));
        clock.runDue();
        assertEquals(before + 2, source.reads.get());
    }

    @Test
    void earlyRefreshShortlyAfterAPeriodicOneIsRateLimited() {
        settings = settings.withEarlyRefreshMinInterval(Duration.ofSeconds(5));
        ClusterTopology t = started();
        clock.advance(Duration.ofSeconds(32)); // periodic refresh ran 2 s ago
        assertFalse(t.requestEarlyRefresh("error"));
    }

    @Test
    void earlyRefreshIsRefusedWhileARefreshRuns() {
        settings = settings.withEarlyRefreshMinInterval(Duration.ZERO);
        ClusterTopology t = topology();
        List<Boolean> answers = new ArrayList<>();
        source.duringRead = () -> answers.add(t.requestEarlyRefresh("during"));
        t.start();
        clock.runDue();
        assertEquals(List.of(false), answers);
        assertEquals(1, source.reads.get());
    }

    /** Runs the due tasks of the fake clock until {@code f} is done (it waits on another thread). */
    private <T> T runUntilDone(java.util.concurrent.Future<T> f) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!f.isDone() && System.nanoTime() < deadline) {
            clock.runDue();
            Thread.onSpinWait();
        }
        return f.get(1, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void refreshNowReadsAtOnceWithoutRateLimitAndWaitsForTheRead() throws Exception {
        settings = settings.withEarlyRefreshMinInterval(Duration.ofSeconds(5));
        ClusterTopology t = started();
        var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            for (int i = 2; i <= 4; i++) {
                assertTrue(runUntilDone(executor.submit(() -> t.refreshNow(Duration.ofSeconds(10)))));
                assertEquals(i, source.reads.get(), "one read per call, back to back: not rate-limited");
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void refreshNowDuringARunningReadWaitsForAReadThatStartsAfterIt() throws Exception {
        ClusterTopology t = started();
        var executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        List<java.util.concurrent.Future<Boolean>> asked = new ArrayList<>();
        source.duringRead = () -> {
            if (asked.isEmpty()) { // the application's change lands while read 2 runs
                asked.add(executor.submit(() -> t.refreshNow(Duration.ofSeconds(10))));
                while (t.waiting() == 0) {
                    Thread.onSpinWait();
                }
            }
        };
        try {
            clock.advance(Duration.ofSeconds(30)); // periodic read 2, during which refreshNow is called
            assertEquals(3, source.reads.get(), "read 2 started before the call and does not count: read 3 at once");
            assertTrue(runUntilDone(asked.get(0)));
            assertEquals(3, source.reads.get());
            assertEquals(0, t.waiting());
            assertEquals(Duration.ofSeconds(30), clock.nextDelay(), "then the normal interval again");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void refreshNowReturnsAtOnceOnAClosedTopology() {
        ClusterTopology t = started();
        t.close();
        assertFalse(t.refreshNow(Duration.ofSeconds(10)));
    }

    @Test
    void earlyRefreshReplacesThePendingPeriodicOneInsteadOfAddingASecondChain() {
        ClusterTopology t = started();
        clock.advance(Duration.ofSeconds(10));
        assertTrue(t.requestEarlyRefresh("x"));
        clock.runDue();
        assertEquals(2, source.reads.get());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(2, source.reads.get(), "the next periodic refresh is an interval after the early one");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(3, source.reads.get());
        clock.advance(Duration.ofSeconds(300));
        assertEquals(13, source.reads.get());
    }

    @Test
    void aServerWithoutCitusIsReportedAndRoutingIsOff() {
        source.citus = false;
        ClusterTopology t = started();
        ClusterView v = t.current();
        assertEquals(ClusterView.Status.NOT_CITUS, v.status());
        assertFalse(v.isCitus());
        assertFalse(v.routingEnabled());
        assertFalse(v.isStale());
        assertEquals(0, lagMeasurements.get());
    }

    @Test
    void citusInstalledLaterIsPickedUpWithAVersionAboveEveryEarlierOne() {
        ClusterTopology t = started();
        source.tenants = Map.of();
        clock.advance(Duration.ofSeconds(30));
        assertEquals(2, t.current().version());
        source.citus = false;
        clock.advance(Duration.ofSeconds(30));
        assertEquals(ClusterView.Status.NOT_CITUS, t.current().status());
        source.citus = true;
        clock.advance(Duration.ofSeconds(30));
        assertEquals(3, t.current().version());
    }

    @Test
    void awaitFirstLoadIsBoundedByTheInitialLoadTimeout() {
        settings = settings.withInitialLoadTimeout(Duration.ofMillis(50));
        ClusterTopology t = topology();
        t.start(); // the fake scheduler never runs it: the read "hangs"
        long t0 = System.nanoTime();
        ClusterView v = t.awaitFirstLoad();
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(ClusterView.Status.LOADING, v.status());
        assertFalse(v.routingEnabled());
        assertTrue(waitedMs >= 40 && waitedMs < 2000, "waited " + waitedMs + " ms");
    }

    @Test
    void awaitFirstLoadReturnsAtOnceOnceLoadedAndAfterAFailedFirstRead() {
        source.failure = new SQLException("refused", "08001");
        settings = settings.withInitialLoadTimeout(Duration.ofSeconds(60));
        ClusterTopology t = started();
        long t0 = System.nanoTime();
        assertEquals(ClusterView.Status.UNREACHABLE, t.awaitFirstLoad().status());
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);
    }

    @Test
    void addressesPassThroughTheTranslatorOnce() {
        AtomicInteger calls = new AtomicInteger();
        settings = settings.withAddressTranslator(a -> {
            calls.incrementAndGet();
            return a.port() == 9711 ? new NodeAddress("bouncer", 6432) : a;
        });
        ClusterTopology t = started();
        ClusterView v = t.current();
        Node standby = v.topology().node(3).orElseThrow();
        assertEquals(new NodeAddress("bouncer", 6432), v.dialAddress(standby));
        assertEquals(new NodeAddress("10.0.0.2", 9701), v.dialAddress(v.topology().node(2).orElseThrow()));
        assertEquals(new NodeAddress("10.0.0.3", 9711), standby.address(), "the topology keeps registered addresses");
        clock.advance(Duration.ofSeconds(30));
        assertEquals(3, calls.get(), "an unchanged snapshot is not translated again");
    }

    @Test
    void lagIsRemeasuredWhenTheCatalogReadFailsAndUpdatesTheView() {
        ClusterTopology t = started();
        source.failure = new SQLException("down", "08006");
        lags = Map.of(3, 5_000_000L);
        clock.advance(Duration.ofSeconds(30));
        Node standby = t.current().topology().node(3).orElseThrow();
        assertFalse(t.current().isLagWithin(standby, 1_000_000));
        lags = Map.of(3, 0L);
        clock.advance(Duration.ofSeconds(1)); // first retry after a failure
        assertTrue(t.current().isLagWithin(standby, 0));
    }

    @Test
    void closeStopsRefreshingAndClosesTheSource() {
        ClusterTopology t = started();
        t.close();
        assertTrue(source.closed);
        clock.advance(Duration.ofMinutes(5));
        assertEquals(1, source.reads.get());
        assertFalse(t.requestEarlyRefresh("after close"));
    }
}
