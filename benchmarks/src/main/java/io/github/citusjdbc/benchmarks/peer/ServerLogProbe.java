package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What worker 1 and its standby execute for one point read, seen in their own logs
 * ({@code log_statement = all}): 200 reads each by raw pgjdbc on the worker, citus-jdbc whose URL
 * names the worker, and citus-jdbc with {@code tenantRouting=affinity} through the coordinator; on
 * the standby by raw pgjdbc read-only on it and citus-jdbc with read-only routing through the
 * coordinator; told apart by {@code application_name}.
 * Prints each one's statement shapes (numbers replaced by N) with their counts. For the routing
 * columns of {@link PeerBench}: whether a routed unit costs the server anything the direct ones do not.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.peer.ServerLogProbe
 * </pre>
 */
public final class ServerLogProbe {

    private static final int READS = 200;
    private static final String TENANT = "probe_t";

    private ServerLogProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            ClusterNode worker = cluster.worker(1);
            ClusterNode standby = cluster.standbyOf(worker);
            cluster.citus().createTenant(TENANT, worker, List.of("CREATE TABLE items (id int PRIMARY KEY, name text)",
                    "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g"), cluster.user());
            for (ClusterNode node : List.of(worker, standby)) { // ALTER SYSTEM is not replicated: each its own
                try (Connection admin = cluster.admin(node); Statement s = admin.createStatement()) {
                    s.execute("ALTER SYSTEM SET log_statement = 'all'");
                    s.execute("ALTER SYSTEM SET log_line_prefix = '%a|'");
                    s.execute("SELECT pg_reload_conf()");
                }
            }
            cluster.waitForReplay(worker, standby);
            Thread.sleep(500);
            String db = "/" + cluster.database() + "?sslmode=disable&ApplicationName=";
            reads(cluster, "jdbc:postgresql://" + worker.address() + db + "raw_on_worker", false);
            reads(cluster, "jdbc:citus://" + worker.address() + db + "citus_jdbc_on_worker&readRouting=primary", false);
            reads(cluster, "jdbc:citus://" + cluster.coordinator().address() + db + "citus_jdbc_affinity&tenantRouting=affinity",
                    true);
            readOnly(cluster, "jdbc:postgresql://" + standby.address() + db + "raw_on_standby", false);
            readOnly(cluster, "jdbc:citus://" + cluster.coordinator().address() + db + "citus_jdbc_readonly", true);
            Thread.sleep(500); // the logs written
            System.out.println("### " + worker.name());
            print(logOf(worker));
            System.out.println("### " + standby.name());
            print(logOf(standby));
        }
    }

    /** As {@link #reads} on a read-only connection. */
    private static void readOnly(LocalCluster cluster, String url, boolean setSchema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password())) {
            c.setReadOnly(true);
            reads(c, setSchema);
        }
    }

    /** One connection, a statement prepared per read as with a pool; {@code setSchema} or qualified SQL. */
    private static void reads(LocalCluster cluster, String url, boolean setSchema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password())) {
            reads(c, setSchema);
        }
    }

    private static void reads(Connection c, boolean setSchema) throws SQLException {
        {
            if (setSchema) {
                c.setSchema(TENANT);
            }
            String sql = setSchema ? "SELECT name FROM items WHERE id = ?" : "SELECT name FROM " + TENANT + ".items WHERE id = ?";
            for (int i = 0; i < READS; i++) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setInt(1, 1 + i % 100);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                    }
                }
            }
        }
    }

    /** The server log of {@code node}: the newest file named after it under the kit's directory. */
    private static Path logOf(ClusterNode node) throws IOException {
        try (Stream<Path> files = Files.walk(LocalCluster.baseDir())) {
            return files.filter(p -> p.getFileName().toString().equals(node.name() + ".log"))
                    .max(Comparator.comparingLong(p -> p.toFile().lastModified())).orElseThrow();
        }
    }

    private static void print(Path log) throws IOException {
        Map<String, Map<String, Integer>> shapes = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            int bar = line.indexOf('|');
            String app = bar < 0 ? "" : line.substring(0, bar);
            if (app.startsWith("raw_") || app.startsWith("citus_jdbc_")) {
                String shape = line.substring(bar + 1).replaceAll("\\d+", "N");
                shapes.computeIfAbsent(app, k -> new TreeMap<>())
                        .merge(shape.length() > 140 ? shape.substring(0, 140) : shape, 1, Integer::sum);
            }
        }
        shapes.forEach((app, counts) -> {
            System.out.println("== " + app + " (" + READS + " reads)");
            counts.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue())
                    .forEach(e -> System.out.println("  " + e.getValue() + "  " + e.getKey()));
        });
    }
}
