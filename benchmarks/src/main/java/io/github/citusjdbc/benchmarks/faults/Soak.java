package io.github.citusjdbc.benchmarks.faults;

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

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The long soak of the fault harness: a real Citus cluster of the test kit, citus-jdbc behind a HikariCP
 * pool running every kind of unit of work over six tenants, and the repeatable faults (terminated
 * backends, a standby killed, replay paused, tenant moves, PgBouncers killed and paused) injected one
 * after the other until the operation count or the time limit is reached; then the ledger is checked
 * (0 wrong-tenant rows, 0 lost acknowledged writes). Prints a summary per fault kind.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.faults.Soak \
 *     --operations 1000000 --minutes 240 --path 125 --threads 8 --seed 1
 * </pre>
 * {@code --path direct|118|125}: directly (with {@code tenantRouting=affinity}), or through every
 * node's PgBouncer 1.18 or 1.25. {@code --stop-file f}: end after the current round once {@code f} exists (the
 * ledger is still checked). Exit code 0 when clean, 1 otherwise.
 */
public final class Soak {
    private static final List<String> TENANTS = List.of("soak_1", "soak_2", "soak_3", "soak_4", "soak_5", "soak_6");

    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new TreeMap<>(Map.of("operations", "1000000", "minutes", "240", "path", "125",
                "threads", "8", "seed", "1", "hold-ms", "1500", "quiet-ms", "2500", "stop-file", ""));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long operations = Long.parseLong(o.get("operations"));
        long deadline = System.nanoTime() + Duration.ofMinutes(Long.parseLong(o.get("minutes"))).toNanos();
        String path = o.get("path");
        long seed = Long.parseLong(o.get("seed"));
        Path stopFile = o.get("stop-file").isEmpty() ? null : Path.of(o.get("stop-file"));
        boolean clean;
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            cluster.superviseBouncers(); // PgBouncer 1.18.0 may exit on a known bug: started again as systemd would
            for (int i = 0; i < TENANTS.size(); i++) {
                cluster.citus().createTenant(TENANTS.get(i), cluster.worker(1 + i % 2), Workload.tenantDdl(TENANTS.get(i)),
                        cluster.user());
            }
            CitusDataSource citus = new CitusDataSource();
            citus.setUrl(url(cluster, path) + "&ApplicationName=soak");
            citus.setUser(cluster.user());
            citus.setPassword(cluster.password());
            HikariConfig config = new HikariConfig();
            config.setDataSource(citus);
            config.setMaximumPoolSize(Math.max(2, Integer.parseInt(o.get("threads")) * 2 / 3));
            config.setConnectionTimeout(10_000);
            List<FaultSchedule.Report> reports = new ArrayList<>();
            long start = System.nanoTime();
            Workload workload;
            try (HikariDataSource pool = new HikariDataSource(config)) {
                workload = new Workload(pool, TENANTS, new Workload.Settings(Integer.parseInt(o.get("threads")), seed,
                        (c, sql, rows) -> c.unwrap(CitusConnection.class).copyIn(sql, rows),
                        () -> pool.getHikariPoolMXBean().softEvictConnections(), 500, !path.equals("direct")));
                workload.start();
                List<Fault> faults = faults(cluster, path);
                for (int round = 0; workload.operations() < operations && System.nanoTime() < deadline
                        && (stopFile == null || !Files.exists(stopFile)); round++) {
                    reports.addAll(FaultSchedule.run(FaultSchedule.shuffled(faults, seed + round),
                            Duration.ofMillis(Long.parseLong(o.get("hold-ms"))),
                            Duration.ofMillis(Long.parseLong(o.get("quiet-ms"))), workload));
                    System.out.printf("round %d: %,d operations, %d failed, %d violations, %.0f s%n", round,
                            workload.operations(), workload.failures().size(), workload.violations().size(),
                            (System.nanoTime() - start) / 1e9);
                }
                workload.stop();
            }
            citus.close();
            Ledger.Check check;
            try (Connection c = cluster.admin(cluster.coordinator())) {
                check = workload.ledger().check(c, TENANTS);
            }
            clean = summarize(path, seed, start, workload, reports, check);
            for (String restart : cluster.bouncerRestarts()) {
                System.out.println(restart); // as the fault harness: each one is PgBouncer's, not the driver's
            }
        }
        System.exit(clean ? 0 : 1); // after the cluster is closed: exit skips what try-with-resources would run
    }

    private static String url(LocalCluster cluster, String path) {
        String map = cluster.nodeAddressMap(path.equals("118") ? ClusterNode::bouncerAddress : ClusterNode::trackingBouncerAddress);
        ClusterNode c = cluster.coordinator();
        return switch (path) {
            case "direct" -> "jdbc:citus://" + c.address() + "/" + cluster.database() + "?tenantRouting=affinity";
            case "118" -> "jdbc:citus://" + c.bouncerAddress() + "/" + cluster.database()
                    + "?pooler=pgbouncer-transaction&nodeAddressMap=" + map;
            case "125" -> "jdbc:citus://" + c.trackingBouncerAddress() + "/" + cluster.database()
                    + "?pooler=pgbouncer-transaction-tracking&nodeAddressMap=" + map;
            default -> throw new IllegalArgumentException("--path direct|118|125, not " + path);
        };
    }

    private static List<Fault> faults(LocalCluster cluster, String path) {
        ClusterNode worker1 = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(worker1);
        List<ClusterNode> workers = List.of(worker1, cluster.worker(2));
        List<Fault> faults = new ArrayList<>(List.of(
                Faults.terminateBackends(cluster, "soak"),
                Faults.killAndRestart(cluster, standby),
                Faults.pauseReplay(cluster, standby),
                Faults.moveTenant(cluster, "soak_1", workers, "block_writes"),
                Faults.moveTenant(cluster, "soak_2", workers, "block_writes")));
        if (!path.equals("direct")) {
            faults.add(Faults.restartBouncers(cluster, cluster.coordinator()));
            faults.add(Faults.pauseBouncers(cluster, cluster.coordinator()));
            faults.add(Faults.restartBouncers(cluster, worker1));
        }
        return faults;
    }

    private static boolean summarize(String path, long seed, long start, Workload workload,
                                     List<FaultSchedule.Report> reports, Ledger.Check check) {
        Map<String, long[]> byKind = new TreeMap<>(); // count, failures, max outage ms, errors
        for (FaultSchedule.Report r : reports) {
            long[] k = byKind.computeIfAbsent(r.fault(), x -> new long[4]);
            k[0]++;
            k[1] += r.failures();
            k[2] = Math.max(k[2], r.outage().toMillis());
            k[3] += r.error() == null ? 0 : 1;
        }
        System.out.printf("%nsoak through %s, seed %d: %,d operations in %.1f min, %d faults, %d failed operations"
                        + " (%d with a SQLState no fault may cause), %d violations, %d query timeouts dropped by the pooler%n",
                path, seed, workload.operations(), (System.nanoTime() - start) / 6e10, reports.size(),
                workload.failures().size(), workload.unexpected().size(), workload.violations().size(),
                workload.timeoutsDropped());
        System.out.println("| fault | injected | failed operations | longest outage (ms) | injection errors |");
        System.out.println("|---|---|---|---|---|");
        byKind.forEach((kind, k) -> System.out.printf("| %s | %d | %d | %d | %d |%n", kind, k[0], k[1], k[2], k[3]));
        System.out.println("ledger: " + check);
        workload.violations().stream().limit(20).forEach(v -> System.out.println("violation: " + v));
        workload.unexpected().stream().limit(20).forEach(f -> System.out.println("unexpected: " + f));
        return check.clean() && workload.violations().isEmpty() && workload.unexpected().isEmpty();
    }
}
