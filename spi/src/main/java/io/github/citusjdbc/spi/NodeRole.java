package io.github.citusjdbc.spi;

import java.util.Locale;

/**
 * The role of a node as Citus records it in {@code pg_dist_node.noderole}.
 */
public enum NodeRole {
    /** A writable node: the coordinator or a worker primary. Each group has exactly one. */
    PRIMARY,
    /** A hot standby of the primary of the same group; serves reads only. */
    SECONDARY,
    /** A node Citus knows but that must not be used. */
    UNAVAILABLE;

    /**
     * Maps the catalog text ({@code primary}, {@code secondary}, {@code unavailable}) to a role.
     *
     * @param catalogValue the value of {@code pg_dist_node.noderole}, in any case
     * @return the role
     * @throws NullPointerException     if {@code catalogValue} is null
     * @throws IllegalArgumentException if the value is none of the three
     */
    public static NodeRole fromCatalog(String catalogValue) {
        return valueOf(catalogValue.toUpperCase(Locale.ROOT));
    }
}
