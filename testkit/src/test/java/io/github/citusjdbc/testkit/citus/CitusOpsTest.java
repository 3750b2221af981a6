package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Citus layer of the test kit ({@link CitusOps}) against the kit's real Citus 12.1 cluster: the
 * catalogs the driver reads (columns and constraints), tenants stored on their placement's node
 * and queryable from every node (standbys included), moves under concurrent writes, node operations.
 */
class CitusOpsTest {
    private static final String PREFIX = "ops_test_";
    private static LocalCluster cluster;
    private static CitusOps citus;

    @BeforeAll
    static void setUp() throws SQLException {
        cluster = LocalCluster.shared();
        citus = cluster.citus();
        for (String t : citus.tenants()) {
            if (t.startsWith(PREFIX)) {
                citus.dropTenant(t); // leftovers of an earlier failed run on an attached cluster
            }
        }
    }

    @AfterAll
    static void tearDown() throws SQLException {
        for (String t : citus.tenants()) {
            if (t.startsWith(PREFIX)) {
                citus.dropTenant(t);
            }
        }
    }

    private static List<ClusterNode> readableNodes() {
        return cluster.nodes();
    }

    // ------------------------------------------------------------------------------------ catalogs

    /** name, type, not null, default of the catalog columns the driver's topology reader relies on (Citus 12.1). */
    private static final String[][] PG_DIST_NODE = {
            {"nodeid", "integer", "t", "nextval('pg_dist_node_nodeid_seq'::regclass)"},
            {"groupid", "integer", "t", "nextval('pg_dist_groupid_seq'::regclass)"},
            {"nodename", "text", "t", null},
            {"nodeport", "integer", "t", "5432"},
            {"noderack", "text", "t", "'default'::text"},
            {"hasmetadata", "boolean", "t", "false"},
            {"isactive", "boolean", "t", "true"},
            {"noderole", "noderole", "t", "'primary'::noderole"},
            {"nodecluster", "name", "t", "'default'::name"},
            {"metadatasynced", "boolean", "f", "false"},
            {"shouldhaveshards", "boolean", "t", "true"}};
    private static final String[][] PG_DIST_SCHEMA = {
            {"schemaid", "oid", "t", null}, {"colocationid", "integer", "t", null}};
    private static final String[][] PG_DIST_PARTITION = {
            {"logicalrelid", "regclass", "t", null}, {"partmethod", "\"char\"", "t", null}, {"partkey", "text", "f", null},
            {"colocationid", "integer", "t", "0"}, {"repmodel", "\"char\"", "t", "'c'::\"char\""},
            {"autoconverted", "boolean", "f", "false"}};
    private static final String[][] PG_DIST_SHARD = {
            {"logicalrelid", "regclass", "t", null}, {"shardid", "bigint", "t", null}, {"shardstorage", "\"char\"", "t", null},
            {"shardminvalue", "text", "f", null}, {"shardmaxvalue", "text", "f", null}};
    private static final String[][] PG_DIST_PLACEMENT = {
            {"placementid", "bigint", "t", "nextval('pg_dist_placement_placementid_seq'::regclass)"},
            {"shardid", "bigint", "t", null}, {"shardstate", "integer", "t", null}, {"shardlength", "bigint", "t", null},
            {"groupid", "integer", "t", null}};
    private static final String[][] PG_DIST_COLOCATION = {
            {"colocationid", "integer", "t", null}, {"shardcount", "integer", "t", null},
            {"replicationfactor", "integer", "t", null}, {"distributioncolumntype", "oid", "t", null},
            {"distributioncolumncollation", "oid", "t", null}};
    @Test
    void catalogsMatchFactsColumnByColumnOnCoordinatorWorkerAndStandby() throws SQLException {
        List<ClusterNode> where = List.of(cluster.coordinator(), cluster.worker(1), cluster.standbyOf(cluster.coordinator()));
        for (ClusterNode node : where) {
            try (Connection c = cluster.appConnection(node)) {
                assertColumns(c, node, "pg_dist_node", PG_DIST_NODE);
                assertColumns(c, node, "pg_dist_schema", PG_DIST_SCHEMA);
                assertColumns(c, node, "pg_dist_partition", PG_DIST_PARTITION);
                assertColumns(c, node, "pg_dist_shard", PG_DIST_SHARD);
                assertColumns(c, node, "pg_dist_placement", PG_DIST_PLACEMENT);
                assertColumns(c, node, "pg_dist_colocation", PG_DIST_COLOCATION);
                assertEquals(List.of("primary", "secondary", "unavailable"),
                        strings(c, "SELECT enumlabel::text FROM pg_enum WHERE enumtypid = 'pg_catalog.noderole'::regtype ORDER BY enumsortorder"));
                assertEquals(List.of("CHECK ((NOT ((nodecluster <> 'default'::name) AND (noderole = 'primary'::noderole))))"),
                        strings(c, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pg_catalog.pg_dist_node'::regclass AND contype = 'c'"));
                assertEquals(List.of("UNIQUE (nodename, nodeport)"),
                        strings(c, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pg_catalog.pg_dist_node'::regclass AND contype = 'u'"));
                assertEquals(List.of("UNIQUE (shardid, groupid)"),
                        strings(c, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pg_catalog.pg_dist_placement'::regclass AND contype = 'u'"));
                assertEquals(List.of("PRIMARY KEY (schemaid)", "UNIQUE (colocationid)"),
                        strings(c, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pg_catalog.pg_dist_schema'::regclass ORDER BY contype"));
            }
        }
    }

    private static void assertColumns(Connection c, ClusterNode node, String table, String[][] expected) throws SQLException {
        List<String> actual = strings(c, "SELECT a.attname || '|' || format_type(a.atttypid, a.atttypmod) || '|'"
                + " || CASE WHEN a.attnotnull THEN 't' ELSE 'f' END || '|' || coalesce(pg_get_expr(d.adbin, d.adrelid), '<null>')"
                + " FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.attrelid = ('pg_catalog.' || '" + table + "')::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                + " ORDER BY a.attnum");
        List<String> want = new ArrayList<>();
        for (String[] col : expected) {
            want.add(col[0] + "|" + col[1] + "|" + col[2] + "|" + (col[3] == null ? "<null>" : col[3]));
        }
        assertEquals(want, actual, table + " on " + node.name());
    }

    // ------------------------------------------------------------------------------------ tenants

    @Test
    void tenantIsStoredOnItsPlacementNodeAndQueryableFromEveryNode() throws SQLException {
        String t = PREFIX + "stored";
        citus.createTenant(t, cluster.worker(1), List.of(
                "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE notes (id bigserial PRIMARY KEY, item bigint REFERENCES items(id), body text)"), cluster.user());
        assertEquals(1, citus.tenantGroup(t).getAsInt());
        assertTrue(citus.tenants().contains(t));
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement()) {
            s.execute("INSERT INTO " + t + ".items (name) VALUES ('from coordinator')");
        }
        try (Connection c = cluster.appConnection(cluster.worker(2)); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + t);
            s.execute("INSERT INTO items (name) VALUES ('from worker2')");
        }
        try (Connection c = cluster.appConnection(cluster.worker(1)); Statement s = c.createStatement()) {
            s.execute("SET search_path TO " + t);
            s.execute("INSERT INTO items (name) VALUES ('from worker1')");
            // bigserial on a worker starts at (groupid << 48) + 1: Citus's per-node sequence ranges
            assertEquals(List.of("281474976710657"), strings(c, "SELECT min(id)::text FROM items WHERE name = 'from worker1'"));
        }
        awaitStandbys();
        for (ClusterNode node : readableNodes()) {
            try (Connection c = cluster.appConnection(node); Statement s = c.createStatement()) {
                s.execute("SET search_path TO " + t);
                assertEquals(List.of("3"), strings(c, "SELECT count(*)::text FROM items"), "count on " + node.name());
                if (node.isStandby()) {
                    SQLException e = assertThrows(SQLException.class, () -> s.execute("INSERT INTO items (name) VALUES ('x')"));
                    assertEquals("25006", e.getSQLState(), node.name() + ": " + e.getMessage());
                }
            }
        }
    }

    @Test
    void pinnedTransactionThroughEveryPgBouncerReachesTheTenant() throws SQLException {
        String t = PREFIX + "bounced";
        citus.createTenant(t, cluster.worker(2), List.of("CREATE TABLE items (id bigserial PRIMARY KEY, v text)"), cluster.user());
        int n = 0;
        for (ClusterNode node : cluster.nodes()) {
            if (!node.hasBouncer() || node.isStandby()) {
                continue;
            }
            try (Connection c = cluster.bouncerConnection(node); Statement s = c.createStatement()) {
                s.execute("BEGIN; SET LOCAL search_path TO " + t + "; INSERT INTO items (v) VALUES ('" + node.name() + "'); COMMIT");
                n++;
            }
        }
        awaitStandbys();
        for (ClusterNode node : cluster.nodes()) {
            if (!node.hasBouncer()) {
                continue;
            }
            try (Connection c = cluster.bouncerConnection(node); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.execute("SET LOCAL search_path TO " + t);
                assertEquals(List.of(Integer.toString(n)), strings(c, "SELECT count(*)::text FROM items"), node.name());
                c.commit();
            }
        }
    }

    @Test
    void factsSchemaToPrimaryQueryAnswersOnEveryNode() throws SQLException {
        String t = PREFIX + "routed";
        String empty = PREFIX + "empty";
        citus.createTenant(t, cluster.worker(2), List.of("CREATE TABLE t (id int PRIMARY KEY)"), cluster.user());
        citus.createTenant(empty, null, List.of(), cluster.user());
        ClusterNode w2 = cluster.worker(2);
        for (ClusterNode node : readableNodes()) {
            try (Connection c = cluster.appConnection(node)) {
                List<String> rows = strings(c, "SELECT q.schema_name || '|' || coalesce(q.groupid::text, '-') || '|'"
                        + " || coalesce(q.primary_host, '-') || '|' || coalesce(q.primary_port::text, '-') FROM ("
                        + "SELECT s.schemaid::regnamespace::text AS schema_name, pl.groupid,"
                        + "       n.nodename AS primary_host, n.nodeport AS primary_port, n.isactive"
                        + " FROM pg_dist_schema s"
                        + " LEFT JOIN LATERAL (SELECT DISTINCT pl.groupid FROM pg_dist_partition p"
                        + "      JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
                        + "      JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1"
                        + "      WHERE p.colocationid = s.colocationid) pl ON true"
                        + " LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary'"
                        + " ORDER BY 1) q WHERE q.schema_name IN ('" + t + "', '" + empty + "') ORDER BY 1");
                assertEquals(List.of(empty + "|-|-|-", t + "|2|" + w2.host() + "|" + w2.port()), rows, "on " + node.name());
            }
        }
    }

    @Test
    void moveUpdatesPlacementsAndForwardingAndLosesNoConcurrentWrite() throws Exception {
        String t = PREFIX + "moved";
        citus.createTenant(t, cluster.worker(1), List.of(
                "CREATE TABLE events (id bigserial PRIMARY KEY, writer text NOT NULL, n int NOT NULL)"), cluster.user());
        List<ClusterNode> entry = List.of(cluster.coordinator(), cluster.worker(1), cluster.worker(2), cluster.coordinator());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> writers = new ArrayList<>();
        for (int i = 0; i < entry.size(); i++) {
            ClusterNode node = entry.get(i);
            String name = "w" + i + "-" + node.name();
            Thread th = new Thread(() -> {
                try (Connection c = cluster.appConnection(node); Statement s = c.createStatement()) {
                    s.execute("SET search_path TO " + t);
                    for (int n = 0; !stop.get(); n++) {
                        s.execute("INSERT INTO events (writer, n) VALUES ('" + name + "', " + n + ")");
                        written.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, name);
            writers.add(th);
            th.start();
        }
        try {
            Thread.sleep(300);
            citus.moveTenant(t, cluster.worker(2));
            Thread.sleep(300);
            citus.moveTenant(t, cluster.worker(1));
            Thread.sleep(300);
        } finally {
            stop.set(true);
            for (Thread th : writers) {
                th.join(30_000);
            }
        }
        assertTrue(failures.isEmpty(), () -> "writers failed: " + failures);
        assertEquals(1, citus.tenantGroup(t).getAsInt());
        awaitStandbys();
        for (ClusterNode node : readableNodes()) {
            try (Connection c = cluster.appConnection(node)) {
                assertEquals(List.of(Long.toString(written.get())), strings(c, "SELECT count(*)::text FROM " + t + ".events"),
                        "rows seen on " + node.name());
                // every writer's sequence numbers are complete: no gap, no duplicate
                assertEquals(List.of("0"), strings(c, "SELECT count(*)::text FROM (SELECT writer FROM " + t + ".events"
                        + " GROUP BY writer HAVING count(*) <> max(n) + 1 OR count(DISTINCT n) <> count(*)) x"), node.name());
            }
        }
        assertTrue(written.get() > 20, "writers made progress: " + written.get());
    }

    @Test
    void moveRewritesPlacementsOnEveryPrimary() throws SQLException {
        String t = PREFIX + "placed";
        citus.createTenant(t, cluster.worker(2), List.of("CREATE TABLE a (id int)", "CREATE TABLE b (id int)"), cluster.user());
        List<String> before = placements(cluster.coordinator(), t);
        citus.moveTenant(t, cluster.worker(1));
        for (ClusterNode node : readableNodes()) {
            List<String> after = placements(node, t);
            assertEquals(2, after.size(), node.name());
            for (int i = 0; i < 2; i++) {
                String[] b = before.get(i).split("\\|");
                String[] a = after.get(i).split("\\|");
                assertEquals(b[0], a[0], "same shardid on " + node.name());
                // Real Citus 12.1 moves a placement in place: its placementid stays, its group changes.
                assertEquals("1", a[2], "new group on " + node.name());
            }
        }
    }

    private static List<String> placements(ClusterNode node, String schema) throws SQLException {
        try (Connection c = cluster.appConnection(node)) {
            return strings(c, "SELECT sh.shardid || '|' || pl.placementid || '|' || pl.groupid FROM pg_dist_partition p"
                    + " JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid JOIN pg_dist_placement pl ON pl.shardid = sh.shardid"
                    + " WHERE p.colocationid = (SELECT colocationid FROM pg_dist_schema WHERE schemaid = '" + schema + "'::regnamespace)"
                    + " ORDER BY sh.shardid");
        }
    }

    // ------------------------------------------------------------------------------------ nodes

    @Test
    void disableActivateRemoveAddShowOnEveryPrimary() throws SQLException {
        ClusterNode standby = cluster.standbyOf(cluster.worker(1));

        // Citus refuses to disable a primary that holds the only placement of a shard (every worker
        // of the shared cluster holds tenants), so the node disabled and activated is a secondary.
        citus.disableNode(standby);
        try {
            assertNodeRow(standby, "f");
        } finally {
            citus.activateNode(standby);
        }
        assertNodeRow(standby, "t");

        int before = nodeId(standby);
        citus.removeNode(standby);
        for (ClusterNode p : primaries()) {
            try (Connection c = cluster.appConnection(p)) {
                assertEquals(List.of("0"), strings(c, "SELECT count(*)::text FROM pg_dist_node WHERE nodeport = " + standby.port()),
                        p.name());
            }
        }
        int after = citus.addNode(standby);
        assertTrue(after > before, "re-added node gets a new nodeid: " + before + " -> " + after);
        assertNodeRow(standby, "t");
        try (Connection c = cluster.appConnection(cluster.coordinator())) {
            assertEquals(List.of("secondary|1"), strings(c, "SELECT noderole || '|' || groupid FROM pg_dist_node WHERE nodeport = "
                    + standby.port()));
        }

        String t = PREFIX + "pinned";
        citus.createTenant(t, cluster.worker(1), List.of("CREATE TABLE x (id int)"), null);
        assertThrows(SQLException.class, () -> citus.removeNode(cluster.worker(1)), "a node with the only placement stays");
    }

    private static List<ClusterNode> primaries() {
        List<ClusterNode> out = new ArrayList<>();
        for (ClusterNode n : cluster.nodes()) {
            if (!n.isStandby()) {
                out.add(n);
            }
        }
        return out;
    }

    private static void assertNodeRow(ClusterNode node, String isactive) throws SQLException {
        for (ClusterNode p : cluster.nodes()) {
            try (Connection c = cluster.appConnection(p)) {
                assertEquals(List.of(isactive), strings(c, "SELECT isactive::text::char FROM pg_dist_node WHERE nodename = '"
                        + node.host() + "' AND nodeport = " + node.port()), "row of " + node.name() + " on " + p.name());
            }
        }
    }

    private static int nodeId(ClusterNode node) throws SQLException {
        try (Connection c = cluster.appConnection(cluster.coordinator())) {
            return Integer.parseInt(strings(c, "SELECT nodeid FROM pg_dist_node WHERE nodeport = " + node.port()).get(0));
        }
    }

    /** Waits until every standby has replayed its primary's WAL ({@code StandbySync}), all standbys at once. */
    private static void awaitStandbys() throws SQLException {
        List<ClusterNode> standbys = new ArrayList<>();
        for (ClusterNode n : cluster.nodes()) {
            if (n.isStandby()) {
                standbys.add(n);
            }
        }
        StandbySync.await(cluster::admin, standbys, s -> cluster.node(s.primaryName()));
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void describeSaysWhichCitusIsInUse() {
        assertTrue(citus.isRealCitus());
        assertTrue(citus.describe().matches("real Citus 12\\.1\\.\\d+"), citus.describe());
    }
}
