package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.micrometer.CitusMeterBinder;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CitusMetrics} on real Citus: after known work the counters moved by exactly that work, and
 * JMX and Micrometer show the same values; the driver works without Micrometer or OpenTelemetry on
 * the class path.
 */
class MetricsTest {

    private static LocalCluster cluster;
    private static ClusterNode worker1;
    private static ClusterNode standby;
    private static String tenant;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        worker1 = cluster.worker(1);
        standby = cluster.standbyOf(worker1);
        tenant = Served.tenantOnWorker1("metrics_", "CREATE TABLE t (id bigint PRIMARY KEY, v int)",
                "INSERT INTO t VALUES (1, 0)");
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(tenant);
    }

    private static Connection connect(String query) throws SQLException {
        Connection c = DriverManager.getConnection(Served.url(cluster, query), Served.app(cluster));
        c.setSchema(tenant);
        return c;
    }

    private static void run(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long units(CitusMetrics m, String reason) {
        return m.getUnitsByReason().getOrDefault(reason, 0L);
    }

    @Test
    void routedUnitsAreCountedByReasonOnceEach() throws Exception {
        try (Connection reader = connect(null); Connection writer = connect("tenantRouting=affinity")) {
            reader.setReadOnly(true);
            CitusMetrics m = reader.unwrap(CitusConnection.class).metrics();
            assertTrue(m == writer.unwrap(CitusConnection.class).metrics(), "one per cluster");
            long reads = units(m, "READ_TENANT_SECONDARY");
            long writes = units(m, "WRITE_TENANT_PRIMARY");
            long onStandby = m.getUnitsByNode().getOrDefault(standby.address().toString(), 0L);
            long onWorker = m.getUnitsByNode().getOrDefault(worker1.address().toString(), 0L);
            for (int i = 0; i < 5; i++) {
                run(reader, "SELECT v FROM t WHERE id = 1");
            }
            reader.setAutoCommit(false);
            run(reader, "SELECT v FROM t WHERE id = 1");
            run(reader, "SELECT count(*) FROM t");
            reader.commit(); // one transaction: one unit
            for (int i = 0; i < 3; i++) {
                run(writer, "UPDATE t SET v = v + 1 WHERE id = 1");
            }
            assertEquals(6, units(m, "READ_TENANT_SECONDARY") - reads);
            assertEquals(3, units(m, "WRITE_TENANT_PRIMARY") - writes);
            assertEquals(6, m.getUnitsByNode().get(standby.address().toString()) - onStandby, "by node");
            assertEquals(3, m.getUnitsByNode().get(worker1.address().toString()) - onWorker, "by node");
            assertTrue(m.getLastRefreshMillis() >= 0, "a refresh took some time: " + m.getLastRefreshMillis());
            assertTrue(m.getTopologyVersion() > 0);
            assertTrue(m.getTopologyAgeMillis() >= 0);
            assertEquals(5, m.getNodes().size(), m.getNodes().toString());
            assertTrue(m.getNodes().contains(standby.address() + " secondary group 1"), m.getNodes().toString());
            assertEquals(List.of(), m.getUnhealthyNodes());
        }
    }

    @Test
    void withMetricsTenantsEachTenantsUnitsAreCounted() throws Exception {
        String a = "mt_a_" + ThreadLocalRandom.current().nextInt(1_000_000);
        String b = "mt_b_" + ThreadLocalRandom.current().nextInt(1_000_000);
        try (Connection c = DriverManager.getConnection(Served.url(cluster, "metricsTenants=1000"), Served.app(cluster))) {
            c.setReadOnly(true);
            CitusMetrics m = c.unwrap(CitusConnection.class).metrics();
            for (int i = 0; i < 5; i++) {
                c.setSchema(a); // tenants the topology does not know: their read-only units go to the coordinator's standby
                run(c, "SELECT 1");
            }
            for (int i = 0; i < 3; i++) {
                c.setSchema(b);
                run(c, "SELECT 1");
            }
            Map<String, Long> byTenant = m.getUnitsByTenant();
            assertEquals(5L, byTenant.get(a), byTenant.toString());
            assertEquals(3L, byTenant.get(b), byTenant.toString());
            List<String> order = List.copyOf(byTenant.keySet());
            assertTrue(order.indexOf(a) < order.indexOf(b), "most active first: " + order);
        }
    }

    @Test
    void readYourWritesChecksAndTheirOutcomeAreCounted() throws Exception {
        try (Connection writer = connect("readYourWrites=tenant"); Connection reader = connect("readYourWrites=tenant")) {
            reader.setReadOnly(true);
            CitusMetrics m = reader.unwrap(CitusConnection.class).metrics();
            long checks = m.getReadYourWritesChecks();
            long onPrimary = m.getReadYourWritesOnPrimary();
            long reads = m.getWalPositionReads();
            long ownWrites = units(m, "READ_OWN_WRITES_PRIMARY");
            try (Connection admin = cluster.admin(standby)) {
                run(admin, "SELECT pg_wal_replay_pause()");
                try {
                    run(writer, "UPDATE t SET v = v + 1 WHERE id = 1");
                    run(reader, "SELECT v FROM t WHERE id = 1");
                } finally {
                    run(admin, "SELECT pg_wal_replay_resume()");
                }
            }
            assertEquals(1, m.getReadYourWritesChecks() - checks);
            assertEquals(1, m.getReadYourWritesOnPrimary() - onPrimary);
            assertEquals(1, units(m, "READ_OWN_WRITES_PRIMARY") - ownWrites);
            assertTrue(m.getWalPositionReads() - reads >= 2, "the primary's position and the standby's, at least");
        }
    }

    @Test
    void jmxAndMicrometerShowTheSameCounts() throws Exception {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl(Served.url(cluster, null));
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        CitusMetrics m = ds.metrics();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new CitusMeterBinder(m, "kit").bindTo(registry);
        try (Connection reader = connect(null)) {
            reader.setReadOnly(true);
            double before = registry.get("citus.units").tag("reason", "READ_TENANT_SECONDARY").functionCounter().count();
            run(reader, "SELECT v FROM t WHERE id = 1");
            run(reader, "SELECT v FROM t WHERE id = 1");
            double after = registry.get("citus.units").tag("reason", "READ_TENANT_SECONDARY").functionCounter().count();
            assertEquals(2.0, after - before, 0.0);
            assertEquals(units(m, "READ_TENANT_SECONDARY"), (long) after);
            String node = standby.address().toString();
            assertEquals((double) m.getUnitsByNode().get(node),
                    registry.get("citus.units.node").tag("node", node).functionCounter().count(), 0.0);
        }
        assertEquals((double) m.getTopologyVersion(), registry.get("citus.topology.version").gauge().value(), 0.0);

        ObjectName name = new ObjectName("io.github.citusjdbc:type=Cluster,name=*");
        var server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> beans = new ArrayList<>(server.queryNames(name, null));
        ObjectName ours = beans.stream().filter(n -> n.getKeyProperty("name").contains(cluster.coordinator().address().toString()))
                .filter(n -> !n.getKeyProperty("name").contains("[")).findFirst().orElseThrow(() -> new AssertionError(
                        "no bean for the cluster among " + beans));
        TabularData table = (TabularData) server.getAttribute(ours, "UnitsByReason");
        long viaJmx = table.values().stream().map(CompositeData.class::cast)
                .filter(row -> "READ_TENANT_SECONDARY".equals(row.get("key"))).mapToLong(row -> (Long) row.get("value"))
                .findFirst().orElse(-1);
        assertEquals(units(m, "READ_TENANT_SECONDARY"), viaJmx);
        assertEquals(m.getTopologyVersion(), (Long) server.getAttribute(ours, "TopologyVersion"));
    }

    @Test
    void theDriverWorksWithoutMicrometerOrOpenTelemetryOnTheClassPath() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("micrometer") && !e.contains("opentelemetry"))
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classPath, MetricsProbe.class.getName(), Served.url(cluster, null), cluster.user(), cluster.password(),
                tenant);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(List.of("micrometer=false", "opentelemetry=false", "counted=2"), out.lines()
                .filter(l -> l.startsWith("micrometer=") || l.startsWith("opentelemetry=") || l.startsWith("counted="))
                .toList(), out);
    }
}
