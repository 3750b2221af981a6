package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TopologyReader}, {@link MetadataConnectionSource} and {@link ReplicationLagProbe} against the
 * shared real cluster (coordinator + standby, two workers, worker-1 standby), as the application role.
 * Nothing here leaves the cluster changed: tenants are dropped, replay is resumed.
 */
class TopologyReaderClusterTest {

    private static final String PREFIX = "topo_it_";
    private static final String PER_SCHEMA_QUERY = """
            SELECT s.schemaid::regnamespace::text AS schema_name, pl.groupid,
                   n.nodename AS primary_host, n.nodeport AS primary_port, n.isactive
            FROM pg_dist_schema s
            LEFT JOIN LATERAL (SELECT DISTINCT pl.groupid FROM pg_dist_partition p
                 JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid
                 JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1
                 WHERE p.colocationid = s.colocationid) pl ON true
            LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'
            ORDER BY 1""";

    private static LocalCluster cluster;

    @BeforeAll
    static void createTenants() throws SQLException {
        cluster = LocalCluster.shared();
        dropOurTenants();
        List<String> ddl = List.of("CREATE TABLE items (id int PRIMARY KEY, name text)");
        cluster.citus().createTenant(PREFIX + "w1", cluster.worker(1), ddl, LocalCluster.APP_USER);
        cluster.citus().createTenant(PREFIX + "w2", cluster.worker(2), ddl, LocalCluster.APP_USER);
        cluster.citus().createTenant(PREFIX + "empty", cluster.worker(1), List.of(), LocalCluster.APP_USER);
        for (ClusterNode s : cluster.standbyNodes()) {
            cluster.waitForReplay(cluster.node(s.primaryName()), s);
        }
    }

    @AfterAll
    static void dropTenants() throws SQLException {
        dropOurTenants();
    }

    private static void dropOurTenants() throws SQLException {
        for (String t : cluster.citus().tenants()) {
            if (t.startsWith(PREFIX)) {
                cluster.citus().dropTenant(t);
            }
        }
    }

    private static CatalogRead.Citus read(ClusterNode node) throws SQLException {
        try (Connection c = cluster.appConnection(node)) {
            TopologyReader reader = new TopologyReader("default");
            CatalogRead first = reader.read(c, 1);
            CatalogRead second = reader.read(c, 2); // the steady-state single-round-trip batch
            assertInstanceOf(CatalogRead.Citus.class, first);
            assertTrue(ViewRefresh.sameContent(((CatalogRead.Citus) first).topology(),
                    ((CatalogRead.Citus) second).topology()), "probe+batch and batch alone agree");
            return (CatalogRead.Citus) second;
        }
    }

    private static NodeAddress addr(ClusterNode n) {
        return new NodeAddress(n.host(), n.port());
    }

    @Test
    void snapshotMatchesTheClusterAsTheAppRole() throws SQLException {
        CatalogRead.Citus read = read(cluster.coordinator());
        Topology t = read.topology();
        assertTrue(read.tenantsSupported());
        assertFalse(read.fromStandby());
        assertEquals(2, t.version());
        assertEquals(cluster.nodes().size(), t.nodes().size(), t.nodes().toString());
        assertEquals(addr(cluster.coordinator()), t.coordinator().orElseThrow().address());
        assertEquals(addr(cluster.worker(1)), t.primaryOf(1).orElseThrow().address());
        assertEquals(addr(cluster.worker(2)), t.primaryOf(2).orElseThrow().address());
        assertEquals(List.of(addr(cluster.standbyOf(cluster.coordinator()))),
                t.activeSecondariesOf(0).stream().map(Node::address).toList());
        assertEquals(List.of(addr(cluster.standbyOf(cluster.worker(1)))),
                t.activeSecondariesOf(1).stream().map(Node::address).toList());
        assertEquals(List.of(), t.activeSecondariesOf(2));
        for (Node n : t.nodes()) {
            assertTrue(n.active(), n.toString());
            assertEquals("default", n.clusterName());
            assertTrue(t.primaryOf(n.groupId()).isPresent(), "every group has its primary: " + n);
        }
        assertEquals(List.of(0, 1, 2), List.copyOf(t.groupIds()));
    }

    @Test
    void tenantsMapToTheGroupOfTheirPlacementAndAnEmptySchemaToTheCoordinator() throws SQLException {
        Topology t = read(cluster.coordinator()).topology();
        assertEquals(1, t.groupOfTenant(PREFIX + "w1").getAsInt());
        assertEquals(2, t.groupOfTenant(PREFIX + "w2").getAsInt());
        assertEquals(0, t.groupOfTenant(PREFIX + "empty").getAsInt());
        for (String tenant : cluster.citus().tenants()) {
            assertEquals(cluster.citus().tenantGroup(tenant).orElse(0), t.groupOfTenant(tenant).getAsInt(), tenant);
        }
    }

