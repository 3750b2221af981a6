package io.github.citusjdbc.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
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

import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pg_terminate_backend} of the application's backends on every primary, every 250 ms, under
 * a HikariCP pool of citus-jdbc connections writing a tenant with {@code tenantRouting=affinity}:
 * only operations in flight fail, with 57P01 or a connection-class SQLState, the pool replaces the
 * connections, work goes on, every acknowledged insert is there at the end, and every other row is
 * one whose insert failed (a backend terminated after its commit but before it answered: the
 * ambiguous outcome any client of any database has, which the application sees as a failure).
 */
class TerminatedBackendsTest {
    private static final String APP = "terminated-backends-test";

    @Test
    void terminatedBackendsFailOnlyTheOperationInFlightAndLoseNoAcknowledgedWrite() throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        cluster.citus().createTenant("tb_a", cluster.worker(1), List.of("CREATE TABLE items (id bigint PRIMARY KEY)"),
                cluster.user());
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?tenantRouting=affinity&ApplicationName=" + APP + "&" + ClusterChangesRoutingTest.FAST;
        awaitTenants(url, Served.app(cluster), "tb_a");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(4);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acknowledged = new AtomicLong();
        java.util.Set<Long> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Set<Long> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        int terminated = 0;
        try (HikariDataSource pool = new HikariDataSource(config)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long base = (long) t << 32;
                threads.add(new Thread(() -> {
                    for (long i = base; !stop.get(); i++) {
                        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                            c.setSchema("tb_a");
                            s.executeUpdate("INSERT INTO items VALUES (" + i + ")");
                            acknowledged.incrementAndGet();
                            acked.add(i);
                        } catch (SQLException e) {
                            failed.add(i);
                            String state = String.valueOf(e.getSQLState());
                            if (state.equals("57P01") || state.startsWith("08")) {
                                failures.add(state);
                            } else {
                                unexpected.add(e);
                            }
                        } catch (Throwable e) {
                            unexpected.add(e);
                        }
                    }
                }, "writer-" + t));
            }
            threads.forEach(Thread::start);
            long end = System.nanoTime() + 4_000_000_000L;
            while (System.nanoTime() < end) {
                Thread.sleep(250);
                for (ClusterNode n : cluster.primaryNodes()) {
                    try (Connection admin = cluster.admin(n); Statement s = admin.createStatement();
                         ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                 + " WHERE application_name = '" + APP + "'")) {
                        rs.next();
                        terminated += rs.getInt(1);
                    }
                }
            }
            long before = acknowledged.get();
            Thread.sleep(500); // no more terminations: work must go on
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
            assertTrue(acknowledged.get() > before, "writes go on after the terminations");
        }
        assertEquals(List.of(), new ArrayList<>(unexpected), "only connection failures");
        assertTrue(terminated > 0, "backends were terminated");
        java.util.Set<Long> stored = new java.util.HashSet<>();
        try (Connection c = cluster.appConnection(cluster.coordinator()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM tb_a.items")) {
            while (rs.next()) {
                stored.add(rs.getLong(1));
            }
        }
        java.util.Set<Long> lost = new java.util.HashSet<>(acked);
        lost.removeAll(stored);
        assertEquals(java.util.Set.of(), lost, "acknowledged inserts lost");
        java.util.Set<Long> unacknowledged = new java.util.HashSet<>(stored);
        unacknowledged.removeAll(acked);
        java.util.Set<Long> neverAttempted = new java.util.HashSet<>(unacknowledged);
        neverAttempted.removeAll(failed);
        assertEquals(java.util.Set.of(), neverAttempted, "rows nobody inserted");
        System.out.printf("terminated %d backends: %d inserts acknowledged, %d failed (%s), %d of the failed ones"
                + " committed before the backend died%n", terminated, acknowledged.get(), failures.size(),
                new java.util.TreeSet<>(failures), unacknowledged.size());
        cluster.citus().dropTenant("tb_a");
    }
}
