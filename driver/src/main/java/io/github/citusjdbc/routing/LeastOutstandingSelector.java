package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the candidate with the fewest units of work in flight from this JVM (counted through
 * {@link #acquired}/{@link #released}, which the router calls); ties are broken in turn, so idle
 * candidates share work evenly. Counts are kept per registered address. Thread-safe; no
 * allocation once every node has been seen.
 */
public final class LeastOutstandingSelector implements LoadAwareSelector {

    private final ConcurrentHashMap<NodeAddress, AtomicInteger> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger tieBreak = new AtomicInteger();

    @Override
    public Node select(List<Node> candidates) {
        int size = candidates.size();
        if (size == 1) {
            return candidates.get(0);
        }
        int start = Math.floorMod(tieBreak.getAndIncrement(), size);
        Node best = null;
        int bestCount = Integer.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            Node n = candidates.get((start + i) % size);
            int c = outstanding(n);
            if (c < bestCount) {
                best = n;
                bestCount = c;
            }
        }
        return best;
    }

    @Override
    public void acquired(Node node) {
        outstanding.computeIfAbsent(node.address(), a -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void released(Node node) {
        AtomicInteger c = outstanding.get(node.address());
        if (c != null) {
            c.updateAndGet(v -> v > 0 ? v - 1 : 0); // never negative, even after an unpaired release
        }
    }

    /**
     * @param node a node
     * @return its units of work in flight
     */
    public int outstanding(Node node) {
        AtomicInteger c = outstanding.get(node.address());
        return c == null ? 0 : c.get();
    }

    @Override
    public String toString() {
        return "leastOutstanding";
    }
}
