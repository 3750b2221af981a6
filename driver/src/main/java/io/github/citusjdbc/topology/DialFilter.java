package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.NodeAddress;

/**
 * Which addresses the driver may connect to, and so send credentials to ({@code allowedHosts}).
 * Implementations are immutable, thread-safe, and compare equal when they allow the same addresses
 * (they are part of a {@link ClusterKey}).
 */
@FunctionalInterface
public interface DialFilter {
    /**
     * @param dialled an address the driver would connect to (after the address translation)
     * @return whether it may
     */
    boolean allows(NodeAddress dialled);
}
