package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeSelector;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Picks a candidate uniformly at random. Thread-safe, no shared state, no allocation. */
public final class RandomSelector implements NodeSelector {

    @Override
    public Node select(List<Node> candidates) {
        int size = candidates.size();
        return size == 1 ? candidates.get(0) : candidates.get(ThreadLocalRandom.current().nextInt(size));
    }

    @Override
    public String toString() {
        return "random";
    }
}
