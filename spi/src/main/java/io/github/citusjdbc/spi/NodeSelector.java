package io.github.citusjdbc.spi;

import java.util.List;

/**
 * Chooses one node among equally suitable candidates, for example among the active secondaries
 * of a group for a read-only transaction.
 *
 * <p>Implementations must be thread-safe and must not block: the driver calls them on the
 * application thread when it routes a unit of work.
 */
@FunctionalInterface
public interface NodeSelector {
    /**
     * Chooses a node.
     *
     * @param candidates the suitable nodes, never empty, in no particular order; must not be modified
     * @return one element of {@code candidates}
     */
    Node select(List<Node> candidates);
}
