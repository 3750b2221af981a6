package io.github.citusjdbc.hibernate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusReadOnly;
import io.github.citusjdbc.CitusTenantAdmin;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.hibernate.Session;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.stat.Statistics;
import org.hibernate.tool.schema.spi.SchemaManagementException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Hibernate 6 over citus-jdbc through the coordinator's PgBouncer in transaction mode (pool
 * size 3), with HikariCP in between: schema-per-tenant isolation, tenant switches, the second-level
 * cache, per-tenant schema validation and the state connections go back to the pool with.
 */
class CitusHibernateTest {
    static final String PREFIX = "hib_";
    static final int TENANTS = 8;
    static final String DDL = "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(255), owner varchar(255));"
            + " CREATE TABLE purchase (id bigint PRIMARY KEY, customer_id bigint REFERENCES customer (id),"
            + " item varchar(255), owner varchar(255))";

    static LocalCluster cluster;
    static HikariDataSource pool;
    static SessionFactory sessions;
    static CitusTenantAdmin admin;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.shared();
        pool = pool(4);
        admin = CitusTenantAdmin.of(pool);
        for (int i = 0; i < TENANTS; i++) {
            String t = tenant(i);
            if (admin.tenants().contains(t)) {
                admin.dropTenant(t); // an earlier run's leftovers on an attached cluster
            }
            admin.createTenant(t, DDL);
        }
        // Configured by names, as from hibernate.properties: the provider takes the pool from hibernate.connection.datasource.
        sessions = sessionFactory(new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.DATASOURCE, pool)
                .applySetting(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, CitusMultiTenantConnectionProvider.class.getName())
                .applySetting(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, CitusTenantIdentifierResolver.class.getName()));
    }

    static HikariDataSource pool(int size) {
        HikariConfig config = new HikariConfig();
        String pg = cluster.bouncerJdbcUrl(cluster.coordinator());
        config.setJdbcUrl("jdbc:citus:" + pg.substring("jdbc:postgresql:".length()));
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(size);
        config.addDataSourceProperty("pooler", "pgbouncer-transaction");
        return new HikariDataSource(config);
    }

    /** With the second-level cache (JCache over Caffeine; one cache manager per JVM, so only one such factory). */
    static SessionFactory sessionFactory(StandardServiceRegistryBuilder builder) {
        StandardServiceRegistry registry = builder
                .applySetting(AvailableSettings.USE_SECOND_LEVEL_CACHE, true)
                .applySetting(AvailableSettings.CACHE_REGION_FACTORY, "jcache")
                .applySetting("hibernate.javax.cache.provider", "com.github.benmanes.caffeine.jcache.spi.CaffeineCachingProvider")
                .applySetting("hibernate.javax.cache.missing_cache_strategy", "create")
                .applySetting(AvailableSettings.GENERATE_STATISTICS, true)
                .build();
        return new MetadataSources(registry).addAnnotatedClass(Customer.class).addAnnotatedClass(Purchase.class)
                .buildMetadata().buildSessionFactory();
    }

    @AfterAll
    static void stop() throws SQLException {
        if (sessions != null) {
            sessions.close();
        }
        if (admin != null) {
            for (int i = 0; i < TENANTS; i++) {
                admin.dropTenant(tenant(i));
            }
        }
        if (pool != null) {
            pool.close();
        }
    }

    static String tenant(int i) {
        return PREFIX + i;
    }

    /**
     * Reads the tenant's rows in read-only sessions (routed to a standby, which replays
     * asynchronously): every read must hold only the tenant's own rows; the count may lag the
     * writes just committed, so it is awaited for a bounded time (the stale-read rule of docs/routing.md).
     */
    private static void readOwnRows(String t, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (true) {
            int seen;
            try (CitusReadOnly.Scope ro = CitusReadOnly.begin();
                 Session s = sessions.withOptions().tenantIdentifier(t).openSession()) {
                s.beginTransaction();
                List<Purchase> all = s.createSelectionQuery("from Purchase p join fetch p.customer", Purchase.class)
                        .getResultList();
                for (Purchase p : all) {
                    assertEquals(t, p.getOwner(), "purchase read in " + t);
                    assertEquals(t, p.getCustomer().getOwner(), "customer read in " + t);
                }
                s.getTransaction().commit();
                seen = all.size();
            }
            if (seen == expected || System.nanoTime() > deadline) {
                assertEquals(expected, seen, t + ": rows visible to read-only work after replay");
                return;
            }
            Thread.sleep(20); // the standby has not replayed the last commit yet
        }
    }

    @Test
    void concurrentSessionsForEightTenantsReadOnlyTheirOwnRows() throws Exception {
        int rounds = 12;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < TENANTS; i++) {
            String t = tenant(i);
            boolean bind = i % 2 == 0; // half take the tenant from the thread binding, half name it on the session
            threads.add(new Thread(() -> {
                try {
                    go.await();
                    for (int r = 0; r < rounds; r++) {
                        long id = 1000 + r; // the same ids in every tenant: a mix-up cannot hide behind a missing id
                        try (CitusTenants.Scope scope = bind ? CitusTenants.bind(t) : null;
                             Session s = bind ? sessions.openSession() : sessions.withOptions().tenantIdentifier(t).openSession()) {
                            s.beginTransaction();
                            Customer c = new Customer(id, "c" + r, t);
                            s.persist(c);
                            s.persist(new Purchase(id, c, "item" + r, t));
                            s.getTransaction().commit();
                        }
                        readOwnRows(t, r + 1);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(failures.size() + " thread(s) failed");
            failures.forEach(e::addSuppressed);
            throw e;
        }
        // Seen from outside Hibernate: each tenant holds exactly its own rows.
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement()) {
            for (int i = 0; i < TENANTS; i++) {
                try (ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE owner = '" + tenant(i) + "')"
                        + " FROM " + tenant(i) + ".customer WHERE id BETWEEN 1000 AND 1999")) {
                    rs.next();
                    assertEquals(rounds, rs.getInt(1), tenant(i));
                    assertEquals(rounds, rs.getInt(2), tenant(i));
                }
            }
        }
    }

    @Test
    void switchingTenantsWithinOneThreadFollowsEachSession() throws SQLException {
        String a = tenant(0);
        String b = tenant(1);
        write(a, 2001, "switch-a");
        write(b, 2001, "switch-b");
        try (CitusTenants.Scope outer = CitusTenants.bind(a)) {
            assertEquals("switch-a", name(2001));
            try (CitusTenants.Scope inner = CitusTenants.bind(b)) {
                assertEquals("switch-b", name(2001));
            }
            assertEquals("switch-a", name(2001)); // back to the outer binding
        }
        try (Session s = sessions.withOptions().tenantIdentifier(b).openSession()) {
            assertEquals("switch-b", s.find(Customer.class, 2001L).getName());
        }
    }

    @Test
    void secondLevelCacheKeepsTenantsApart() throws SQLException {
        String a = tenant(2);
        String b = tenant(3);
        write(a, 3001, "cached-a");
        write(b, 3001, "cached-b");
        sessions.getCache().evictAllRegions();
        Statistics stats = sessions.getStatistics();
        stats.clear();
        try (Session s = sessions.withOptions().tenantIdentifier(a).openSession()) {
            assertEquals("cached-a", s.find(Customer.class, 3001L).getName()); // miss, then put
        }
        try (Session s = sessions.withOptions().tenantIdentifier(a).openSession()) {
            assertEquals("cached-a", s.find(Customer.class, 3001L).getName()); // hit
        }
        assertEquals(1, stats.getSecondLevelCacheHitCount(), "the cache is in use");
        try (Session s = sessions.withOptions().tenantIdentifier(b).openSession()) {
            assertEquals("cached-b", s.find(Customer.class, 3001L).getName(), "same id, other tenant: not a's cached row");
        }
        assertEquals(1, stats.getSecondLevelCacheHitCount(), "b's read did not hit a's entry");
        for (String t : List.of(a, b)) { // both entries now cached, each under its own tenant
            try (Session s = sessions.withOptions().tenantIdentifier(t).openSession()) {
                assertEquals(t.equals(a) ? "cached-a" : "cached-b", s.find(Customer.class, 3001L).getName());
            }
        }
        assertEquals(3, stats.getSecondLevelCacheHitCount());
    }

    @Test
    void schemaValidatesPerTenantAndCatchesADriftedTenant() throws SQLException {
        for (int i = 0; i < TENANTS; i++) {
            validate(tenant(i)); // hbm2ddl.auto=validate against that tenant's schema
        }
        String drifted = PREFIX + "drifted";
        if (admin.tenants().contains(drifted)) {
            admin.dropTenant(drifted);
        }
        admin.createTenant(drifted, "CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(255));"
                + " CREATE TABLE purchase (id bigint PRIMARY KEY, customer_id bigint, item varchar(255), owner varchar(255))");
        try {
            SchemaManagementException e = assertThrows(SchemaManagementException.class, () -> validate(drifted));
            assertTrue(e.getMessage().contains("owner"), e.getMessage());
        } finally {
            admin.dropTenant(drifted);
        }
    }

    /** Hibernate's validation of one tenant: a throw-away metadata build with that tenant as default schema. */
    static void validate(String tenant) {
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                .applySetting(AvailableSettings.DATASOURCE, pool)
                .applySetting(AvailableSettings.DEFAULT_SCHEMA, tenant)
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "validate")
                .applySetting(AvailableSettings.USE_SECOND_LEVEL_CACHE, false) // closing it must not close the shared cache
                .applySetting(AvailableSettings.CACHE_REGION_FACTORY, "none")
                // Emulation only: off the holder a tenant table is a postgres_fdw foreign table (testkit README, difference 2).
                .applySetting(AvailableSettings.EXTRA_PHYSICAL_TABLE_TYPES, "FOREIGN TABLE")
                .build();
        try {
            new MetadataSources(registry).addAnnotatedClass(Customer.class).addAnnotatedClass(Purchase.class)
                    .buildMetadata().buildSessionFactory().close();
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }

    @Test
    void connectionsGoBackToThePoolWithNoTenantIsolationOrReadOnly() throws SQLException {
        try (HikariDataSource small = pool(2)) {
            CitusMultiTenantConnectionProvider provider = new CitusMultiTenantConnectionProvider(small); // programmatic
            StandardServiceRegistry registry = new StandardServiceRegistryBuilder()
                    .applySetting(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, provider)
                    .applySetting(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new CitusTenantIdentifierResolver())
                    .applySetting(AvailableSettings.USE_SECOND_LEVEL_CACHE, false) // closing it must not close the shared cache
                .applySetting(AvailableSettings.CACHE_REGION_FACTORY, "none")
                    .build();
            try (SessionFactory sf = new MetadataSources(registry).addAnnotatedClass(Customer.class)
                    .addAnnotatedClass(Purchase.class).buildMetadata().buildSessionFactory()) {
                for (int i = 0; i < 6; i++) {
                    String t = tenant(i);
                    try (CitusReadOnly.Scope ro = CitusReadOnly.begin();
                         Session s = sf.withOptions().tenantIdentifier(t).openSession()) {
                        s.beginTransaction();
                        s.doWork(c -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE));
                        s.doWork(c -> {
                            assertTrue(c.isReadOnly(), "read-only scope reached JDBC");
                            assertEquals(t, c.getSchema(), "pinned");
                            SQLException e = assertThrows(SQLException.class, () -> {
                                try (Statement st = c.createStatement()) {
                                    st.execute("INSERT INTO customer (id) VALUES (-1)");
                                }
                            });
                            assertEquals("25006", e.getSQLState(), e.getMessage());
                        });
                        s.getTransaction().rollback();
                    }
                }
            }
            for (int i = 0; i < 2; i++) { // borrow the pool's connections: nothing left on them
                try (Connection a = small.getConnection(); Connection b = small.getConnection()) {
                    for (Connection c : List.of(a, b)) {
                        assertFalse(c.isReadOnly());
                        assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation());
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('search_path'),"
                                + " current_setting('transaction_isolation'), current_setting('transaction_read_only')")) {
                            rs.next();
                            assertEquals("\"$user\", public", rs.getString(1));
                            assertEquals("read committed", rs.getString(2));
                            assertEquals("off", rs.getString(3));
                        }
                    }
                }
            }
        }
        // And the PgBouncer server connections behind it: a raw client sees the defaults too.
        try (Connection raw = cluster.bouncerConnection(cluster.coordinator()); Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('search_path'), current_setting('transaction_isolation')")) {
            rs.next();
            assertEquals("\"$user\", public", rs.getString(1));
            assertEquals("read committed", rs.getString(2));
        }
    }

    @Test
    void aConnectionReleasedInsideAnOpenReadOnlyTransactionIsRolledBackAndReset() throws SQLException {
        try (HikariDataSource one = pool(1)) {
            CitusMultiTenantConnectionProvider provider = new CitusMultiTenantConnectionProvider(one);
            Connection c;
            try (CitusReadOnly.Scope ro = CitusReadOnly.begin()) {
                c = provider.getConnection(tenant(0));
            }
            assertTrue(c.isReadOnly());
            c.setAutoCommit(false);
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM customer")) {
                assertTrue(rs.next());
            }
            // What a session closed after an exception does: release with the transaction still open.
            provider.releaseConnection(tenant(0), c);
            try (Connection again = one.getConnection()) {
                assertFalse(again.isReadOnly(), "read-only must not survive the release");
                assertTrue(again.getAutoCommit(), "the pool resets autocommit");
                try (var st = again.createStatement(); var rs = st.executeQuery("SELECT current_schema()")) {
                    assertTrue(rs.next());
                    assertFalse(String.valueOf(rs.getString(1)).startsWith(PREFIX), "no tenant left pinned: " + rs.getString(1));
                }
            }
        }
    }

    @Test
    void aSessionForAnotherTenantThanTheThreadsBindingIsRefused() throws SQLException {
        try (CitusTenants.Scope scope = CitusTenants.bind(tenant(0));
             Session s = sessions.withOptions().tenantIdentifier(tenant(1)).openSession()) {
            Exception e = assertThrows(Exception.class, () -> s.find(Customer.class, 1L));
            assertTrue(String.valueOf(e.getMessage()).contains("bound") || e.getCause() != null, e.toString());
        }
    }

    @Test
    void hostileTenantIdentifierIsRefusedBeforeAnythingIsSent() {
        try (Session s = sessions.withOptions().tenantIdentifier("x\"; DROP SCHEMA public; --").openSession()) {
            Exception e = assertThrows(Exception.class, () -> s.find(Customer.class, 1L));
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            assertTrue(root instanceof SQLException && "42602".equals(((SQLException) root).getSQLState()), root.toString());
        }
    }

    private static void write(String tenant, long id, String name) {
        try (Session s = sessions.withOptions().tenantIdentifier(tenant).openSession()) {
            s.beginTransaction();
            Customer existing = s.find(Customer.class, id);
            if (existing != null) {
                s.remove(existing);
                s.flush();
            }
            s.persist(new Customer(id, name, tenant));
            s.getTransaction().commit();
        }
    }

    private static String name(long id) {
        try (Session s = sessions.openSession()) {
            return s.find(Customer.class, id).getName();
        }
    }
}