    @Test
    void tenantQueryGivesTheSameAnswersAsTheVerifiedFactsQuery() throws SQLException {
        try (Connection c = cluster.appConnection(cluster.coordinator())) {
            Topology t = new TopologyReader("default").read(c, 1) instanceof CatalogRead.Citus ci ? ci.topology() : null;
            Map<String, Integer> facts = new HashMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(PER_SCHEMA_QUERY)) {
                while (rs.next()) {
                    String schema = rs.getString(1);
                    int group = rs.getInt(2);
                    boolean placed = !rs.wasNull();
                    facts.put(schema, placed ? group : 0);
                    if (placed) {
                        Node primary = t.primaryOf(group).orElseThrow();
                        assertEquals(new NodeAddress(rs.getString(3), rs.getInt(4)), primary.address(), schema);
                        assertEquals(rs.getBoolean(5), primary.active(), schema);
                    }
                }
            }
            assertTrue(facts.size() >= 3, facts.toString());
            assertEquals(facts, t.tenantGroups());
        }
    }

    @Test
    void coordinatorWorkerAndStandbysGiveIdenticalAnswers() throws SQLException {
        Topology reference = read(cluster.coordinator()).topology();
        for (ClusterNode n : cluster.nodes()) {
            CatalogRead.Citus read = read(n);
            assertTrue(ViewRefresh.sameContent(reference, read.topology()), n.name() + ": " + read.topology());
            assertEquals(n.isStandby(), read.fromStandby(), n.name());
        }
    }

    @Test
    void otherClustersSecondariesAreFilteredOut() throws SQLException {
        try (Connection c = cluster.appConnection(cluster.coordinator())) {
            Topology t = ((CatalogRead.Citus) new TopologyReader("analytics").read(c, 1)).topology();
            assertEquals(cluster.primaryNodes().size(), t.nodes().size());
            assertTrue(t.nodes().stream().allMatch(n -> n.role() == NodeRole.PRIMARY));
        }
    }

    @Test
    void aDatabaseWithoutCitusCatalogsIsReportedAsNotCitus() throws SQLException {
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS topo_it_plain");
            st.execute("CREATE DATABASE topo_it_plain");
        }
        try {
            Properties p = new Properties();
            p.setProperty("user", cluster.user());
            p.setProperty("password", cluster.password());
            ConnectionOpener opener = PgjdbcConnections.metadata(List.of(addr(cluster.coordinator())), "topo_it_plain", p,
                    TopologySettings.defaults());
            try (MetadataConnectionSource source = new MetadataConnectionSource(opener, new TopologyReader("default"), "plain")) {
                assertEquals(new CatalogRead.NotCitus(false), source.read(1));
                assertEquals(new CatalogRead.NotCitus(false), source.read(2));
            }
        } finally {
            try (Connection admin = cluster.admin(cluster.coordinator()); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS topo_it_plain");
            }
        }
    }

    @Test
    void citusBefore12DegradesToNodesOnlyAndTheReaderFollowsUpgradeAndRemoval() throws SQLException {
        String db = "topo_it_citus11";
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement st = admin.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + db);
            st.execute("CREATE DATABASE " + db);
        }
        try (Connection admin = adminTo(db); Statement st = admin.createStatement();
             Connection app = appTo(db)) {
            st.execute("SET allow_system_table_mods = on");
            // A Citus 11 catalog: pg_dist_node (noderole as text is enough for the reader) and no pg_dist_schema.
            st.execute("CREATE TABLE pg_catalog.pg_dist_node (nodeid int, groupid int, nodename text, nodeport int,"
                    + " isactive bool, noderole text, nodecluster name, shouldhaveshards bool)");
            st.execute("INSERT INTO pg_catalog.pg_dist_node VALUES (1, 0, 'c', 5432, true, 'primary', 'default', false),"
                    + " (2, 1, 'w1', 5432, true, 'primary', 'default', true)");
            st.execute("GRANT SELECT ON pg_catalog.pg_dist_node TO PUBLIC");
            TopologyReader reader = new TopologyReader("default");
            CatalogRead.Citus v11 = (CatalogRead.Citus) reader.read(app, 1);
            assertFalse(v11.tenantsSupported());
            assertEquals(2, v11.topology().nodes().size());
            assertTrue(v11.topology().tenantGroups().isEmpty());

            // Upgrade to 12: the probe inside the next batch notices and the same read() re-reads with tenants.
            st.execute("CREATE SCHEMA t12");
            st.execute("CREATE TABLE pg_catalog.pg_dist_schema (schemaid oid, colocationid int)");
            st.execute("CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass, colocationid int)");
            st.execute("CREATE TABLE pg_catalog.pg_dist_shard (logicalrelid regclass, shardid bigint)");
            st.execute("CREATE TABLE pg_catalog.pg_dist_placement (shardid bigint, shardstate int, groupid int)");
            st.execute("INSERT INTO pg_catalog.pg_dist_schema VALUES ('t12'::regnamespace, 7)");
            st.execute("GRANT SELECT ON pg_catalog.pg_dist_schema, pg_catalog.pg_dist_partition, pg_catalog.pg_dist_shard,"
                    + " pg_catalog.pg_dist_placement TO PUBLIC");
            CatalogRead.Citus v12 = (CatalogRead.Citus) reader.read(app, 2);
            assertTrue(v12.tenantsSupported());
            assertEquals(Map.of("t12", 0), v12.topology().tenantGroups());

            // Citus removed: the batch fails with 42P01, the reader probes again and reports NotCitus.
            st.execute("DROP TABLE pg_catalog.pg_dist_node");
            assertEquals(new CatalogRead.NotCitus(false), reader.read(app, 3));
        } finally {
            try (Connection admin = cluster.admin(cluster.coordinator()); Statement st = admin.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private static Connection adminTo(String db) throws SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://" + cluster.coordinator().address() + "/" + db,
                cluster.adminUser(), cluster.adminPassword());
    }

    private static Connection appTo(String db) throws SQLException {
        return java.sql.DriverManager.getConnection("jdbc:postgresql://" + cluster.coordinator().address() + "/" + db,
                cluster.user(), cluster.password());
    }

    @Test
    void metadataConnectionOverTheHostListPrefersThePrimaryCoordinator() throws Exception {
        Properties p = appProperties();
        // The standby is listed first: preferPrimary still picks the primary.
        ConnectionOpener opener = PgjdbcConnections.metadata(List.of(addr(cluster.standbyOf(cluster.coordinator())),
                addr(cluster.coordinator())), cluster.database(), p, TopologySettings.defaults());
        try (MetadataConnectionSource source = new MetadataConnectionSource(opener, new TopologyReader("default"), "it")) {
            CatalogRead.Citus read = (CatalogRead.Citus) source.read(1);
            assertFalse(read.fromStandby());
            assertEquals(cluster.nodes().size(), read.topology().nodes().size());
        }
    }

    @Test
    void lagOfAPausedStandbyIsMeasuredAndRecoversAfterResume() throws Exception {
        ClusterNode worker1 = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(worker1);
        Topology t = read(cluster.coordinator()).topology();
        Node secondary = t.activeSecondariesOf(1).get(0);
        ReplicationLagProbe probe = new ReplicationLagProbe(PgjdbcConnections.nodes(cluster.database(), appProperties(),
                TopologySettings.defaults()));
        LocalCluster.waitUntil(() -> probe.measure(t, Map.of()).get(secondary.nodeId()) == 0L, Duration.ofSeconds(20),
                "standby caught up before the test");
        try (Connection admin = cluster.admin(standby); Statement st = admin.createStatement()) {
            st.execute("SELECT pg_wal_replay_pause()");
        }
        try {
            try (Connection admin = cluster.admin(worker1); Statement st = admin.createStatement()) {
                st.execute("SET synchronous_commit = on"); // flushed at commit: the lag is visible at once
                st.execute("CREATE TABLE topo_it_lag AS SELECT g, repeat('x', 100) AS pad FROM generate_series(1, 20000) g");
                st.execute("DROP TABLE topo_it_lag");
            }
            Map<Integer, Long> lags = probe.measure(t, Map.of());
            assertTrue(lags.get(secondary.nodeId()) > 1_000_000L, "lag " + lags);
            // The coordinator's standby replays on: whatever the coordinator wrote meanwhile (Citus's own
            // maintenance, other sessions) it reaches 0 while worker1's paused standby stays behind.
            int coordinatorStandby = t.activeSecondariesOf(0).get(0).nodeId();
            LocalCluster.waitUntil(() -> probe.measure(t, Map.of()).get(coordinatorStandby) == 0L, Duration.ofSeconds(10),
                    "the coordinator standby, not paused, caught up");
            lags = probe.measure(t, Map.of());
            assertTrue(lags.get(secondary.nodeId()) > 1_000_000L, "worker1's paused standby is still behind: " + lags);
        } finally {
            try (Connection admin = cluster.admin(standby); Statement st = admin.createStatement()) {
                st.execute("SELECT pg_wal_replay_resume()");
            }
        }
        LocalCluster.waitUntil(() -> probe.measure(t, Map.of()).get(secondary.nodeId()) == 0L, Duration.ofSeconds(20),
                "lag back to 0 after resume");
    }

    static Properties appProperties() {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        return p;
    }
}
