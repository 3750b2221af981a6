package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sharing and lifetime of cluster holders in {@link TopologyRegistry}, on a fake clock. */
class TopologyRegistryTest {

    private final ManualClock clock = new ManualClock();
    private final List<FakeSource> sources = new ArrayList<>();
    private final TopologyRegistry registry = new TopologyRegistry(clock, clock);
    private final TopologySettings settings = TopologySettings.defaults()
            .withInitialLoadTimeout(Duration.ofMillis(1)).withIdleTimeout(Duration.ofMinutes(5));
    private final TopologyRegistry.Factory factory = (key, s, ticker, scheduler) -> {
        FakeSource src = new FakeSource();
        sources.add(src);
        return new ClusterTopology(key.toString(), s, src, LagMeasurer.none(), ticker, scheduler);
    };

    private static ClusterKey key(String db) {
        return new ClusterKey(List.of(NodeAddress.parse("h1:5432"), NodeAddress.parse("h2:5432")), db, "app", "default");
    }

    @Test
    void everyLeaseOnAnEqualKeySharesOneHolder() {
        try (TopologyRegistry.Lease a = registry.acquire(key("db"), settings, factory);
             TopologyRegistry.Lease b = registry.acquire(key("db"), settings, factory);
             TopologyRegistry.Lease c = registry.acquire(key("other"), settings, factory)) {
            assertSame(a.topology(), b.topology());
            assertNotSame(a.topology(), c.topology());
            assertEquals(2, sources.size());
            clock.runDue();
            assertEquals(1, sources.get(0).reads.get(), "one read serves every lease of the cluster");
            assertSame(a.current(), b.current());
        }
    }

    @Test
    void aLeasedClusterNeverExpiresAndAnIdleOneIsClosedAtItsNextRefresh() {
        TopologyRegistry.Lease a = registry.acquire(key("db"), settings, factory);
        clock.runDue();
        clock.advance(Duration.ofHours(2));
        registry.cleanUp();
        assertFalse(sources.get(0).closed);
        assertTrue(a.current().routingEnabled(), "refreshed all along");

        a.close();
        a.close(); // idempotent: must not release twice
        clock.advance(Duration.ofSeconds(10));
        assertFalse(sources.get(0).closed, "kept until its next refresh (every 30 s)");
        TopologyRegistry.Lease again = registry.acquire(key("db"), settings, factory);
        assertSame(a.topology(), again.topology(), "reacquired before its next refresh: no reload");
        assertEquals(1, sources.size());
        clock.advance(Duration.ofSeconds(30));
        assertFalse(sources.get(0).closed, "leased again: refreshed");
        again.close();

        int reads = sources.get(0).reads.get();
        clock.advance(Duration.ofSeconds(30));
        assertTrue(sources.get(0).closed, "closed at the first refresh without a lease");
        assertEquals(reads, sources.get(0).reads.get(), "closed instead of refreshed");
        assertEquals(0, registry.size());
        assertEquals(null, clock.nextDelay(), "nothing scheduled any more");
        clock.advance(Duration.ofMinutes(5));
        assertEquals(reads, sources.get(0).reads.get(), "a closed holder no longer refreshes");

        try (TopologyRegistry.Lease fresh = registry.acquire(key("db"), settings, factory)) {
            assertNotSame(a.topology(), fresh.topology());
            assertEquals(2, sources.size());
        }
    }

    @Test
    void theIdleTimeoutBoundsTheLifetimeOfAnIdleClusterWhenShorterThanTheInterval() {
        TopologySettings shortIdle = settings.withIdleTimeout(Duration.ofSeconds(5));
        TopologyRegistry.Lease a = registry.acquire(key("db"), shortIdle, factory);
        clock.runDue();
        a.close();
        clock.advance(Duration.ofSeconds(6));
        registry.cleanUp();
        assertTrue(sources.get(0).closed);
        assertEquals(0, registry.size());
    }

    @Test
    void closeIfUnusedClosesAnIdleClusterAtOnceAndALeasedOneAtItsLastRelease() {
        TopologyRegistry.Lease a = registry.acquire(key("db"), settings, factory);
        TopologyRegistry.Lease b = registry.acquire(key("db"), settings, factory);
        clock.runDue();
        a.close();
        assertFalse(registry.closeIfUnused(key("db")), "b still holds a lease");
        assertFalse(sources.get(0).closed);
        b.close();
        assertTrue(sources.get(0).closed, "the last lease returned after closeIfUnused: closed then, not at the next refresh");
        assertEquals(0, registry.size());
        assertFalse(registry.closeIfUnused(key("db")), "nothing left to close");
        TopologyRegistry.Lease c = registry.acquire(key("db"), settings, factory);
        assertNotSame(a.topology(), c.topology(), "a later lease registers the cluster anew");
        clock.runDue();
        c.close();
        assertFalse(sources.get(1).closed, "without closeIfUnused an idle cluster stays until its next refresh");
        assertTrue(registry.closeIfUnused(key("db")), "no lease left: closed now");
        assertTrue(sources.get(1).closed);
        assertEquals(0, registry.size());
    }

    @Test
    void closeAllClosesEveryHolderAndNewLeasesRegisterAnew() {
        TopologyRegistry.Lease a = registry.acquire(key("db"), settings, factory);
        clock.runDue();
        registry.closeAll();
        assertTrue(sources.get(0).closed);
        assertEquals(0, registry.size());
        a.close(); // harmless
        try (TopologyRegistry.Lease b = registry.acquire(key("db"), settings, factory)) {
            assertNotSame(a.topology(), b.topology());
        }
    }

    @Test
    void keysCarryNoSecretAndTellTheClusterName() {
        ClusterKey k = new ClusterKey(List.of(NodeAddress.parse("h1:5432")), "db", "app", "analytics");
        assertEquals("app@h1:5432/db[cluster=analytics]", k.toString());
        assertEquals("app@h1:5432/db", key("db").toString().replace(",h2:5432", ""));
    }
}
