package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.Topology;
import java.util.Map;

/**
 * Measures the replication lag of the active secondaries of a topology; the production
 * implementation is {@link ReplicationLagProbe}. Called from one refresh at a time.
 */
@FunctionalInterface
public interface LagMeasurer {
    /**
     * @param topology      the snapshot whose active secondaries to measure
     * @param dialAddresses node id → address to connect to
     * @return node id → lag in bytes, for every secondary that could be measured; a secondary
     *         missing from the map has an unknown lag
     */
    Map<Integer, Long> measure(Topology topology, Map<Integer, NodeAddress> dialAddresses);

    /** @return a measurer that measures nothing (every lag unknown) */
    static LagMeasurer none() {
        return (topology, dial) -> Map.of();
    }
}
