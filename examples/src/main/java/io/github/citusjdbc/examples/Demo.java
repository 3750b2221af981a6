package io.github.citusjdbc.examples;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;

import java.io.PrintStream;
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
 * {@code pg_is_in_recovery()}.
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

        out.println();
        out.println("-- per-tenant work through one jdbc:citus connection, tenant pinned with setSchema --");
        try (Connection c = connect(url)) {
            for (String tenant : tenants) {
                c.setSchema(tenant);
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO orders VALUES (?, ?)")) {
                    ins.setLong(1, 1);
                    ins.setString(2, "first order of " + tenant);
                    ins.executeUpdate();
                }
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT item, current_schema(), inet_server_port(), pg_is_in_recovery() FROM orders")) {
                    rs.next();
                    out.printf("%-15s read %-30s served by %-20s (schema %s)%n", tenant, "'" + rs.getString(1) + "'",
                            served(rs.getInt(3), rs.getBoolean(4)), rs.getString(2));
                }
            }
        }

        out.println();
        out.println("-- a read-only transaction --");
        try (Connection c = connect(url)) {
            c.setSchema(tenants.get(0));
            c.setReadOnly(true);
            c.setAutoCommit(false);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), inet_server_port(), pg_is_in_recovery() FROM orders")) {
                rs.next();
                out.printf("read-only count for %s = %d, served by %s%n", tenants.get(0), rs.getInt(1),
                        served(rs.getInt(2), rs.getBoolean(3)));
            }
            c.commit();
        }
        out.println();
        out.println("== demo done ==");
    }

    private String served(int port, boolean standby) {
        return nodeByPort.getOrDefault(port, "port " + port) + (standby ? " [standby]" : " [primary]");
    }

    private Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        return DriverManager.getConnection(url, p);
    }
}
