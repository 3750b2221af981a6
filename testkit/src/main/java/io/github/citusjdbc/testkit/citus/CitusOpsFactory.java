package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Picks the {@link CitusOps} for a cluster: {@link RealCitus} when the coordinator's PostgreSQL
 * offers the {@code citus} extension ({@code pg_available_extensions}), otherwise the
 * {@link EmulatedCitus Citus emulation}.
 */
public final class CitusOpsFactory {
    private CitusOpsFactory() {
    }

    /**
     * The roles the implementations need.
     *
     * @param adminUser     a superuser (the kit's admin role); the emulation's postgres_fdw mappings use it
     * @param adminPassword its password
     * @param appUser       the non-superuser application role; it gets its own postgres_fdw user mappings
     * @param appPassword   its password (postgres_fdw needs it for a non-superuser)
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
     * Decides at {@link CitusOps#install install} time (the first primary is the coordinator asked),
     * for a cluster the kit builds itself. Calls other than {@code describe}/{@code install} before
     * install fail: for a cluster set up earlier use {@link #detect(AdminConnector, ClusterNode, Credentials)}.
     *
     * @throws SQLException never today; declared so that callers need not change when detection moves here
     */
    public static CitusOps detect(AdminConnector admin, Credentials credentials) throws SQLException {
        return new DeferredCitusOps(admin, credentials);
    }

    /**
     * Decides now by asking {@code coordinator}. Use this for a cluster that is already set up
     * (real Citus, or the emulation installed by another kit): the result works without
     * {@code install}, discovering nodes from {@code pg_dist_node}.
     */
    public static CitusOps detect(AdminConnector admin, ClusterNode coordinator, Credentials credentials) throws SQLException {
        try (Connection c = admin.open(coordinator)) {
            return create(admin, coordinator, credentials, citusAvailable(c));
        }
    }

    static CitusOps create(AdminConnector admin, ClusterNode coordinator, Credentials credentials, boolean realCitus) {
        return realCitus ? new RealCitus(admin, coordinator, credentials) : new EmulatedCitus(admin, coordinator, credentials);
    }

    /** @return whether the server can {@code CREATE EXTENSION citus} */
    static boolean citusAvailable(Connection c) throws SQLException {
        if (io.github.citusjdbc.testkit.LocalCluster.emulationForced()) {
            return false;
        }
        return Sql.longValue(c, "SELECT count(*) FROM pg_available_extensions WHERE name = 'citus'") > 0;
    }
}
