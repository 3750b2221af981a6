package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.topology.TopologyRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Predicate;

/** What the server says about the node that ran a statement, and helpers shared by the routing tests. */
record Served(int port, boolean inRecovery) {

    static final String WHERE = "SELECT inet_server_port(), pg_is_in_recovery()";

    /**
     * Runs {@code extra} (e.g. a tenant table read), then {@link #WHERE} as a statement of its own in the
     * same unit of work: an autocommit connection gets a transaction around the two. One statement
     * would not do: Citus pushes a query that reads a distributed table down to the worker holding
     * the shard, and {@code inet_server_port()} in it would name that worker, not the node the
     * driver connected to.
     */
    static Served by(Connection c, String extra) throws SQLException {
        if (extra == null) {
            return ask(c);
        }
        boolean autoCommit = c.getAutoCommit();
        if (!autoCommit) {
            runExtra(c, extra);
            return ask(c);
        }
        c.setAutoCommit(false);
        try {
            runExtra(c, extra);
            Served served = ask(c);
            c.commit();
            return served;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void runExtra(Connection c, String extra) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(extra)) {
            assertTrue(rs.next());
        }
    }

    private static Served ask(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(WHERE)) {
            assertTrue(rs.next());
            return new Served(rs.getInt(1), rs.getBoolean(2));
        }
    }

    static Served by(Connection c) throws SQLException {
        return by(c, null);
    }

    static void assertServedBy(ClusterNode expected, Served actual) {
        assertEquals(expected.port(), actual.port(), "served by " + expected.name() + " (" + expected.port() + "), not "
                + actual.port());
        assertEquals(expected.isStandby(), actual.inRecovery(), expected.name() + " in recovery");
    }

    static Properties app(LocalCluster c) {
        Properties p = new Properties();
        p.setProperty("user", c.user());
        p.setProperty("password", c.password());
        return p;
    }

    static String url(LocalCluster c, String query) {
        return "jdbc:citus://" + c.coordinator().address() + "/" + c.database() + (query == null ? "" : "?" + query);
    }

    /**
     * Waits (asking for early refreshes) until the JVM's shared topology of the URL's cluster satisfies
     * {@code check}: other test classes may have registered the cluster with a long refresh interval.
     */
    static void awaitTopology(String url, Properties p, Predicate<io.github.citusjdbc.topology.ClusterView> check,
                              String what) throws SQLException {
        DriverConfig config = DriverConfig.parse(url, p);
        try (TopologyRegistry.Lease lease = TopologyRegistry.shared().acquire(config.cluster(), config.topology(),
                config.pgjdbcProperties())) {
            LocalCluster.waitUntil(() -> {
                if (check.test(lease.current())) {
                    return true;
                }
                lease.requestEarlyRefresh("test waits for " + what);
                return false;
            }, Duration.ofSeconds(30), what);
        }
    }

    /**
     * Creates a tenant with a random name on worker 1 of the shared cluster, waits until its standby
     * (and the coordinator's) replayed it and the JVM's topology knows it.
     *
     * @param prefix the name's prefix
     * @param ddl    the tenant's tables and rows
     * @return the tenant's name
     */
    static String tenantOnWorker1(String prefix, String... ddl) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        ClusterNode worker1 = c.worker(1);
        String tenant = prefix + java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
        c.citus().createTenant(tenant, worker1, java.util.List.of(ddl), c.user());
        c.waitForReplay(worker1, c.standbyOf(worker1));
        c.waitForReplay(c.coordinator(), c.standbyOf(c.coordinator()));
        awaitTenants(url(c, null), app(c), tenant);
        return tenant;
    }

    static void awaitTenants(String url, Properties p, String... tenants) throws SQLException {
        awaitTopology(url, p, v -> {
            for (String t : tenants) {
                if (v.topology().groupOfTenant(t).isEmpty()) {
                    return false;
                }
            }
            return v.routingEnabled();
        }, "tenants in the topology");
    }
}
