package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Topology;
import java.util.Objects;

/**
 * The outcome of one read of the Citus catalogs: either the cluster's topology, or the finding
 * that the server has no Citus catalogs at all (plain PostgreSQL), in which case the driver
 * switches routing off.
 */
public sealed interface CatalogRead {

    /**
     * A Citus cluster.
     *
     * @param topology         the snapshot read
     * @param tenantsSupported false on Citus before 12 (no {@code pg_dist_schema}): node-level
     *                         topology only, no tenants
     * @param fromStandby      true when the metadata was read on a server in recovery (a standby)
     */
    record Citus(Topology topology, boolean tenantsSupported, boolean fromStandby) implements CatalogRead {
        /** @throws NullPointerException if {@code topology} is null */
        public Citus {
            Objects.requireNonNull(topology, "topology");
        }
    }

    /**
     * A server without {@code pg_catalog.pg_dist_node}: not Citus.
     *
     * @param fromStandby true when the server answering is in recovery
     */
    record NotCitus(boolean fromStandby) implements CatalogRead {
    }
}
