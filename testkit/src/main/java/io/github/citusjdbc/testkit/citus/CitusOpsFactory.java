package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Makes the {@link CitusOps} of a cluster: always {@link RealCitus}. A server without the
 * {@code citus} extension is refused with a message that says how to install it.
 */
public final class CitusOpsFactory {
    private CitusOpsFactory() {
    }

    /**
     * The roles the implementations need.
     *
     * @param adminUser     a superuser (the kit's admin role)
     * @param adminPassword its password
     * @param appUser       the non-superuser application role
     * @param appPassword   its password
     * @param database      the cluster's database, the same on every node
     */
    public record Credentials(String adminUser, String adminPassword, String appUser, String appPassword, String database) {
        public Credentials {
            Objects.requireNonNull(adminUser, "adminUser");
            Objects.requireNonNull(adminPassword, "adminPassword");
            Objects.requireNonNull(appUser, "appUser");
            Objects.requireNonNull(appPassword, "appPassword");
            Objects.requireNonNull(database, "database");
        }

        @Override
        public String toString() {
            // Never print passwords.
            return "Credentials[admin=" + adminUser + ", app=" + appUser + ", database=" + database + "]";
        }
    }

    /**
     * For a cluster that is already set up: the result works without {@code install}, discovering
     * nodes from {@code pg_dist_node}.
     *
     * @throws SQLException when the coordinator cannot be asked, or has no Citus
     */
    public static CitusOps detect(AdminConnector admin, ClusterNode coordinator, Credentials credentials) throws SQLException {
        try (Connection c = admin.open(coordinator)) {
            if (Sql.longValue(c, "SELECT count(*) FROM pg_extension WHERE extname = 'citus'") == 0) {
                throw new SQLException("no Citus at " + coordinator.address() + ": the citus extension is not created in "
                        + c.getCatalog(), "55000");
            }
        }
        return new RealCitus(admin, coordinator, credentials);
    }
}
