package io.github.citusjdbc.conformance;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.SQLException;

/** The test kit's coordinator, directly and through its PgBouncer (transaction pooling). */
final class Targets {

    private Targets() {
    }

    static Target coordinator() {
        LocalCluster cluster = LocalCluster.shared();
        return new Target(cluster.jdbcUrl(cluster.coordinator()), cluster.user(), cluster.password());
    }

    /** @return a new superuser connection straight to the coordinator (for set-up only) */
    static Connection coordinatorAdmin() throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        return cluster.admin(cluster.coordinator());
    }

    static Target coordinatorBouncer() {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode coordinator = cluster.coordinator();
        return new Target(cluster.bouncerJdbcUrl(coordinator), cluster.user(), cluster.password());
    }
}
