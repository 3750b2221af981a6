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
    void aLeasedClusterNeverExpiresAndAnIdleOneIsClosedAfterTheIdleTimeout() {
        TopologyRegistry.Lease a = registry.acquire(key("db"), settings, factory);
        clock.runDue();
        clock.advance(Duration.ofHours(2));
        registry.cleanUp();
        assertFalse(sources.get(0).closed);
        assertTrue(a.current().routingEnabled(), "refreshed all along");

        a.close();
        a.close(); // idempotent: must not release twice
        clock.advance(Duration.ofMinutes(4));
        registry.cleanUp();
        assertFalse(sources.get(0).closed, "kept during the idle timeout");
        TopologyRegistry.Lease again = registry.acquire(key("db"), settings, factory);
        assertSame(a.topology(), again.topology(), "reacquired within the idle timeout: no reload");
        assertEquals(1, sources.size());
        again.close();

        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        registry.cleanUp();
        assertTrue(sources.get(0).closed);
        assertEquals(0, registry.size());
        int reads = sources.get(0).reads.get();
        clock.advance(Duration.ofMinutes(5));
        assertEquals(reads, sources.get(0).reads.get(), "a closed holder no longer refreshes");

        try (TopologyRegistry.Lease fresh = registry.acquire(key("db"), settings, factory)) {
            assertNotSame(a.topology(), fresh.topology());
            assertEquals(2, sources.size());
        }
    }

    @Test
    void keysCarryNoSecretAndTellTheClusterName() {
        ClusterKey k = new ClusterKey(List.of(NodeAddress.parse("h1:5432")), "db", "app", "analytics");
        assertEquals("app@h1:5432/db[cluster=analytics]", k.toString());
        assertEquals("app@h1:5432/db", key("db").toString().replace(",h2:5432", ""));
    }
}
