package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Back-off and recovery, on a fake clock: nothing sleeps. */
class NodeHealthTest {

    private static final NodeAddress N = new NodeAddress("w1", 5432);
    private final FakeTicker ticker = new FakeTicker();
    private final NodeHealth health = new NodeHealth(Duration.ofMillis(500), Duration.ofSeconds(30), ticker);

    @Test
    void backOffDoublesPerConsecutiveFailureUpToTheCap() {
        long[] expectedMillis = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (long millis : expectedMillis) {
            assertEquals(Duration.ofMillis(millis), health.markDown(N, "refused"));
        }
        assertEquals(8, health.failures(N));
        for (int i = 0; i < 100; i++) {
            health.markDown(N, "refused");
        }
        assertEquals(Duration.ofSeconds(30), health.markDown(N, "no overflow after many failures"));
    }

    @Test
    void aNodeRecoversByItselfWhenItsBackOffExpires() {
        assertEquals(NodeHealth.State.UP, health.state(N));
        assertFalse(health.anyDown());
        health.markDown(N, "refused");
        assertTrue(health.anyDown());
        assertEquals(NodeHealth.State.DOWN, health.state(N));
        ticker.advance(Duration.ofMillis(499));
        assertEquals(NodeHealth.State.DOWN, health.state(N));
        ticker.advance(Duration.ofMillis(1));
        assertEquals(NodeHealth.State.PROBE_DUE, health.state(N));
        assertTrue(health.tryClaimProbe(N));
        assertFalse(health.tryClaimProbe(N), "one probe at a time");
        assertEquals(NodeHealth.State.DOWN, health.state(N));
        health.markUp(N);
        assertEquals(NodeHealth.State.UP, health.state(N));
        assertFalse(health.anyDown());
        assertEquals(0, health.failures(N));
        assertEquals(Duration.ofMillis(500), health.markDown(N, "fresh start after recovery"));
    }

    @Test
    void aProbeThatNeverReportsExpiresLikeABackOff() {
        health.markDown(N, "refused");
        ticker.advance(Duration.ofMillis(500));
        assertTrue(health.tryClaimProbe(N));
        ticker.advance(Duration.ofMillis(500));
        assertEquals(NodeHealth.State.PROBE_DUE, health.state(N));
        assertTrue(health.tryClaimProbe(N));
    }

    @Test
    void otherNodesAreUnaffected() {
        health.markDown(N, "refused");
        assertTrue(health.isUp(new NodeAddress("w1", 5433)));
        assertFalse(health.tryClaimProbe(new NodeAddress("w2", 5432)));
        health.markUp(new NodeAddress("w2", 5432));
        assertEquals(1, health.failures(N));
    }

    @Test
    void badBackOffIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new NodeHealth(Duration.ZERO, Duration.ofSeconds(1), ticker));
        assertThrows(IllegalArgumentException.class,
                () -> new NodeHealth(Duration.ofSeconds(2), Duration.ofSeconds(1), ticker));
    }

    @Test
    void aRecoveryIsReportedOnceWhenANodeMarkedDownServesAgain() {
        java.util.concurrent.atomic.AtomicInteger recoveries = new java.util.concurrent.atomic.AtomicInteger();
        health.onRecovery(recoveries::incrementAndGet);
        health.markUp(N);
        assertEquals(0, recoveries.get(), "a node that was never down does not recover");
        health.markDown(N, "refused");
        health.markDown(N, "refused again");
        health.markUp(N);
        health.markUp(N);
        assertEquals(1, recoveries.get());
    }
}
