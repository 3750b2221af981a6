package io.github.citusjdbc.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.faults.Fault;
import io.github.citusjdbc.testkit.faults.FaultSchedule;
import io.github.citusjdbc.testkit.faults.Faults;
import io.github.citusjdbc.testkit.faults.Ledger;
import io.github.citusjdbc.testkit.faults.Workload;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault harness, CI-sized: a HikariCP pool of citus-jdbc connections running every kind of unit
 * of work over six tenants while faults are injected one after the other (seeded order), through
 * PgBouncer 1.18, through PgBouncer 1.25 and directly, with default settings. Checked after each run:
 * no read or write crossed a tenant, every acknowledged write is stored and nothing rolled back is,
 * only the operations the faults hit failed and only with a connection-class SQLState, the work went
 * on after each fault, and once the pool and the data source are closed no connection of the
 * application is left on any node or PgBouncer, and no password appears in the run's log lines, the
 * failures' messages or the data source's description. The outage of each fault is printed. A private
 * cluster. Every run also stalls worker 1's standby and resets connections in the middle of its results,
 * through the kit's relay (before the standby, or on the pooled paths before its PgBouncer); the last
 * run then fails worker 1 and the coordinator over, for good (its URL names the coordinator and its
 * standby, as a Patroni-style host list does).
 *
 * <p>PgBouncer 1.18.0 exits when a server connection whose cancel request is in flight is terminated
 * (a query timeout's cancel meeting "terminate backends"; pgbouncer#927). The kit starts an exited
 * PgBouncer again as systemd's {@code Restart=on-failure} would ({@link LocalCluster#superviseBouncers()});
 * a run prints each such restart and fails on any other exit of a PgBouncer.
 *
 * <p>Tenant moves run in {@code block_writes} mode: a move in the logical mode loses some
 * acknowledged writes on Citus 12.1 whatever the client (raw pgjdbc included; docs/facts.md, "Tenant
 * moves"), so no client could pass the "nothing lost" check with it. {@code LogicalMoveProbe} in the
 * benchmarks module shows it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultHarnessTest {
    private static final String APP = "fault-harness";
    private static final long SEED = Long.getLong("faults.seed", 20261204L);
    private static final Duration HOLD = Duration.ofMillis(1500);
    private static final Duration QUIET = Duration.ofMillis(2500);
    private static final List<String> TENANTS = List.of("fh_1", "fh_2", "fh_3", "fh_4", "fh_5", "fh_6");
    /**
     * How PgBouncer 1.18.0 exits when a server connection whose cancel request is in flight gets a message
     * or is lost (pgbouncer#815, #927): the only exit of a PgBouncer a run accepts (docs/faults.md).
     */
    private static final Pattern KNOWN_118_EXIT = Pattern.compile(
            "^PgBouncer 1\\.18 of .* FATAL @src/\\w+\\.c:\\d+ in function \\w+\\(\\): .*bad (server |client )?state: \\d+");
    private static LocalCluster cluster;
    private static ClusterNode coordinatorStandby;
    private static Workload lastWorkload; // the workload of the last run(), for checks by fault

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        coordinatorStandby = cluster.standbyOf(cluster.coordinator());
        cluster.superviseBouncers(); // PgBouncer 1.18.0 may exit on a known bug: started again as systemd would
        for (int i = 0; i < TENANTS.size(); i++) {
            String t = TENANTS.get(i);
            cluster.citus().createTenant(t, cluster.worker(1 + i % 2), Workload.tenantDdl(t), cluster.user());
        }
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void throughPgBouncer118() throws Exception {
        ClusterNode coordinator = cluster.coordinator();
        try (RoundTripRelay relay = relayBefore(standbyOfWorker1().bouncerAddress())) {
            String url = "jdbc:citus://" + coordinator.bouncerAddress() + "/" + cluster.database()
                    + "?pooler=pgbouncer-transaction&nodeAddressMap=" + cluster.nodeAddressMap(
                            n -> n == standbyOfWorker1() ? relay.address() : n.bouncerAddress());
            run("PgBouncer 1.18", url, bouncerFaults(relay), true);
        }
    }

    @Test
    @Order(2)
    void throughPgBouncer125() throws Exception {
        ClusterNode coordinator = cluster.coordinator();
        try (RoundTripRelay relay = relayBefore(standbyOfWorker1().trackingBouncerAddress())) {
            String url = "jdbc:citus://" + coordinator.trackingBouncerAddress() + "/" + cluster.database()
                    + "?pooler=pgbouncer-transaction-tracking&nodeAddressMap=" + cluster.nodeAddressMap(
                            n -> n == standbyOfWorker1() ? relay.address() : n.trackingBouncerAddress());
            run("PgBouncer 1.25", url, bouncerFaults(relay), true);
        }
    }

    @Test
    @Order(3)
    void directlyWithAffinityAndWorkerAndCoordinatorFailovers() throws Exception {
        ClusterNode standby = cluster.standbyOf(cluster.worker(1));
        Map<String, FaultSchedule.Report> reports;
        try (RoundTripRelay relay = RoundTripRelay.start(standby.host(), standby.port())) {
            String url = "jdbc:citus://" + cluster.coordinator().address() + "," + coordinatorStandby.address() + "/"
                    + cluster.database() + "?tenantRouting=affinity&nodeAddressMap=" + standby.address() + "=" + relay.address();
            List<Fault> faults = new ArrayList<>(commonFaults());
            faults.add(Faults.stall(relay, standby));
            faults.add(Faults.resetMidResult(relay, standby, 3));
            faults.add(Faults.stopAndStart(cluster, cluster.worker(1))); // its primary down, its standby up
            faults.add(Faults.failOver(cluster, cluster.worker(1)));
            faults.add(Faults.failOver(cluster, cluster.coordinator()));
            reports = run("directly", url, faults, false);
        }
        FaultSchedule.Report primaryDown = reports.get("worker1 stopped");
        long windowEnd = primaryDown.startNanos() + HOLD.toNanos() + QUIET.toNanos();
        List<Workload.Failure> readOnlyFailures = lastWorkload.failures().stream()
                .filter(f -> f.nanos() >= primaryDown.startNanos() && f.nanos() < windowEnd)
                .filter(f -> f.unit().equals("READ_ONLY"))
                .toList();
        // worker 1's tenants read on its standby, worker 2's on worker 2: none of them needs the dead primary
        assertEquals(List.of(), readOnlyFailures, "read-only work goes on while worker 1's primary is down");
        // The failover's first part is the servers': the primary stopped, its standby promoted and put in
        // its place in pg_dist_node (0.4-2 s on two busy cores). What the driver answers for is the rest:
        // once the cluster has its new shape, work follows it within a second.
        FaultSchedule.Report failover = reports.get("failover of worker1");
        assertTrue(failover.afterInjected().compareTo(Duration.ofSeconds(1)) < 0,
                "work follows a worker failover within 1 s of its end (the standby promoted and registered), its last"
                        + " failure came " + failover.afterInjected() + " after (the failover itself took "
                        + failover.injected() + ")");
    }

    /** @return the coordinator, or its promoted standby once it was failed over */
    private static ClusterNode coordinatorPrimary() {
        return cluster.isRunning(cluster.coordinator()) ? cluster.coordinator() : coordinatorStandby;
    }

    private static List<Fault> commonFaults() {
        ClusterNode worker1 = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(worker1);
        List<ClusterNode> workers = List.of(worker1, cluster.worker(2));
        return List.of(
                Faults.terminateBackends(cluster, APP),
                Faults.killAndRestart(cluster, standby),
                Faults.pauseReplay(cluster, standby),
                Faults.moveTenant(cluster, "fh_1", workers, "block_writes"),
                Faults.moveTenant(cluster, "fh_2", workers, "block_writes"));
    }

    private static ClusterNode standbyOfWorker1() {
        return cluster.standbyOf(cluster.worker(1));
    }

    /** A relay before worker 1's standby's PgBouncer ({@code host:port}): the stall and reset faults act on it. */
    private static RoundTripRelay relayBefore(String bouncer) throws IOException {
        int colon = bouncer.lastIndexOf(':');
        return RoundTripRelay.start(bouncer.substring(0, colon), Integer.parseInt(bouncer.substring(colon + 1)));
    }

    /** @param relay the relay before worker 1's standby's PgBouncer */
    private static List<Fault> bouncerFaults(RoundTripRelay relay) {
        List<Fault> faults = new ArrayList<>(commonFaults());
        faults.add(Faults.stall(relay, standbyOfWorker1()));
        faults.add(Faults.resetMidResult(relay, standbyOfWorker1(), 3));
        faults.add(Faults.restartBouncers(cluster, cluster.coordinator()));
        faults.add(Faults.pauseBouncers(cluster, cluster.coordinator()));
        faults.add(Faults.restartBouncers(cluster, cluster.worker(1)));
        return faults;
    }

    private static Map<String, FaultSchedule.Report> run(String path, String url, List<Fault> faults, boolean bouncers)
            throws Exception {
        int restartsBefore = cluster.bouncerRestarts().size();
        try (Connection c = cluster.admin(cluster.coordinator()); Statement s = c.createStatement()) {
            for (String t : TENANTS) {
                s.execute("TRUNCATE " + t + "." + Workload.TABLE);
            }
        }
        CitusDataSource citus = new CitusDataSource();
        citus.setUrl(url + "&ApplicationName=" + APP);
        citus.setUser(cluster.user());
        citus.setPassword(cluster.password());
        HikariConfig config = new HikariConfig();
        config.setDataSource(citus);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(10_000);
        Workload workload;
        List<FaultSchedule.Report> reports;
        PrintStream err = System.err;
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        System.setErr(new PrintStream(tee(err, logs), true, StandardCharsets.UTF_8)); // slf4j-simple writes here
        try (HikariDataSource pool = new HikariDataSource(config)) {
            Workload.Settings settings = new Workload.Settings(6, SEED,
                    (c, sql, rows) -> c.unwrap(CitusConnection.class).copyIn(sql, rows),
                    () -> pool.getHikariPoolMXBean().softEvictConnections(), 150, bouncers);
            workload = new Workload(pool, TENANTS, settings);
            workload.diagnosis(() -> diagnosis(pool, bouncers));
            lastWorkload = workload;
            workload.start();
            Thread.sleep(1500);
            reports = FaultSchedule.run(FaultSchedule.shuffled(faults, SEED), HOLD, QUIET, workload);
            workload.stop();
        } finally {
            System.setErr(err);
        }
        citus.close();
        String logged;
        synchronized (logs) {
            logged = logs.toString(StandardCharsets.UTF_8);
        }
        assertTrue(logged.contains("HikariPool"), "the run's log lines were captured");
        for (String secret : List.of(cluster.password(), cluster.adminPassword())) {
            assertFalse(logged.contains(secret), "a password in the log of the fault run");
            assertFalse(workload.failures().toString().contains(secret), "a password in an exception message");
            assertFalse(citus.toString().contains(secret) || citus.getUrl().contains(secret), "a password in the data source");
        }
        Map<String, FaultSchedule.Report> byFault = new TreeMap<>();
        StringBuilder table = new StringBuilder("fault harness " + path + ", seed " + SEED + ": "
                + workload.operations() + " operations, " + workload.failures().size() + " failed\n");
        for (FaultSchedule.Report r : reports) {
            byFault.put(r.fault(), r);
            table.append(String.format("  %-36s at %d ns: %3d failed, outage %5d ms (injected in %5d ms, last failure"
                            + " %5d ms after), %5d operations in the %d ms after it%n", r.fault(), r.startNanos(),
                    r.failures(), r.outage().toMillis(), r.injected().toMillis(), r.afterInjected().toMillis(),
                    r.operations(), QUIET.toMillis()));
        }
        reports.stream().filter(r -> r.stall() != null).findFirst()
                .ifPresent(r -> table.append("  no operation completed after ").append(r.fault()).append(":\n").append(r.stall()));
        Map<String, Integer> states = new TreeMap<>();
        workload.failures().forEach(f -> states.merge(f.unit() + " " + f.sqlState(), 1, Integer::sum));
        table.append("  failures by unit and SQLState: ").append(states);
        table.append("\n  query timeouts whose cancel the pooler dropped: ").append(workload.timeoutsDropped());
        List<String> restarts = cluster.bouncerRestarts();
        restarts = restarts.subList(restartsBefore, restarts.size());
        table.append("\n  PgBouncers that exited on their own and were started again: ").append(restarts);
        System.out.println(table);

        Ledger.Check check;
        try (Connection c = cluster.admin(coordinatorPrimary())) {
            check = workload.ledger().check(c, TENANTS);
        }
        System.out.println("  ledger: " + check);
        assertEquals(List.of(), workload.violations(), "wrong-tenant or lost rows seen by the workload");
        assertEquals(List.of(), workload.unexpected(), "failures no fault may cause");
        assertEquals(List.of(), restarts.stream().filter(r -> !KNOWN_118_EXIT.matcher(r).find()).toList(),
                "PgBouncers that exited other than by PgBouncer 1.18.0's known cancel-state bug");
        for (FaultSchedule.Report r : reports) {
            assertNull(r.error(), r.fault() + " could not be injected or healed");
            assertTrue(r.operations() > 0, "work goes on after " + r.fault());
        }
        assertTrue(check.acknowledged() > 500, "enough work was acknowledged: " + check.acknowledged());
        assertTrue(check.clean(), "ledger: " + check);
        assertNoConnectionLeft(bouncers);
        return byFault;
    }

    /** What a stall report shows besides the threads: the pool's counts and every PgBouncer's pools. */
    private static String diagnosis(HikariDataSource pool, boolean bouncers) {
        var mx = pool.getHikariPoolMXBean();
        StringBuilder out = new StringBuilder(String.format("pool: total %d, active %d, idle %d, waiting %d%n",
                mx.getTotalConnections(), mx.getActiveConnections(), mx.getIdleConnections(), mx.getThreadsAwaitingConnection()));
        if (bouncers) {
            for (ClusterNode n : cluster.nodes()) {
                out.append(cluster.bouncerShow(n, "SHOW POOLS"));
            }
        }
        return out.toString();
    }

    private static OutputStream tee(OutputStream first, ByteArrayOutputStream copy) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                first.write(b);
                synchronized (copy) {
                    copy.write(b);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                first.write(b, off, len);
                synchronized (copy) {
                    copy.write(b, off, len);
                }
            }

            @Override
            public void flush() throws IOException {
                first.flush();
            }
        };
    }

    /** Once the pool is closed, no backend of the application on any running node, no client at any PgBouncer. */
    private static void assertNoConnectionLeft(boolean bouncers) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        List<String> left;
        do {
            left = new ArrayList<>();
            for (ClusterNode n : cluster.nodes()) {
                if (!cluster.isRunning(n)) {
                    continue;
                }
                if (bouncers && cluster.bouncerClients(n, cluster.user()) > 0) {
                    left.add(cluster.bouncerClients(n, cluster.user()) + " clients at the PgBouncers of " + n.name());
                }
                if (!bouncers) {
                    left.addAll(backends(n));
                }
            }
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), left, "connections of the application left 15 s after the pool closed");
    }

    /** Backends of the application on a node (through a PgBouncer they are PgBouncer's: its pool keeps them). */
    private static List<String> backends(ClusterNode n) throws SQLException {
        List<String> left = new ArrayList<>();
        try (Connection c = cluster.admin(n); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT state, left(query, 60), client_port FROM pg_stat_activity"
                     + " WHERE application_name = '" + APP + "'")) {
            while (rs.next()) {
                left.add(n.name() + ": " + rs.getString(1) + " " + rs.getString(2) + " from port " + rs.getInt(3));
            }
        }
        return left;
    }
}
