package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {

    private static final Node A = FakeView.secondary(1, 1, "a");
    private static final Node B = FakeView.secondary(2, 1, "b");
    private static final Node C = FakeView.secondary(3, 1, "c");
    private static final List<Node> ABC = List.of(A, B, C);

    private static Map<Node, Integer> spread(io.github.citusjdbc.spi.NodeSelector s, int n) {
        Map<Node, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(s.select(ABC), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void roundRobinIsExactlyEven() {
        Map<Node, Integer> c = spread(new RoundRobinSelector(), 3000);
        assertEquals(Map.of(A, 1000, B, 1000, C, 1000), c);
    }

    @Test
    void randomIsRoughlyEven() {
        Map<Node, Integer> c = spread(new RandomSelector(), 30_000);
        for (Node n : ABC) {
            assertTrue(c.get(n) > 9000 && c.get(n) < 11000, c.toString());
        }
    }

    @Test
    void singleCandidateIsReturnedAsIs() {
        assertSame(A, new RoundRobinSelector().select(List.of(A)));
        assertSame(A, new RandomSelector().select(List.of(A)));
        assertSame(A, new LeastOutstandingSelector().select(List.of(A)));
    }

    @Test
    void leastOutstandingPrefersTheLeastBusyAndSharesTies() {
        LeastOutstandingSelector s = new LeastOutstandingSelector();
        s.acquired(A);
        s.acquired(A);
        s.acquired(B);
        assertSame(C, s.select(ABC));
        s.acquired(C);
        assertSame(B, s.select(List.of(A, B)));
        s.released(A);
        s.released(A);
        s.released(A); // unpaired: never below zero
        assertEquals(0, s.outstanding(A));
        Map<Node, Integer> idle = new HashMap<>();
        LeastOutstandingSelector fresh = new LeastOutstandingSelector();
        for (int i = 0; i < 300; i++) {
            idle.merge(fresh.select(ABC), 1, Integer::sum);
        }
        assertEquals(Map.of(A, 100, B, 100, C, 100), idle, "ties rotate");
    }

    @Test
    void leastOutstandingBalancesInFlightWork() {
        LeastOutstandingSelector s = new LeastOutstandingSelector();
        for (int i = 0; i < 30; i++) {
            s.acquired(s.select(ABC)); // nothing released: work piles up evenly
        }
        assertEquals(10, s.outstanding(A));
        assertEquals(10, s.outstanding(B));
        assertEquals(10, s.outstanding(C));
    }
}
