package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static io.github.citusjdbc.cluster.Served.url;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Stream and Reader parameters of a statement that routing re-targets to another node (set on the
 * physical statement of one node, executed on another's): the server receives the whole value,
 * for a routed write ({@code tenantRouting=affinity}), a routed batch and a read-only query on a
 * standby.
 */
class RoutedStreamParameterTest {

    private static LocalCluster cluster;
    private static String tenant;
    private static ClusterNode worker1Standby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.shared();
        tenant = "rs_w1_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(tenant, cluster.worker(1),
                List.of("CREATE TABLE docs (id int PRIMARY KEY, t text, b bytea)"), cluster.user());
        worker1Standby = cluster.standbyOf(cluster.worker(1));
        cluster.waitForReplay(cluster.worker(1), worker1Standby);
        awaitTenants(url(cluster, null), app(cluster), tenant);
    }

    private static Connection open(String query) throws SQLException {
        return DriverManager.getConnection(url(cluster, query), app(cluster));
    }

    private static InputStream bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + 1);
        }
        return new ByteArrayInputStream(b);
    }

    private static List<String> stored() throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = open(null)) {
            c.setSchema(tenant);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, t, encode(b, 'hex') FROM docs ORDER BY id")) {
                while (rs.next()) {
                    rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3));
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM docs");
            }
        }
        return rows;
    }

    private static void assertServedBy(Connection c, ClusterNode node, String reason) throws SQLException {
        ServedBy by = c.unwrap(CitusConnection.class).lastServedBy();
        assertEquals(reason, by.reason());
        assertEquals(node.port(), by.address().port(), "served by " + node.name());
    }

    @Test
    void aRoutedWriteStoresTheWholeStreams() throws SQLException {
        try (Connection c = open("tenantRouting=affinity");
             PreparedStatement ps = c.prepareStatement("INSERT INTO docs (id, t, b) VALUES (?, ?, ?)")) {
            ps.setInt(1, 1);
            ps.setCharacterStream(2, new StringReader("hello"));
            ps.setBinaryStream(3, bytes(3));
            c.setSchema(tenant); // set after the parameters: the execution moves to the tenant's worker
            assertEquals(1, ps.executeUpdate());
            assertServedBy(c, cluster.worker(1), "WRITE_TENANT_PRIMARY");

            c.setSchema(null);
            ps.setInt(1, 2);
            ps.setCharacterStream(2, new StringReader("hello world"), 5);
            ps.setBinaryStream(3, bytes(4), 2);
            c.setSchema(tenant);
            assertEquals(1, ps.executeUpdate());
        }
        assertEquals(List.of("1 hello 010203", "2 hello 0102"), stored());
    }

    /** Sets parameters 2 (text) and 3 (bytea) with one stream setter. */
    interface Setter {
        void set(PreparedStatement ps) throws SQLException;
    }

    @SuppressWarnings("deprecation")
    private static void unicode(PreparedStatement ps) throws SQLException {
        ps.setUnicodeStream(2, new ByteArrayInputStream("h\u00e9llo world".getBytes(StandardCharsets.UTF_8)), 5);
    }

    /** Every stream setter pgjdbc implements without a large object, each storing "hello" or bytes 01 02 (03). */
    private static List<Setter> setters() {
        return List.of(
                ps -> ps.setCharacterStream(2, new StringReader("hello")),
                ps -> ps.setCharacterStream(2, new StringReader("hello world"), 5),
                ps -> ps.setAsciiStream(2, new ByteArrayInputStream("hello world".getBytes(StandardCharsets.US_ASCII)), 5),
                RoutedStreamParameterTest::unicode,
                ps -> ps.setObject(2, new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                        java.sql.Types.LONGVARCHAR),
                ps -> ps.setBinaryStream(3, bytes(3)),
                ps -> ps.setBinaryStream(3, bytes(5), 3),
                ps -> ps.setBinaryStream(3, bytes(5), 3L));
    }

    private static String expected(int id, int setter) {
        return setter < 5 ? id + (setter == 3 ? " h\u00e9llo null" : " hello null") : id + " null 010203";
    }

    /** Moves the connection to the coordinator (a unit of work without tenant), where new statements are then created. */
    private static void toCoordinator(Connection c) throws SQLException {
        c.setSchema(null);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT 1");
        }
        assertServedBy(c, cluster.coordinator(), "WRITE_COORDINATOR");
    }

    private static void set(PreparedStatement ps, int id, Setter setter) throws SQLException {
        ps.setInt(1, id);
        ps.setNull(2, java.sql.Types.VARCHAR);
        ps.setNull(3, java.sql.Types.BINARY);
        setter.set(ps);
    }

    /**
     * Each setter, in statements created and given their parameters on the coordinator, then
     * executed for the tenant on its worker: two single executions and a batch of two.
     */
    @Test
    void everyStreamSetterSurvivesTheMoveToTheTenantsWorker() throws SQLException {
        String insert = "INSERT INTO docs (id, t, b) VALUES (?, ?, ?)";
        List<Setter> setters = setters();
        List<String> want = new ArrayList<>();
        try (Connection c = open("tenantRouting=affinity")) {
            for (int k = 0; k < setters.size(); k++) {
                for (int id = 10 * k + 1; id <= 10 * k + 2; id++) {
                    toCoordinator(c);
                    try (PreparedStatement ps = c.prepareStatement(insert)) {
                        set(ps, id, setters.get(k));
                        c.setSchema(tenant);
                        assertEquals(1, ps.executeUpdate());
                        assertServedBy(c, cluster.worker(1), "WRITE_TENANT_PRIMARY");
                    }
                    want.add(expected(id, k));
                }
                toCoordinator(c);
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    set(ps, 10 * k + 3, setters.get(k));
                    c.setSchema(tenant);
                    ps.addBatch(); // the batch is routed here: the statement moves to the worker
                    set(ps, 10 * k + 4, setters.get(k));
                    ps.addBatch();
                    assertArrayEquals(new int[] {1, 1}, ps.executeBatch());
                    assertServedBy(c, cluster.worker(1), "WRITE_TENANT_PRIMARY");
                }
                want.add(expected(10 * k + 3, k));
                want.add(expected(10 * k + 4, k));
            }
        }
        assertEquals(want, stored());
    }

    @Test
    void aRoutedBatchStoresTheWholeStreams() throws SQLException {
        try (Connection c = open("tenantRouting=affinity");
             PreparedStatement ps = c.prepareStatement("INSERT INTO docs (id, t, b) VALUES (?, ?, ?)")) {
            for (int id = 1; id <= 3; id++) {
                ps.setInt(1, id);
                ps.setCharacterStream(2, new StringReader("text " + id));
                ps.setBinaryStream(3, bytes(id), id);
                if (id == 1) {
                    c.setSchema(tenant); // the batch is routed at its first addBatch, after these parameters were set
                }
                ps.addBatch();
            }
            assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
            assertServedBy(c, cluster.worker(1), "WRITE_TENANT_PRIMARY");
        }
        assertEquals(List.of("1 text 1 01", "2 text 2 0102", "3 text 3 010203"), stored());
    }

    @Test
    void aReadOnlyQueryOnAStandbyGetsTheWholeStreams() throws SQLException {
        try (Connection c = open(null);
             PreparedStatement ps = c.prepareStatement("SELECT ?::text, encode(?::bytea, 'hex'), pg_is_in_recovery()")) {
            ps.setCharacterStream(1, new StringReader("hello"));
            ps.setBinaryStream(2, bytes(3));
            c.setSchema(tenant);
            c.setReadOnly(true);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("hello", rs.getString(1));
                assertEquals("010203", rs.getString(2));
                assertTrue(rs.getBoolean(3), "ran on a standby");
            }
            assertServedBy(c, worker1Standby, "READ_TENANT_SECONDARY");
            ps.setAsciiStream(1, new ByteArrayInputStream("ascii text".getBytes(StandardCharsets.US_ASCII)), 5);
            ps.setBinaryStream(2, bytes(5), 5L);
            c.setReadOnly(false);
            c.setSchema(null); // back to the coordinator: the statement moves again
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals("ascii", rs.getString(1));
                assertEquals("0102030405", rs.getString(2));
            }
        }
    }
}
