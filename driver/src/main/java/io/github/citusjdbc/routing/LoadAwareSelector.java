package io.github.citusjdbc.routing;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeSelector;

/**
 * A {@link NodeSelector} that wants to know how much work each node carries: the router calls
 * {@link #acquired} when a unit of work starts on a node it routed, and {@link #released} when that
 * unit ends, exactly once each. Implementations must be thread-safe and must not block.
 */
public interface LoadAwareSelector extends NodeSelector {
    /** @param node the node a unit of work was routed to and starts on */
    void acquired(Node node);

    /** @param node the node of a unit of work that ended (committed, rolled back or failed) */
    void released(Node node);
}
