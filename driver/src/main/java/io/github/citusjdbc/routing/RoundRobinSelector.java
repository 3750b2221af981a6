package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeSelector;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes the candidates in turn (one counter shared by all candidate lists, so the spread is even
 * per list only when lists do not interleave much; good enough for the few secondaries of a
 * group). The default selector. Thread-safe, lock-free, no allocation.
 */
public final class RoundRobinSelector implements NodeSelector {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Node select(List<Node> candidates) {
        int size = candidates.size();
        return size == 1 ? candidates.get(0) : candidates.get(Math.floorMod(next.getAndIncrement(), size));
    }

    @Override
    public String toString() {
        return "roundRobin";
    }
}
