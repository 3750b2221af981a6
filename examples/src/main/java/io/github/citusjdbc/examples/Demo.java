package io.github.citusjdbc.examples;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;

import java.io.PrintStream;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The main job of the README: starts a local multi-node cluster, creates a few tenants, and shows
 * for each step which node served it, proven server-side with {@code inet_server_port()} and
 * {@code pg_is_in_recovery()} asked in a statement of their own in the same unit of work.
 */
public final class Demo {
    private final LocalCluster cluster;
    private final PrintStream out;
    private final Map<Integer, String> nodeByPort = new TreeMap<>();

    Demo(LocalCluster cluster, PrintStream out) {
        this.cluster = cluster;
        this.out = out;
        for (ClusterNode n : cluster.nodes()) {
            nodeByPort.put(n.port(), n.name());
        }
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            new Demo(cluster, System.out).run();
        }
    }

    /** Runs every step; returns the lines that name the serving node, for tests. */
    void run() throws SQLException {
        ClusterNode coord = cluster.coordinator();
        String url = "jdbc:citus://" + coord.host() + ":" + coord.port() + "/" + cluster.database();
        out.println();
        out.println("== citus-jdbc demo ==");
        out.println("cluster: " + cluster.citus().describe());
        out.println("driver URL: " + url);

        out.println();
        out.println("-- pg_dist_node, read through the driver --");
        try (Connection c = connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT nodeid, groupid, nodename, nodeport, noderole, isactive"
                     + " FROM pg_dist_node ORDER BY groupid, noderole, nodeid")) {
            out.printf("%-6s %-7s %-22s %-9s %-6s  %s%n", "nodeid", "groupid", "address", "role", "active", "kit name");
            while (rs.next()) {
                out.printf("%-6d %-7d %-22s %-9s %-6s  %s%n", rs.getInt(1), rs.getInt(2),
                        rs.getString(3) + ":" + rs.getInt(4), rs.getString(5), rs.getBoolean(6),
                        nodeByPort.getOrDefault(rs.getInt(4), "?"));
            }
        }

        List<String> tenants = List.of("tenant_acme", "tenant_globex", "tenant_initech");
        out.println();
        out.println("-- creating tenants (distributed schemas) --");
        List<ClusterNode> workers = cluster.workers();
        for (int i = 0; i < tenants.size(); i++) {
            ClusterNode holder = workers.get(i % workers.size());
            cluster.citus().createTenant(tenants.get(i), holder,
                    List.of("CREATE TABLE orders (id bigint PRIMARY KEY, item text NOT NULL)"), cluster.user());
            out.printf("%-15s stored on %s (group %d)%n", tenants.get(i), holder.name(), holder.groupId());
        }

        awaitTopologyWith(url, tenants);

        out.println();
        out.println("-- per-tenant writes and reads, tenant pinned with setSchema (default: the coordinator forwards) --");
        try (Connection c = connect(url, "")) {
            for (String tenant : tenants) {
                c.setSchema(tenant);
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
                    ins.setLong(1, 1);
                    ins.setString(2, "first order of " + tenant);
                    ins.executeUpdate();
                }
                readOrders(c, tenant, "read");
            }
        }

        out.println();
        out.println("-- the same with tenantRouting=affinity: straight to the worker holding the tenant --");
        try (Connection c = connect(url, "&tenantRouting=affinity")) {
            for (String tenant : tenants) {
                c.setSchema(tenant);
                readOrders(c, tenant, "read");
            }
        }

        for (ClusterNode primary : cluster.primaryNodes()) {
            for (ClusterNode standby : cluster.standbyNodes()) {
                if (primary.name().equals(standby.primaryName())) {
                    cluster.waitForReplay(primary, standby); // standbys lag a little: let them catch up for the demo
                }
            }
        }
        out.println();
        out.println("-- read-only transactions (setReadOnly(true)): a secondary of the tenant's group, else the coordinator's --");
        try (Connection c = connect(url, "")) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            for (String tenant : tenants) {
                c.setSchema(tenant);
                readOrders(c, tenant, "read-only");
                c.commit();
            }
            c.setSchema(null);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), inet_server_port(), pg_is_in_recovery() FROM pg_dist_node")) {
                rs.next();
                out.printf("%-15s %-9s %-32s served by %-28s (%s)%n", "(no tenant)", "read-only", rs.getInt(1) + " nodes in pg_dist_node",
                        served(rs.getInt(2), rs.getBoolean(3)), reason(c));
            }
            c.commit();
        }
        pinningBehindPgBouncer(tenants);
        readYourWritesAndMetrics(url, tenants.get(0));
        out.println();
        out.println("== demo done ==");
    }

    /**
     * {@code readYourWrites=tenant}: a read-only read on another connection right after a write sees
     * it (on the standby when it has replayed it, else on a primary, and the driver says which and
     * why); then what the driver counted for the cluster ({@link CitusMetrics}).
     */
    private void readYourWritesAndMetrics(String url, String tenant) throws SQLException {
        out.println();
        out.println("-- read-your-writes (readYourWrites=tenant): a read-only read right after a write sees it --");
        try (Connection w = connect(url, "&readYourWrites=tenant"); Connection r = connect(url, "&readYourWrites=tenant")) {
            w.setSchema(tenant);
            r.setSchema(tenant);
            r.setReadOnly(true);
            String value = "changed at " + System.nanoTime();
            try (PreparedStatement up = w.prepareStatement("UPDATE orders SET item = ? WHERE id = 1")) {
                up.setString(1, value);
                up.executeUpdate();
            }
            String seen;
            try (Statement s = r.createStatement(); ResultSet rs = s.executeQuery("SELECT item FROM orders WHERE id = 1")) {
                rs.next();
                seen = rs.getString(1);
            }
            ServedBy by = r.unwrap(CitusConnection.class).lastServedBy();
            out.printf("%-15s %-9s %-32s served by %-28s (route: %s%s)%n", tenant, "read-only",
                    seen.equals(value) ? "the write just made" : "A STALE VALUE", served(by.address().port(),
                            by.role() == io.github.citusjdbc.spi.NodeRole.SECONDARY), by.reason(),
                    by.fallbackCause() == null ? "" : "; " + by.fallbackCause());
            if (by.role() == io.github.citusjdbc.spi.NodeRole.SECONDARY) {
                out.println("(the driver checked that the standby had replayed the write before sending the read there)");
            } else {
                out.println("(the kit's servers run with synchronous_commit=off: a standby gets a write only once the WAL"
                        + " writer flushed it, so reads right after a write often go to a primary)");
            }
        }
        out.println();
        out.println("-- what the driver counted for this cluster (CitusMetrics; also JMX and Micrometer) --");
        try (Connection c = connect(url)) {
            CitusMetrics m = c.unwrap(CitusConnection.class).metrics();
            out.println("units by reason: " + m.getUnitsByReason());
            out.println("units by node:   " + m.getUnitsByNode());
            out.println("read-your-writes checks: " + m.getReadYourWritesChecks() + ", sent to a primary: "
                    + m.getReadYourWritesOnPrimary() + "; topology version " + m.getTopologyVersion() + ", last refresh "
                    + m.getLastRefreshMillis() + " ms");
        }
    }

    /**
     * Tenant pinning through the coordinator's PgBouncer (transaction pooling), every client turn
     * counted on the wire by the test kit's relay: each unit of work costs what raw pgjdbc's would.
     */
    private void pinningBehindPgBouncer(List<String> tenants) throws SQLException {
        out.println();
        out.println("-- tenant pinning behind PgBouncer (transaction pooling), round trips counted on the wire --");
        ClusterNode coord = cluster.coordinator();
        String bouncer = cluster.bouncerJdbcUrl(coord);
        try (RoundTripRelay relay = RoundTripRelay.forUrl(bouncer, java.time.Duration.ZERO)) {
            String url = "jdbc:citus:" + relay.jdbcUrl(bouncer).substring("jdbc:postgresql:".length());
            Properties p = new Properties();
            p.setProperty("user", cluster.user());
            p.setProperty("password", cluster.password());
            p.setProperty("pooler", "pgbouncer-transaction"); // forces prepareThreshold=0, per-transaction isolation
            try (Connection c = DriverManager.getConnection(url, p)) {
                long id = 100;
                for (String tenant : tenants) {
                    c.setSchema(tenant);
                    try (PreparedStatement ins = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
                        relay.reset();
                        ins.setLong(1, ++id);
                        ins.setString(2, "single insert");
                        ins.executeUpdate();
                        long single = relay.roundTrips();
                        for (int i = 0; i < 3; i++) {
                            ins.setLong(1, ++id);
                            ins.setString(2, "batch insert " + i);
                            ins.addBatch();
                        }
                        relay.reset();
                        int entries = ins.executeBatch().length;
                        long batch = relay.roundTrips();
                        relay.reset();
                        String schema;
                        try (CallableStatement cs = c.prepareCall("{? = call current_schema()}")) {
                            cs.registerOutParameter(1, java.sql.Types.VARCHAR);
                            cs.execute();
                            schema = cs.getString(1);
                        }
                        long call = relay.roundTrips();
                        long rows;
                        try (Statement s = c.createStatement();
                             ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
                            rs.next();
                            rows = rs.getLong(1);
                        }
                        out.printf("%-15s insert: %s; batch of %d: %s; {? = call current_schema()} = %s: %s;"
                                + " %d orders in the tenant%n",
                                tenant, trips(single), entries, trips(batch), schema, trips(call), rows);
                    }
                }
            }
            out.println("(raw pgjdbc needs 1 for each; the first call with an OUT parameter on a connection costs one"
                    + " more: pgjdbc looks up the type void once)");
        } catch (java.io.IOException e) {
            throw new SQLException("cannot start the round-trip relay", e);
        }
    }

    /**
     * Reads a tenant's first order, then asks the server which node it is, in a statement of its own
     * within the same unit of work: Citus pushes a query on a distributed table down to the worker
     * holding the shard, so {@code inet_server_port()} inside it would name that worker instead.
     */
    private void readOrders(Connection c, String tenant, String what) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            String item;
            try (ResultSet rs = s.executeQuery("SELECT item FROM orders ORDER BY id LIMIT 1")) {
                rs.next();
                item = rs.getString(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT current_schema(), inet_server_port(), pg_is_in_recovery()")) {
                rs.next();
                out.printf("%-15s %-9s %-32s served by %-28s (schema %s; %s)%n", tenant, what, "'" + item + "'",
                        served(rs.getInt(2), rs.getBoolean(3)), rs.getString(1), reason(c));
            }
        } finally {
            if (autoCommit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    private static String trips(long n) {
        return n + (n == 1 ? " round trip" : " round trips");
    }

    /** The driver refreshes its topology in the background; wait (bounded) until it knows the new tenants. */
    private void awaitTopologyWith(String url, List<String> tenants) throws SQLException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        try (Connection c = connect(url, "")) {
            CitusConnection cc = c.unwrap(CitusConnection.class);
            long before = cc.topologyVersion();
            while (System.nanoTime() < deadline) {
                c.setReadOnly(true);
                c.setSchema(tenants.get(tenants.size() - 1));
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    rs.next();
                }
                ServedBy by = cc.lastServedBy();
                // tenant_initech lives on worker1, which has a standby: known tenants read there.
                if (by != null && by.reason().equals("READ_TENANT_SECONDARY")) {
                    out.println("driver topology: version " + before + " -> " + cc.topologyVersion() + " (tenants known)");
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            out.println("driver topology: tenants not yet seen after 15 s (version " + cc.topologyVersion() + ")");
        }
    }

    /** What the driver says about its own choice: the route reason of the last unit of work. */
    private static String reason(Connection c) throws SQLException {
        ServedBy by = c.unwrap(CitusConnection.class).lastServedBy();
        return by == null ? "route: the URL's coordinator, nothing to route" : "route: " + by.reason();
    }

    private String served(int port, boolean standby) {
        return nodeByPort.getOrDefault(port, "port " + port) + (standby ? " [standby]" : " [primary]");
    }

    private Connection connect(String url) throws SQLException {
        return connect(url, "");
    }

    /** @param extra further URL parameters, each starting with {@code &} */
    private Connection connect(String url, String extra) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        // Short refresh: the demo creates tenants right before it routes them.
        return DriverManager.getConnection(url + "?topologyRefreshInterval=1s" + extra, p);
    }
}
