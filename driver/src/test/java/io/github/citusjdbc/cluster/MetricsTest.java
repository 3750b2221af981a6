package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    void withMetricsTenantsEachTenantsUnitsStatementsAndTimeAreCounted() throws Exception {
        String a = "mt_a_" + ThreadLocalRandom.current().nextInt(1_000_000);
        String b = "mt_b_" + ThreadLocalRandom.current().nextInt(1_000_000);
        try (Connection c = DriverManager.getConnection(Served.url(cluster, "metricsTenants=1000"), Served.app(cluster))) {
            c.setReadOnly(true);
            CitusMetrics m = c.unwrap(CitusConnection.class).metrics();
            assertTrue(m.getMetricsTenants() >= 1000, "the largest N asked for: " + m.getMetricsTenants());
            for (int i = 0; i < 5; i++) {
                c.setSchema(a); // tenants the topology does not know: their read-only units go to the coordinator's standby
                run(c, "SELECT 1");
            }
            for (int i = 0; i < 3; i++) {
                c.setSchema(b);
                run(c, "SELECT 1");
            }
            c.setReadOnly(false); // read-write units are not routed here (no affinity): counted all the same
            c.setAutoCommit(false);
            run(c, "SELECT 1");
            run(c, "SELECT pg_sleep(0.05)");
            c.commit(); // one unit of b, two statements, one of them 50 ms long
            Map<String, Long> byTenant = m.getUnitsByTenant();
            assertEquals(5L, byTenant.get(a), byTenant.toString());
            assertEquals(4L, byTenant.get(b), byTenant.toString());
            List<String> order = List.copyOf(byTenant.keySet());
            assertTrue(order.indexOf(a) < order.indexOf(b), "most active first: " + order);
            Map<String, Long> statements = m.getStatementsByTenant();
            assertEquals(5L, statements.get(a), statements.toString());
            assertEquals(5L, statements.get(b), statements.toString());
            Map<String, Long> millis = m.getStatementMillisByTenant();
            assertTrue(millis.get(b) >= 50, "the 50 ms statement is in b's time: " + millis);
            assertTrue(millis.get(a) >= 0 && millis.get(a) < millis.get(b) + 5_000, millis.toString());
            // A connection of the same cluster without metricsTenants counts no tenant ("0 counts none").
            String other = "mt_c_" + ThreadLocalRandom.current().nextInt(1_000_000);
            try (Connection uncounted = DriverManager.getConnection(Served.url(cluster, null), Served.app(cluster))) {
                assertEquals(5L, uncounted.unwrap(CitusConnection.class).metrics().getUnitsByTenant().get(a),
                        "the same cluster's metrics");
                uncounted.setSchema(other);
                run(uncounted, "SELECT 1");
            }
            assertFalse(m.getUnitsByTenant().containsKey(other), m.getUnitsByTenant().toString());
            assertEquals(5L, m.getUnitsByTenant().get(a), "the counted connection's tenants as they were");
        }
    }

    @Test
    void eachPinIsCountedByItsFormAndTheDriversOwnRoundTripsByCause() throws Exception {
        try (Connection transaction = connect("tenantPinning=transaction");
             Connection session = connect("tenantPinning=session")) {
            CitusMetrics m = transaction.unwrap(CitusConnection.class).metrics();
            Map<String, Long> pins = m.getPinsByForm();
            Map<String, Long> extra = m.getExtraRoundTrips();
            run(transaction, "SELECT v FROM t WHERE id = 1"); // BEGIN; SET LOCAL ...; <sql>; COMMIT
            run(transaction, "SELECT v FROM t WHERE id = 1");
            transaction.setAutoCommit(false);
            run(transaction, "SELECT v FROM t WHERE id = 1"); // SET LOCAL ...; <sql>: the first statement only
            run(transaction, "SELECT v FROM t WHERE id = 1");
            transaction.commit();
            transaction.setAutoCommit(true);
            long copied = transaction.unwrap(CitusConnection.class)
                    .copyOut("COPY (SELECT v FROM t) TO STDOUT", new java.io.ByteArrayOutputStream());
            assertEquals(1, copied);
            for (int i = 0; i < 3; i++) {
                run(session, "SELECT v FROM t WHERE id = 1"); // SET search_path ...; <sql> once, then nothing
            }
            Map<String, Long> pinsAfter = m.getPinsByForm();
            Map<String, Long> extraAfter = m.getExtraRoundTrips();
            assertEquals(3, pinsAfter.get("envelope") - pins.get("envelope"), "two statements and the COPY: " + pinsAfter);
            assertEquals(1, pinsAfter.get("transaction") - pins.get("transaction"), pinsAfter.toString());
            assertEquals(1, pinsAfter.get("session") - pins.get("session"), pinsAfter.toString());
            assertEquals(0, pinsAfter.get("statement") - pins.get("statement"), pinsAfter.toString());
            assertEquals(1, extraAfter.get("pin") - extra.get("pin"), "the COPY's BEGIN; SET LOCAL alone: " + extraAfter);
            assertEquals(1, extraAfter.get("commit") - extra.get("commit"), "and its COMMIT: " + extraAfter);
            assertEquals(0, extraAfter.get("rollback") - extra.get("rollback"), extraAfter.toString());
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
        assertEquals((double) m.getPinsByForm().get("session"),
                registry.get("citus.pins").tag("form", "session").functionCounter().count(), 0.0);
        assertEquals((double) m.getExtraRoundTrips().get("pin"),
                registry.get("citus.extra.round.trips").tag("cause", "pin").functionCounter().count(), 0.0);

        var server = ManagementFactory.getPlatformMBeanServer();
        // The data source's cluster exactly: other tests' URLs name the coordinator too (with other hosts, or options).
        ObjectName ours = new ObjectName("io.github.citusjdbc:type=Cluster,name=" + ObjectName.quote(
                cluster.user() + "@" + cluster.coordinator().address() + "/" + cluster.database()));
        List<ObjectName> beans = new ArrayList<>(server.queryNames(new ObjectName("io.github.citusjdbc:type=Cluster,name=*"), null));
        assertTrue(server.isRegistered(ours), "no bean " + ours + " among " + beans);
        TabularData table = (TabularData) server.getAttribute(ours, "UnitsByReason");
        long viaJmx = table.values().stream().map(CompositeData.class::cast)
                .filter(row -> "READ_TENANT_SECONDARY".equals(row.get("key"))).mapToLong(row -> (Long) row.get("value"))
                .findFirst().orElse(-1);
        assertEquals(units(m, "READ_TENANT_SECONDARY"), viaJmx);
        assertEquals(m.getTopologyVersion(), (Long) server.getAttribute(ours, "TopologyVersion"));
    }

    @Test
    void micrometerFollowsTheMostActiveTenantsAndTheBinderStopsItsThread() throws Exception {
        String a = "mm_a_" + ThreadLocalRandom.current().nextInt(1_000_000);
        String b = "mm_b_" + ThreadLocalRandom.current().nextInt(1_000_000);
        String c = "mm_c_" + ThreadLocalRandom.current().nextInt(1_000_000);
        // a cluster name of its own: N is per cluster (the largest asked for), and other tests ask for 1000
        try (Connection conn = DriverManager.getConnection(
                Served.url(cluster, "clusterName=metrics-top2&metricsTenants=2"), Served.app(cluster))) {
            CitusMetrics m = conn.unwrap(CitusConnection.class).metrics();
            assertEquals(2, m.getMetricsTenants());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (CitusMeterBinder binder = new CitusMeterBinder(m, "top2", java.time.Duration.ofMillis(200))) {
                binder.bindTo(registry);
                units(conn, a, 5);
                units(conn, b, 3);
                units(conn, c, 1);
                binder.refreshTenantMeters();
                assertEquals(5.0, tenantUnits(registry, a), 0.0);
                assertEquals(3.0, tenantUnits(registry, b), 0.0);
                assertEquals(1.0, tenantUnits(registry, "(other)"), 0.0);
                assertEquals(null, registry.find("citus.tenant.units").tag("tenant", c).functionCounter(), "not in the top 2");
                assertEquals(5.0, registry.get("citus.tenant.statements").tag("tenant", a).functionTimer().count(), 0.0);
                units(conn, c, 10);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (registry.find("citus.tenant.units").tag("tenant", c).functionCounter() == null
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50); // the binder's thread re-reads the top tenants every 200 ms
                }
                Thread.sleep(1_100); // the meters read a snapshot at most a second old
                assertEquals(11.0, tenantUnits(registry, c), 0.0);
                assertEquals(null, registry.find("citus.tenant.units").tag("tenant", b).functionCounter(),
                        "b left the top 2: its meters are removed");
                assertEquals(3.0, tenantUnits(registry, "(other)"), 0.0, "b's units are in (other) now");
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .anyMatch(t -> t.getName().equals("citus-jdbc-tenant-meters")), "the binder's thread runs");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("citus-jdbc-tenant-meters"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("citus-jdbc-tenant-meters")), "close() stopped the thread");
        }
    }

    private static void units(Connection c, String tenant, int n) throws SQLException {
        c.setSchema(tenant);
        for (int i = 0; i < n; i++) {
            run(c, "SELECT 1");
        }
    }

    private static double tenantUnits(SimpleMeterRegistry registry, String tenant) {
        return registry.get("citus.tenant.units").tag("tenant", tenant).tag("cluster", "top2").functionCounter().count();
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
