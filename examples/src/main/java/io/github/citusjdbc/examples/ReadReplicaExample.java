package io.github.citusjdbc.examples;

import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.CitusTenantAdmin;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Example (c): read-only transactions with plain JDBC ({@code setReadOnly(true)}, the call Spring's
 * {@code @Transactional(readOnly = true)} makes), printing where each one ran as the server reports
 * it. Whether a read-only transaction reaches a standby is the driver's routing decision; this
 * example does not fake it: it prints the node that actually answered, and for contrast reads the
 * coordinator's standby through its own URL.
 */
public final class ReadReplicaExample {
    static final String TENANT = "replica_demo";

    private ReadReplicaExample() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            run(cluster, System.out);
        }
    }

    static void run(LocalCluster cluster, PrintStream out) throws SQLException {
        CitusDataSource ds = dataSource(cluster, cluster.coordinator());
        CitusTenantAdmin admin = CitusTenantAdmin.of(ds);
        if (admin.tenants().contains(TENANT)) {
            admin.dropTenant(TENANT);
        }
        admin.createTenant(TENANT, "CREATE TABLE readings (id bigint PRIMARY KEY, value double precision)");
        out.println("== read replicas ==");
        try (Connection c = ds.getConnection()) {
            c.setSchema(TENANT);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO readings SELECT g, g * 1.5 FROM generate_series(1, 10) g");
            }
            out.println("write                       served by " + Served.by(cluster, c));
            // Standbys replay asynchronously: a read-only unit right after a write may not see it yet.
            for (ClusterNode standby : cluster.standbyNodes()) {
                cluster.waitForReplay(cluster.node(standby.primaryName()), standby);
            }

            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM readings")) {
                rs.next();
                // Asked in a statement of its own in the same transaction: inside the query on readings,
                // which Citus pushes down, inet_server_port() would name the worker that ran it.
                String where = Served.by(cluster, c);
                out.printf("read-only transaction       %d rows, served by %s%s%n", rs.getInt(1), where,
                        where.endsWith("[standby]") ? "" : "  (not routed to a standby: the driver decides that)");
            }
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO readings VALUES (99, 0)");
                out.println("write in a read-only transaction: accepted?!");
            } catch (SQLException e) {
                out.println("write in a read-only transaction refused: SQLState " + e.getSQLState());
            }
            c.rollback();
            c.setReadOnly(false);
            c.setAutoCommit(true);
        }
        ClusterNode standby = cluster.standbyOf(cluster.coordinator());
        if (standby != null) {
            cluster.waitForReplay(cluster.coordinator(), standby);
            CitusDataSource direct = dataSource(cluster, standby);
            // This node only (no routing), for contrast with the routed read above.
            direct.setUrl(Served.citus(cluster.jdbcUrl(standby)) + "?readRouting=primary");
            try (Connection c = direct.getConnection()) {
                c.setSchema(TENANT);
                c.setReadOnly(true);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM readings")) {
                    rs.next();
                    out.printf("standby URL, read-only      %d rows, served by %s%n", rs.getInt(1), Served.by(cluster, c));
                }
            }
        }
        admin.dropTenant(TENANT);
        out.println("== read replicas done ==");
    }

    static CitusDataSource dataSource(LocalCluster cluster, ClusterNode node) {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl(Served.citus(cluster.jdbcUrl(node)));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        return ds;
    }
}
