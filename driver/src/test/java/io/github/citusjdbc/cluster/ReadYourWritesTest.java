package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusConsistency;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code readYourWrites=tenant} on real Citus: a read-only unit of work right after a write of the
 * same tenant sees the write, on the tenant's standby when it has replayed it, else on a primary;
 * without the setting the same read on a standby that has not replayed it misses the write (which
 * shows the check can fail).
 */
class ReadYourWritesTest {

    private static final Logger LOG = LoggerFactory.getLogger(ReadYourWritesTest.class);
    private static final int THREADS = 8;
    private static final int CYCLES = 300;

    private static LocalCluster cluster;
    private static ClusterNode worker1;
    private static ClusterNode standby;
    private static String tenant;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        worker1 = cluster.worker(1);
        standby = cluster.standbyOf(worker1);
        tenant = Served.tenantOnWorker1("ryw_", "CREATE TABLE items (id int PRIMARY KEY, v bigint)",
                "INSERT INTO items SELECT g, 0 FROM generate_series(0, 99) g");
    }

    @AfterAll
    static void drop() throws SQLException {
        resumeReplay();
        cluster.citus().dropTenant(tenant);
    }

    private static Connection connect(boolean readYourWrites, boolean readOnly) throws SQLException {
        Connection c = DriverManager.getConnection(Served.url(cluster, readYourWrites ? "readYourWrites=tenant" : null),
                Served.app(cluster));
        c.setSchema(tenant);
        c.setReadOnly(readOnly);
        return c;
    }

    private static void write(Connection c, int id, long v) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE items SET v = ? WHERE id = ?")) {
            ps.setLong(1, v);
            ps.setInt(2, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static long read(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM items WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getLong(1);
            }
        }
    }

    private static ServedBy servedBy(Connection c) throws SQLException {
        return c.unwrap(CitusConnection.class).lastServedBy();
    }

    private static void pauseReplay() throws SQLException {
        try (Connection c = cluster.admin(standby); Statement s = c.createStatement()) {
            s.execute("SELECT pg_wal_replay_pause()");
        }
    }

    private static void resumeReplay() throws SQLException {
        try (Connection c = cluster.admin(standby); Statement s = c.createStatement()) {
            s.execute("SELECT pg_wal_replay_resume()");
        }
    }

    @Test
    void aReadAfterAWriteMissesItOnALaggingStandbyWithoutTheSettingAndSeesItWithIt() throws Exception {
        try (Connection writer = connect(true, false);
             Connection plainReader = connect(false, true);
             Connection reader = connect(true, true)) {
            assertEquals(0, read(reader, 1), "the row as created");
            assertEquals("READ_TENANT_SECONDARY", servedBy(reader).reason(), "caught up at rest: the standby serves");
            pauseReplay();
            try {
                write(writer, 1, 41);
                assertEquals(0, read(plainReader, 1), "without readYourWrites the paused standby misses the write");
                assertEquals(standby.port(), servedBy(plainReader).address().port());

                long start = System.nanoTime();
                assertEquals(41, read(reader, 1), "with readYourWrites the write is seen");
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                ServedBy where = servedBy(reader);
                assertEquals("READ_OWN_WRITES_PRIMARY", where.reason(), "the standby is behind: a primary serves");
                assertNotEquals(standby.port(), where.address() == null ? -1 : where.address().port());
                LOG.info("read after a write with the standby paused: {} ms, {}", waitedMillis, where);
            } finally {
                resumeReplay();
            }
            cluster.waitForReplay(worker1, standby);
            assertEquals(41, read(reader, 1));
            assertEquals("READ_TENANT_SECONDARY", servedBy(reader).reason(), "replayed: back on the standby");
            assertEquals(standby.port(), servedBy(reader).address().port());
        }
    }

    @Test
    void aTransactionCommittedWithSqlTextIsAlsoSeen() throws Exception {
        try (Connection writer = connect(true, false); Connection reader = connect(true, true)) {
            pauseReplay();
            try {
                try (Statement s = writer.createStatement()) {
                    s.execute("BEGIN");
                    s.executeUpdate("UPDATE items SET v = 7 WHERE id = 2");
                    s.execute("COMMIT");
                }
                assertEquals(7, read(reader, 2));
                assertEquals("READ_OWN_WRITES_PRIMARY", servedBy(reader).reason());
            } finally {
                resumeReplay();
            }
        }
    }

    /**
     * Another process (a JVM of its own, which has none of this JVM's marks) reads what this one wrote
     * once it binds this one's token: on a primary while the standby has not replayed it, on the
     * standby once it has; without the token the paused standby serves it the old value.
     */
    @Test
    void anotherProcessReadsTheWriteWithTheWritersToken() throws Exception {
        try (Connection writer = connect(true, false)) {
            pauseReplay();
            String token;
            try {
                write(writer, 3, 77);
                token = CitusConsistency.token(writer);
                assertTrue(token.matches("rw1:1=[0-9A-F]+/[0-9A-F]+(,.*)?"), token);
                assertEquals(List.of("without=0|READ_TENANT_SECONDARY", "with=77|READ_OWN_WRITES_PRIMARY"),
                        otherProcess(token));
            } finally {
                resumeReplay();
            }
            cluster.waitForReplay(worker1, standby);
            assertEquals(List.of("without=77|READ_TENANT_SECONDARY", "with=77|READ_TENANT_SECONDARY"), otherProcess(token));
        }
    }

    private static List<String> otherProcess(String token) throws Exception {
        List<String> command = List.of(java.nio.file.Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TokenProbe.class.getName(),
                Served.url(cluster, "readYourWrites=tenant"), cluster.user(), cluster.password(), tenant, "3", token);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("without=") || l.startsWith("with=")).toList();
    }

    /**
     * The kit's servers run with {@code synchronous_commit=off}: a commit is acknowledged before its WAL
     * is flushed, and a standby cannot have it before the WAL writer flushes it, so most reads right
     * after a write go to a primary. None may miss its write.
     */
    @Test
    void underLoadWithAsynchronousCommitNoReadMissesItsWrite() throws Exception {
        assertEquals("off", workerSetting("synchronous_commit"), "the test kit's setting");
        Load load = load();
        assertEquals(0, load.stale, "reads that missed their own write");
    }

    /**
     * With {@code synchronous_commit=on} (PostgreSQL's default; set here for the application's role, on
     * every node) a write is flushed when acknowledged, and the standby has it a moment later: most reads
     * still run on the standby, and none misses its write.
     */
    @Test
    void underLoadWithSynchronousCommitNoReadMissesItsWriteAndMostRunOnTheStandby() throws Exception {
        roleSetting("SET synchronous_commit = on");
        try {
            assertEquals("on", workerSetting("synchronous_commit"), "the setting reached the worker");
            Load load = load();
            assertEquals(0, load.stale, "reads that missed their own write");
            assertTrue(load.onStandby * 2 >= load.reads, "at least half of the reads on the standby: " + load);
        } finally {
            roleSetting("RESET synchronous_commit");
        }
    }

    /** Sets a setting of the application's role on every primary (Citus 12.1 did not propagate it here). */
    private static void roleSetting(String clause) throws SQLException {
        for (ClusterNode node : List.of(cluster.coordinator(), worker1, cluster.worker(2))) {
            try (Connection c = cluster.admin(node); Statement s = c.createStatement()) {
                s.execute("SET citus.enable_ddl_propagation = off");
                s.execute("ALTER ROLE " + cluster.user() + " " + clause);
            }
        }
    }

    private static String workerSetting(String name) throws SQLException {
        try (Connection c = cluster.appConnection(worker1); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW " + name)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    private record Load(long reads, long stale, long onStandby, long millis) {
    }

    private static Load load() throws Exception {
        cluster.waitForReplay(worker1, standby);
        AtomicLong stale = new AtomicLong();
        AtomicLong onStandby = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = 10 + t;
            threads.add(new Thread(() -> {
                try (Connection writer = connect(true, false); Connection reader = connect(true, true)) {
                    for (int i = 1; i <= CYCLES; i++) {
                        long value = System.nanoTime();
                        write(writer, id, value);
                        long seen = read(reader, id);
                        reads.incrementAndGet();
                        if (seen != value) {
                            stale.incrementAndGet();
                        }
                        if (servedBy(reader).role() == NodeRole.SECONDARY) {
                            onStandby.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "ryw-" + t));
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join(120_000);
        }
        Load load = new Load(reads.get(), stale.get(), onStandby.get(), (System.nanoTime() - start) / 1_000_000);
        LOG.info("{} threads x {} write-then-read cycles in {} ms: {} stale, {} of {} reads on the standby ({} %)",
                THREADS, CYCLES, load.millis, load.stale, load.onStandby, load.reads,
                100 * load.onStandby / Math.max(1, load.reads));
        assertTrue(failures.isEmpty(), "failures: " + failures);
        assertEquals((long) THREADS * CYCLES, load.reads);
        return load;
    }
}
