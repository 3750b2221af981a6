package io.github.citusjdbc.spi;

/**
 * Receives every new topology snapshot the driver publishes, e.g. for metrics or logging.
 *
 * <p>Called on the driver's refresh thread after the new snapshot is in use, once per change,
 * in version order. Implementations must be thread-safe and return quickly; an exception thrown
 * by a listener is logged and otherwise ignored.
 */
@FunctionalInterface
public interface TopologyListener {
    /**
     * Called when the topology changed.
     *
     * @param previous the snapshot replaced, {@link Topology#empty()} before the first one
     * @param current  the snapshot now in use
     */
    void topologyChanged(Topology previous, Topology current);
}
