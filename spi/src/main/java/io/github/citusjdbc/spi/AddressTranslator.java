package io.github.citusjdbc.spi;

/**
 * Maps the address of a node as registered in Citus's catalog to the address the client must
 * connect to, e.g. a name that only resolves inside the cluster's network to a public name, or
 * a node to the PgBouncer in front of it.
 *
 * <p>Implementations must be thread-safe, must not block, and should be pure functions: the
 * driver may cache the result per topology snapshot.
 */
@FunctionalInterface
public interface AddressTranslator {
    /**
     * Translates an address.
     *
     * @param registered the address as registered in {@code pg_dist_node}
     * @return the address to connect to; {@code registered} itself when there is no mapping
     */
    NodeAddress translate(NodeAddress registered);

    /** @return the translator that returns every address unchanged */
    static AddressTranslator identity() {
        return registered -> registered;
    }
}
