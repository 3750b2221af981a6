package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.awaitTenants;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -9} of worker 1's standby under a read-only load of 8 threads for a tenant it serves,
 * directly and through each node's PgBouncer ({@code nodeAddressMap}): reads continue on the
 * fallback, only statements in flight at the kill may fail (08xxx, 57P0x), and once the standby is
 * back reads return to it within the back-off cap. A private cluster (it kills a server).
 */
class StandbyKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(StandbyKillTest.class);
    private static final int THREADS = 8;
    private static LocalCluster cluster;
    private static ClusterNode standby;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        standby = cluster.standbyOf(cluster.worker(1));
        cluster.citus().createTenant("sk_a", cluster.worker(1), List.of("CREATE TABLE t(id int)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), standby);
        cluster.waitForReplay(cluster.coordinator(), cluster.standbyOf(cluster.coordinator()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void directly() throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?"
                + ClusterChangesRoutingTest.FAST;
        killUnderLoad(url, standby.port());
    }

    @Test
    void throughEachNodesPgBouncer() throws Exception {
        String map = cluster.nodeAddressMap(ClusterNode::bouncerAddress);
        String url = "jdbc:citus://" + cluster.coordinator().bouncerAddress() + "/" + cluster.database() + "?"
                + ClusterChangesRoutingTest.FAST + "&pooler=pgbouncer-transaction&nodeAddressMap=" + map;
        killUnderLoad(url, standby.port());
    }

    /**
     * A read-only transaction whose standby dies: the statement in flight fails with a connection error,
     * and once the application has ended the transaction (its rollback may report the dead connection,
     * as pgjdbc's does) the next unit of work of the same logical connection runs on another node.
     */
    @Test
    void aTransactionWhoseStandbyDiesFailsAloneAndTheNextUnitRunsElsewhere() throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?"
                + ClusterChangesRoutingTest.FAST;
        awaitTenants(url, app(cluster), "sk_a");
        try (Connection c = DriverManager.getConnection(url, app(cluster))) {
            c.setReadOnly(true);
            c.setSchema("sk_a");
            c.setAutoCommit(false);
            assertEquals(standby.port(), Served.by(c).port(), "the transaction runs on the tenant's standby");
            cluster.kill(standby);
            SQLException inFlight = assertThrows(SQLException.class, () -> Served.by(c));
            assertTrue(inFlight.getSQLState().startsWith("08") || inFlight.getSQLState().startsWith("57P0"),
                    inFlight.getSQLState() + " " + inFlight.getMessage());
            try {
                c.rollback();
            } catch (SQLException deadConnection) {
                assertTrue(deadConnection.getSQLState().startsWith("08"), deadConnection.getSQLState());
            }
            Served next = Served.by(c);
            assertTrue(next.port() != standby.port(), "the next unit of work runs elsewhere");
            c.commit();
            c.setAutoCommit(true);
            assertTrue(Served.by(c).port() != standby.port(), "and so does the next autocommit statement");
        } finally {
            cluster.start(standby);
            cluster.waitForReplay(cluster.worker(1), standby);
        }
    }

    /**
     * While the tenant's standby is down, read-only transactions (autocommit off, one every few
     * milliseconds) keep succeeding: a transaction routed to the standby when its back-off expires
     * cannot connect, has sent nothing, and moves on to the fallback instead of failing.
     */
    @Test
    void readOnlyTransactionsKeepSucceedingWhileTheStandbyIsDown() throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database() + "?"
                + ClusterChangesRoutingTest.FAST;
        awaitTenants(url, app(cluster), "sk_a");
        try (Connection c = DriverManager.getConnection(url, app(cluster))) {
            c.setReadOnly(true);
            c.setSchema("sk_a");
            c.setAutoCommit(false);
            assertEquals(standby.port(), Served.by(c).port());
            c.commit();
            cluster.kill(standby);
            long end = System.nanoTime() + 4_000_000_000L; // several back-off expiries (FAST: 200 ms to 1 s)
            int units = 0;
            List<String> failures = new ArrayList<>();
            boolean first = true;
            while (System.nanoTime() < end) {
                try {
                    Served s = Served.by(c);
                    assertTrue(s.port() != standby.port(), "nothing served by the dead standby");
                    c.commit();
                    units++;
                } catch (SQLException e) {
                    if (!first) {
                        failures.add(e.getSQLState() + " " + e.getMessage());
                    }
                    try {
                        c.rollback();
                    } catch (SQLException ignored) {
                        // the dead physical connection: the unit is over either way
                    }
                }
                first = false;
                Thread.sleep(5);
            }
            LOG.info("{} read-only transactions while the standby was down, {} failed after the first", units,
                    failures.size());
            assertTrue(units > 100, "units run: " + units);
            assertEquals(List.of(), failures, "no transaction failed beyond the one in flight at the kill");
        } finally {
            cluster.start(standby);
            cluster.waitForReplay(cluster.worker(1), standby);
        }
    }

    private record Sample(long nanos, int port, String sqlState) {
    }

    private static void killUnderLoad(String url, int standbyPort) throws Exception {
        awaitTenants(url, app(cluster), "sk_a");
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < THREADS; i++) {
            threads.add(new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, app(cluster))) {
                    c.setReadOnly(true);
                    c.setSchema("sk_a");
                    while (!stop.get()) {
                        try {
                            // Autocommit units, each routed on its own: the server says which node ran it. No
                            // tenant table in it: Citus would push such a query down to the worker holding the shard.
                            Served s = Served.by(c);
                            samples.add(new Sample(System.nanoTime(), s.port(), null));
                        } catch (SQLException e) {
                            samples.add(new Sample(System.nanoTime(), -1, e.getSQLState()));
                            LOG.info("read failed: {} {}", e.getSQLState(), e.getMessage());
                        }
                    }
                } catch (Throwable t) {
                    unexpected.add(t);
                }
            }, "reader-" + i));
        }
        threads.forEach(Thread::start);
        try {
            LocalCluster.waitUntil(() -> samples.stream().filter(s -> s.port == standbyPort).count() > 50,
                    java.time.Duration.ofSeconds(15), "reads on the standby before the kill");
            long killed = System.nanoTime();
            cluster.kill(standby);
            Thread.sleep(2_500);
            long restarting = System.nanoTime();
            cluster.start(standby);
            long started = System.nanoTime();
            LocalCluster.waitUntil(() -> samples.stream().anyMatch(s -> s.nanos > started && s.port == standbyPort),
                    java.time.Duration.ofSeconds(10), "reads back on the standby");
            long back = samples.stream().filter(s -> s.nanos > started && s.port == standbyPort)
                    .mapToLong(Sample::nanos).min().orElseThrow();
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
            List<Sample> errors = samples.stream().filter(s -> s.sqlState != null).toList();
            long servedWhileDown = samples.stream()
                    .filter(s -> s.nanos > killed + 500_000_000L && s.nanos < restarting && s.sqlState == null).count();
            long standbyWhileDown = samples.stream()
                    .filter(s -> s.nanos > killed + 500_000_000L && s.nanos < restarting && s.port == standbyPort).count();
            LOG.info("{}: {} reads, {} failed {}, {} served while the standby was down, back {} ms after its start",
                    url.contains("pgbouncer") ? "PgBouncer" : "direct", samples.size(), errors.size(),
                    errors.stream().map(Sample::sqlState).toList(), servedWhileDown, (back - started) / 1_000_000);
            assertTrue(unexpected.isEmpty(), "threads failed: " + unexpected);
            assertTrue(errors.size() <= THREADS, "at most the statements in flight at the kill failed: " + errors);
            for (Sample e : errors) {
                assertTrue(e.sqlState.startsWith("08") || e.sqlState.startsWith("57P0"), "failure class: " + e.sqlState);
                assertTrue(e.nanos < killed + 3_000_000_000L, "failed only around the kill");
            }
            assertTrue(servedWhileDown > 0, "reads continued through the fallback");
            assertTrue(standbyWhileDown == 0, "nothing served by a dead standby");
            // back-off cap 1 s + topology refresh 1 s + the standby's start-up.
            assertTrue(back - started <= 4_000_000_000L, "back on the standby within the back-off cap: "
                    + (back - started) / 1_000_000 + " ms");
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(20_000);
            }
            if (!cluster.isRunning(standby)) {
                cluster.start(standby);
            }
        }
    }
}
