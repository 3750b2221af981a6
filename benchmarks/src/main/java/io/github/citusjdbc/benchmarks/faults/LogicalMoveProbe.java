package io.github.citusjdbc.benchmarks.faults;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.faults.Fault;
import io.github.citusjdbc.testkit.faults.FaultSchedule;
import io.github.citusjdbc.testkit.faults.Faults;
import io.github.citusjdbc.testkit.faults.Ledger;
import io.github.citusjdbc.testkit.faults.Workload;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows what a tenant move does to concurrent writes on the cluster's Citus, with raw pgjdbc (or
 * citus-jdbc) through the coordinator: the fault harness's workload over four tenants while two of them
 * are moved back and forth in the given transfer mode; then the acknowledged writes are looked up.
 * Measured on Citus 12.1.12: {@code force_logical} loses some acknowledged writes, {@code block_writes}
 * none (docs/facts.md, "Tenant moves").
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.faults.LogicalMoveProbe \
 *     force_logical 6 pgjdbc
 * </pre>
 */
public final class LogicalMoveProbe {
    private static final List<String> TENANTS = List.of("lm_1", "lm_2", "lm_3", "lm_4");

    private LogicalMoveProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "force_logical";
        int moves = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        String client = args.length > 2 ? args[2] : "pgjdbc";
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            for (int i = 0; i < TENANTS.size(); i++) {
                cluster.citus().createTenant(TENANTS.get(i), cluster.worker(1 + i % 2), Workload.tenantDdl(TENANTS.get(i)),
                        cluster.user());
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:" + (client.equals("citus-jdbc") ? "citus" : "postgresql") + "://"
                    + cluster.coordinator().address() + "/" + cluster.database());
            config.setUsername(cluster.user());
            config.setPassword(cluster.password());
            config.setMaximumPoolSize(4);
            Workload workload;
            try (HikariDataSource pool = new HikariDataSource(config)) {
                workload = new Workload(pool, TENANTS, new Workload.Settings(6, 7, null, null, 1000, false));
                workload.start();
                Thread.sleep(1000);
                List<Fault> faults = new ArrayList<>();
                for (int i = 0; i < moves; i++) {
                    faults.add(Faults.moveTenant(cluster, TENANTS.get(i % 2), cluster.workers(), mode));
                }
                FaultSchedule.run(faults, Duration.ofMillis(100), Duration.ofMillis(1000), workload);
                workload.stop();
            }
            try (Connection c = cluster.admin(cluster.coordinator())) {
                Ledger.Check check = workload.ledger().check(c, TENANTS);
                System.out.printf("%s, %d moves (%s) under %,d operations: %d of %d acknowledged writes lost: %s%n",
                        client, moves, mode, workload.operations(), check.lost().size(), check.acknowledged(), check.lost());
            }
        }
    }
}
