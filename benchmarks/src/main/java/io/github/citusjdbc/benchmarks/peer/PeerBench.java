package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.LocalCluster;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of citus-jdbc side by side with raw pgjdbc and the AWS JDBC wrapper on the test kit's
 * real Citus cluster, in interleaved rounds: in each round every column runs for one slice in turn
 * (starting one column later each round), so that drift on the machine hits all columns alike.
 * Writes every slice to a CSV file, prints a Markdown summary (median ops/s and median ratio to
 * {@link Columns#BASELINE} of the same round) and writes an SVG chart ({@link SvgChart}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.peer.PeerBench --rounds 3 --threads 4
 * </pre>
 * Options: see {@link Settings#OPTIONS}.
 */
public final class PeerBench {

    private static final String HIKARI_LOG = "org.slf4j.simpleLogger.log.com.zaxxer.hikari";

    private PeerBench() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty(HIKARI_LOG) == null) {
            System.setProperty(HIKARI_LOG, "warn"); // one pool per slice: its start/stop lines drown the output
        }
        Settings s = Settings.parse(args);
        List<ColumnSpec> columns = s.selectedColumns();
        System.out.println("PeerBench " + s.describe());
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            System.out.println("cluster: " + cluster.describe());
            long t0 = System.nanoTime();
            Fixture fixture = Fixture.create(cluster, s.tenants(), s.sharedTenant());
            System.out.printf(Locale.ROOT, "%d tenants created in %.1f s%n", s.tenants(), (System.nanoTime() - t0) / 1e9);
            try (WorkerDelay workers = WorkerDelay.install(cluster, s.workerDelay());
                 PrintWriter csv = Results.open(s.csv())) {
                try (Network net = new Network(cluster, fixture, !s.clientDelay().isZero(), s.clientDelay(),
                        s.tls(), workers::registered)) {
                    measure(s, columns, new SliceRunner(net, s.cpu() ? new CpuAccount(cluster.processIds()) : null, s.validateKept()), csv);
                }
                if (s.roundTrips()) {
                    try (Network counting = new Network(cluster, fixture, true, java.time.Duration.ZERO,
                            false, workers::registered)) {
                        countRoundTrips(s, columns, new SliceRunner(counting), csv);
                    }
                }
            }
        }
        List<Results.Row> rows = Results.read(s.csv());
        System.out.println();
        System.out.println(Results.markdown(rows));
        Files.writeString(s.svg(), SvgChart.render(rows, s.describe()));
        System.out.println("results: " + s.csv() + ", chart: " + s.svg());
    }

    private static void measure(Settings s, List<ColumnSpec> columns, SliceRunner runner, PrintWriter csv) {
        for (int threads : s.threads()) {
            for (Workload w : s.workloads()) {
                List<ColumnSpec> cols = columns.stream().filter(c -> c.runs(w)).toList();
                for (int round = 1; round <= s.rounds(); round++) {
                    List<Double> line = new ArrayList<>();
                    for (int i = 0; i < cols.size(); i++) {
                        ColumnSpec col = cols.get((i + round - 1) % cols.size());
                        Results.Row row = slice(s, runner, col, w, threads, round);
                        csv.println(row.csv());
                        if (s.cpu() && runner.lastCpu() != null) {
                            cpuRows(runner.lastCpu(), col, w, threads, round).forEach(r -> csv.println(r.csv()));
                        }
                        line.add(row.value());
                    }
                    System.out.printf(Locale.ROOT, "%d threads, %s, round %d: %s%n", threads, w.id(), round,
                            summaryLine(cols, line, round));
                }
            }
        }
    }

    private static Results.Row slice(Settings s, SliceRunner runner, ColumnSpec col, Workload w, int threads,
                                     int round) {
        try {
            double ops = runner.throughput(col, w, threads, s.warmup(), s.slice());
            return new Results.Row("ops", threads, w.id(), col.id(), col.label(), round, ops, null);
        } catch (Exception e) {
            System.out.println("  " + col.id() + " " + w.id() + " failed: " + e);
            return new Results.Row("ops", threads, w.id(), col.id(), col.label(), round, Double.NaN, e.toString());
        }
    }

    /** One row {@code cpu:<group>} per process group (CPU microseconds per operation), and the line printed. */
    private static List<Results.Row> cpuRows(java.util.Map<String, Double> cpu, ColumnSpec col, Workload w,
                                             int threads, int round) {
        List<Results.Row> rows = new ArrayList<>();
        StringBuilder line = new StringBuilder("  cpu " + col.id() + ":");
        cpu.forEach((group, v) -> {
            rows.add(new Results.Row("cpu:" + group, threads, w.id(), col.id(), col.label(), round, v, null));
            line.append(String.format(Locale.ROOT, " %s=%.1f", group, v));
        });
        System.out.println(line);
        return rows;
    }

    private static String summaryLine(List<ColumnSpec> cols, List<Double> values, int round) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cols.size(); i++) {
            ColumnSpec col = cols.get((i + round - 1) % cols.size());
            b.append(String.format(Locale.ROOT, "%s=%.0f ", col.id(), values.get(i)));
        }
        return b.toString().trim();
    }

    private static void countRoundTrips(Settings s, List<ColumnSpec> columns, SliceRunner runner, PrintWriter csv) {
        int ops = 50;
        for (Workload w : s.workloads()) {
            for (ColumnSpec col : columns) {
                if (!col.runs(w)) {
                    continue;
                }
                Results.Row row;
                try {
                    double trips = runner.roundTripsPerOp(col, w, 20, ops);
                    row = new Results.Row("roundtrips", 1, w.id(), col.id(), col.label(), 0, trips, null);
                } catch (Exception e) {
                    System.out.println("  round trips " + col.id() + " " + w.id() + " failed: " + e);
                    row = new Results.Row("roundtrips", 1, w.id(), col.id(), col.label(), 0, Double.NaN, e.toString());
                }
                csv.println(row.csv());
            }
        }
    }
}
