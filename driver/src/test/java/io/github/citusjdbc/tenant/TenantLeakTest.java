package io.github.citusjdbc.tenant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many threads, each with its own Citus tenant (distributed schema made by the test kit), share a
 * HikariCP pool of citus-jdbc connections and run every kind of unit of work; every row read must
 * belong to the thread's tenant and nothing may fail unexpectedly. Afterwards clients that never
 * pinned must see no tenant and no isolation level left behind.
 *
 * <p>Operations per run: system property {@code citus.leak.ops} (default {@value #DEFAULT_OPS});
 * {@code citus.leak.runs} picks the runs ({@code via-mode}: via {@code pgbouncer} (1.18), {@code pgbouncer125}
 * (1.25, tracking {@code search_path}) or {@code direct}). The soak recorded in docs/pinning.md ran 1,000,000 through
 * PgBouncer: {@code mvn -B -ntp -pl driver -am verify -Dtest=TenantLeakTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dpgjdbc.oldest.skip=true -Dcitus.leak.ops=1000000
 * -Dcitus.leak.runs=pgbouncer-transaction}.
 */
class TenantLeakTest {

    static final int THREADS = 32;
    static final int DEFAULT_OPS = 4_800;
    static final int POOL = 8; // fewer connections than threads: connections change hands and tenants
    private static final List<String> TENANTS = new ArrayList<>();

    @BeforeAll
    static void tenants() throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        Set<String> existing = new HashSet<>(cluster.citus().tenants());
        for (int i = 0; i < THREADS; i++) {
            String name = String.format("leak_t%02d", i);
            TENANTS.add(name);
            if (!existing.contains(name)) {
                cluster.citus().createTenant(name, null, List.of(
                        "CREATE TABLE items (id bigint PRIMARY KEY, tenant text NOT NULL, v bigint NOT NULL DEFAULT 0)"),
                        cluster.user());
            }
        }
        // Rows go in once the tables are distributed.
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement()) {
            for (String name : TENANTS) {
                s.execute("INSERT INTO " + name + ".items (id, tenant) SELECT g, '" + name + "' FROM generate_series(1, 3) g"
                        + " WHERE NOT EXISTS (SELECT 1 FROM " + name + ".items)"); // no ON CONFLICT through postgres_fdw
            }
        }
    }

    /**
     * @return the runs: all, or those named in {@code citus.leak.runs} (e.g. {@code pgbouncer-transaction});
     *         {@code direct-auto} is session pinning (what {@code auto} picks without a pooler), so
     *         {@code direct-session} is not run again by default
     */
    static Stream<Arguments> runs() {
        String only = System.getProperty("citus.leak.runs",
                "pgbouncer-transaction,pgbouncer125-transaction,pgbouncer125-session,direct-transaction,"
                        + "direct-auto,pgbouncer125-auto,pgbouncer-auto");
        return Arrays.stream(only.split(",")).map(String::trim).map(r -> Arguments.of(r.substring(0, r.indexOf('-')),
                r.substring(r.indexOf('-') + 1)));
    }

    @ParameterizedTest(name = "{0}, tenantPinning={1}")
    @MethodSource("runs")
    void noRowOfAnotherTenantAndNothingLeftBehind(String via, String mode) throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode coordinator = cluster.coordinator();
        // pgbouncer: Debian's 1.18 (no tracking); pgbouncer125: 1.25 tracking search_path.
        boolean bouncer = via.startsWith("pgbouncer");
        String pg = via.equals("pgbouncer125") ? cluster.trackingBouncerJdbcUrl(coordinator)
                : bouncer ? cluster.bouncerJdbcUrl(coordinator) : cluster.jdbcUrl(coordinator);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:citus:" + pg.substring("jdbc:postgresql:".length()));
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(POOL);
        config.addDataSourceProperty("tenantPinning", mode);
        if (bouncer) {
            // auto: session pinning behind PgBouncer 1.25 (declared tracking), statement pinning behind 1.18.
            boolean tracking = via.equals("pgbouncer125") && !mode.equals("transaction");
            config.addDataSourceProperty("pooler", tracking ? "pgbouncer-transaction-tracking" : "pgbouncer-transaction");
        }
        int ops = Integer.getInteger("citus.leak.ops", DEFAULT_OPS);
        AtomicLong done = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        try (HikariDataSource pool = new HikariDataSource(config)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                Worker w = new Worker(pool, i, ops / THREADS, done, wrong, unexpected);
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        w.run();
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                }, "leak-" + i);
                threads.add(t);
                t.start();
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("leak test via %s, %s mode: %d operations by %d threads in %d ms, %d wrong-tenant rows,"
                + " %d unexpected errors%n", via, mode, done.get(), THREADS, ms, wrong.get(), unexpected.size());
        if (!unexpected.isEmpty()) {
            AssertionError e = new AssertionError(unexpected.size() + " unexpected errors; first: " + unexpected.peek());
            unexpected.stream().limit(5).forEach(e::addSuppressed);
            throw e;
        }
        assertEquals(0, wrong.get(), "wrong-tenant rows");
        assertTrue(done.get() >= ops - THREADS, "operations run: " + done.get());
        assertNothingLeftBehind(cluster, pg, bouncer);
    }

    /** Clients that never pinned: default search_path and isolation on every pooled server connection. */
    private static void assertNothingLeftBehind(LocalCluster cluster, String pg, boolean bouncer) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        p.setProperty("prepareThreshold", "0");
        List<Connection> held = new ArrayList<>();
        try {
            // Hold open transactions so that PgBouncer hands out each of its server connections.
            for (int i = 0; i < (bouncer ? 3 : 1); i++) {
                Connection c = java.sql.DriverManager.getConnection(pg, p);
                held.add(c);
                c.setAutoCommit(false);
                try (Statement s = c.createStatement()) {
                    assertEquals("\"$user\", public", one(s, "SHOW search_path"), "search_path left behind");
                    assertEquals("read committed", one(s, "SHOW transaction_isolation"), "isolation left behind");
                }
            }
        } finally {
            for (Connection c : held) {
                c.rollback();
                c.close();
            }
        }
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:citus:" + pg.substring("jdbc:postgresql:".length())
                + (bouncer ? "?pooler=pgbouncer-transaction" : ""), p); Statement s = c.createStatement()) {
            assertEquals("\"$user\", public", one(s, "SHOW search_path"), "an unpinned citus-jdbc client sees no tenant");
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** One thread: its own tenant, a random mix of units of work, every row checked. */
    private static final class Worker {
        private final HikariDataSource pool;
        private final int index;
        private final String tenant;
        private final int ops;
        private final AtomicLong done;
        private final AtomicLong wrong;
        private final ConcurrentLinkedQueue<Throwable> unexpected;
        private final Random random;
        private long nextId;

        Worker(HikariDataSource pool, int index, int ops, AtomicLong done, AtomicLong wrong,
               ConcurrentLinkedQueue<Throwable> unexpected) {
            this.pool = pool;
            this.index = index;
            this.tenant = TENANTS.get(index);
            this.ops = ops;
            this.done = done;
            this.wrong = wrong;
            this.unexpected = unexpected;
            this.random = new Random(index * 7919L + System.nanoTime());
            this.nextId = 1_000_000L * (index + 1);
        }

        void run() {
            for (int i = 0; i < ops; i++) {
                int op = random.nextInt(10);
                try {
                    switch (op) {
                        case 0 -> autocommitSelectBound();
                        case 1 -> setSchemaThenSelect();
                        case 2 -> insertUpdateDeleteAutocommit();
                        case 3 -> explicitTransaction();
                        case 4 -> rollbackLeavesNothing();
                        case 5 -> errorMidTransaction();
                        case 6 -> savepoint();
                        case 7 -> isolationLevel();
                        case 8 -> preparedAcrossTenants();
                        default -> leftoverSetSchemaLosesToScope();
                    }
                    done.incrementAndGet();
                } catch (Throwable e) {
                    unexpected.add(new AssertionError("thread " + index + " op " + op + ": " + e, e));
                }
                if (CitusTenants.current() != null) {
                    unexpected.add(new AssertionError("scope left bound"));
                }
            }
        }

        private void check(Statement s, String expected) throws SQLException {
            try (ResultSet rs = s.executeQuery("SELECT tenant FROM items WHERE id = " + (1 + random.nextInt(3)))) {
                checkRows(rs, expected);
            }
        }

        private void checkRows(ResultSet rs, String expected) throws SQLException {
            int n = 0;
            while (rs.next()) {
                n++;
                if (!expected.equals(rs.getString(1))) {
                    wrong.incrementAndGet();
                }
            }
            if (n != 1) {
                throw new AssertionError("expected one row of " + expected + ", got " + n);
            }
        }

        private void autocommitSelectBound() throws SQLException {
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                check(s, tenant);
                if (random.nextBoolean()) { // a CallableStatement's envelope must carry the tenant too
                    try (java.sql.CallableStatement cs = c.prepareCall("{? = call current_schema()}")) {
                        cs.registerOutParameter(1, java.sql.Types.VARCHAR);
                        cs.execute();
                        if (!tenant.equals(cs.getString(1))) {
                            wrong.incrementAndGet();
                        }
                    }
                }
            }
        }

        private void setSchemaThenSelect() throws SQLException {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                c.setSchema(tenant); // left behind on purpose: the next borrower binds a scope
                check(s, tenant);
            }
        }

        private void leftoverSetSchemaLosesToScope() throws SQLException {
            String other = TENANTS.get(random.nextInt(TENANTS.size()));
            try (Connection c = pool.getConnection()) {
                c.setSchema(other);
            }
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                check(s, tenant);
            }
        }

        private void insertUpdateDeleteAutocommit() throws SQLException {
            long id = nextId++;
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 PreparedStatement ins = c.prepareStatement("INSERT INTO items (id, tenant) VALUES (?, ?)");
                 Statement s = c.createStatement()) {
                ins.setLong(1, id);
                ins.setString(2, tenant);
                if (random.nextBoolean()) {
                    assertEquals(1, ins.executeUpdate());
                } else { // a batch: its envelope must carry the tenant too
                    long second = nextId++;
                    ins.addBatch();
                    ins.setLong(1, second);
                    ins.addBatch();
                    assertArrayEquals(new int[] {1, 1}, ins.executeBatch());
                    try (ResultSet rs = s.executeQuery("SELECT tenant FROM items WHERE id = " + second)) {
                        checkRows(rs, tenant);
                    }
                    assertEquals(1, s.executeUpdate("DELETE FROM items WHERE id = " + second));
                }
                assertEquals(1, s.executeUpdate("UPDATE items SET v = v + 1 WHERE id = " + id));
                try (ResultSet rs = s.executeQuery("SELECT tenant FROM items WHERE id = " + id)) {
                    checkRows(rs, tenant);
                }
                assertEquals(1, s.executeUpdate("DELETE FROM items WHERE id = " + id));
            }
        }

        private void explicitTransaction() throws SQLException {
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                if (random.nextBoolean()) { // a batch as the first statement carries the pin
                    try (PreparedStatement up = c.prepareStatement("UPDATE items SET v = v + 1 WHERE id = ? AND tenant = ?")) {
                        for (int id = 1; id <= 2; id++) {
                            up.setInt(1, id);
                            up.setString(2, tenant);
                            up.addBatch();
                        }
                        int[] counts = up.executeBatch();
                        if (counts.length != 2 || counts[0] != 1 || counts[1] != 1) {
                            wrong.incrementAndGet(); // the rows of this tenant were not where the batch ran
                        }
                    }
                }
                check(s, tenant);
                assertEquals(1, s.executeUpdate("UPDATE items SET v = v + 1 WHERE id = 1"));
                check(s, tenant);
                c.commit();
            }
        }

        private void rollbackLeavesNothing() throws SQLException {
            long id = nextId++;
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                s.executeUpdate("INSERT INTO items (id, tenant) VALUES (" + id + ", '" + tenant + "')");
                check(s, tenant);
                c.rollback();
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM items WHERE id = " + id)) {
                    rs.next();
                    assertEquals(0, rs.getInt(1), "rolled back");
                }
                c.commit();
            }
        }

        private void errorMidTransaction() throws SQLException {
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setAutoCommit(random.nextBoolean());
                if (!c.getAutoCommit()) {
                    check(s, tenant);
                }
                try {
                    s.execute("SELECT 1 / (v - v) FROM items WHERE id = 1");
                    throw new AssertionError("no division by zero");
                } catch (SQLException e) {
                    assertEquals("22012", e.getSQLState());
                }
                if (!c.getAutoCommit()) {
                    try {
                        s.execute("SELECT 1");
                        throw new AssertionError("no 25P02");
                    } catch (SQLException e) {
                        assertEquals("25P02", e.getSQLState());
                    }
                    c.rollback();
                }
                check(s, tenant);
                if (!c.getAutoCommit()) {
                    c.commit();
                }
            }
        }

        private void savepoint() throws SQLException {
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                Savepoint sp = c.setSavepoint();
                assertEquals(1, s.executeUpdate("UPDATE items SET v = v + 1 WHERE id = 2"));
                c.rollback(sp);
                check(s, tenant);
                c.commit();
            }
        }

        private void isolationLevel() throws SQLException {
            int level = random.nextBoolean() ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_SERIALIZABLE;
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setTransactionIsolation(level);
                c.setAutoCommit(false);
                try (ResultSet rs = s.executeQuery("SHOW transaction_isolation")) {
                    rs.next();
                    assertEquals(level == Connection.TRANSACTION_SERIALIZABLE ? "serializable" : "repeatable read",
                            rs.getString(1));
                }
                check(s, tenant);
                c.commit();
            }
        }

        private void preparedAcrossTenants() throws SQLException {
            String other = TENANTS.get(random.nextInt(TENANTS.size()));
            try (Connection c = pool.getConnection();
                 PreparedStatement ps = c.prepareStatement("SELECT tenant FROM items WHERE id = ?")) {
                ps.setInt(1, 1 + random.nextInt(3));
                try (CitusTenants.Scope scope = CitusTenants.bind(tenant); ResultSet rs = ps.executeQuery()) {
                    checkRows(rs, tenant);
                }
                try (CitusTenants.Scope scope = CitusTenants.bind(other); ResultSet rs = ps.executeQuery()) {
                    checkRows(rs, other);
                }
                c.setSchema(tenant);
                try (ResultSet rs = ps.executeQuery()) {
                    checkRows(rs, tenant);
                }
            }
        }
    }
}
