package io.github.citusjdbc.benchmarks.consistency;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
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
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Read-your-writes on a real Citus cluster of the test kit (loopback): each of N threads updates its
 * own row through one connection and at once reads it read-only through another, as a request that
 * writes and the next one that reads would. Rounds alternate {@code readYourWrites=off} and
 * {@code tenant}, so drift hits both alike; a second measurement runs the writes alone, to see what
 * the setting costs a read-write unit. The workers run with {@code synchronous_commit=on} for the
 * application's role (PostgreSQL's default; the kit's servers otherwise run with {@code off}, where a
 * standby cannot have a write before the WAL writer flushes it), or {@code off} with
 * {@code --commit off}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.consistency.ReadYourWritesBench \
 *     --threads 8 --cycles 10000 --rounds 2 --commit on --out benchmarks/results/ryw-8threads</pre>
 * {@code --delay-ms N} puts a relay adding N ms per direction in front of every node the client dials
 * ({@code nodeAddressMap} to the relays), {@code --worker-delay-ms N} one in front of each worker
 * primary for the coordinator's connections (registered in {@code pg_dist_node} meanwhile).
 * With {@code --out PREFIX} it also writes {@code PREFIX.csv} (one row per round and mode) and
 * {@code PREFIX.svg}, a chart of both.
 */
public final class ReadYourWritesBench {

    private static final String TENANT = "rywbench";

    private ReadYourWritesBench() {
    }

    record Result(String mode, long cycles, long stale, long onStandby, long millis, long positionReads) {
        double perSecond() {
            return cycles * 1000.0 / Math.max(1, millis);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals("--chart")) { // --chart PREFIX COMMIT THREADS: the SVG again from PREFIX.csv
            rechart(args[1], args[2], Integer.parseInt(args[3]));
            return;
        }
        Map<String, String> o = new TreeMap<>(Map.of("threads", "8", "cycles", "10000", "rounds", "2", "commit", "on",
                "writes", "3000", "out", "", "delay-ms", "0", "worker-delay-ms", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int threads = Integer.parseInt(o.get("threads"));
        int cycles = Integer.parseInt(o.get("cycles"));
        int rounds = Integer.parseInt(o.get("rounds"));
        int writes = Integer.parseInt(o.get("writes"));
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(2))) {
            ClusterNode worker1 = cluster.worker(1);
            cluster.citus().createTenant(TENANT, worker1, List.of("CREATE TABLE items (id int PRIMARY KEY, v bigint)",
                    "INSERT INTO items SELECT g, 0 FROM generate_series(0, 999) g"), cluster.user());
            for (ClusterNode n : List.of(cluster.coordinator(), worker1, cluster.worker(2))) {
                try (Connection c = cluster.admin(n); Statement s = c.createStatement()) {
                    s.execute("SET citus.enable_ddl_propagation = off");
                    s.execute("ALTER ROLE " + cluster.user() + " SET synchronous_commit = " + o.get("commit"));
                }
            }
            cluster.waitForReplay(worker1, cluster.standbyOf(worker1));
            java.time.Duration clientDelay = java.time.Duration.ofMillis(Long.parseLong(o.get("delay-ms")));
            java.time.Duration workerDelay = java.time.Duration.ofMillis(Long.parseLong(o.get("worker-delay-ms")));
            List<io.github.citusjdbc.testkit.wire.RoundTripRelay> relays = new ArrayList<>();
            try (io.github.citusjdbc.benchmarks.peer.WorkerDelay workers =
                         io.github.citusjdbc.benchmarks.peer.WorkerDelay.install(cluster, workerDelay)) {
                String base = url(cluster, clientDelay, workers, relays);
                try {
                    measure(cluster, base, o, threads, cycles, rounds, writes,
                            clientDelay.isZero() && workerDelay.isZero() ? "loopback"
                                    : clientDelay.toMillis() + " ms client-servers, " + workerDelay.toMillis()
                                    + " ms coordinator-workers (per direction)");
                } finally {
                    relays.forEach(io.github.citusjdbc.testkit.wire.RoundTripRelay::close);
                }
            }
        }
    }

    /**
     * The coordinator's URL; with a client delay, every node behind a relay (plaintext) that adds it
     * per direction, and {@code nodeAddressMap} from the address {@code pg_dist_node} holds to the relay.
     */
    private static String url(LocalCluster cluster, java.time.Duration delay,
                              io.github.citusjdbc.benchmarks.peer.WorkerDelay workers,
                              List<io.github.citusjdbc.testkit.wire.RoundTripRelay> relays) throws java.io.IOException {
        String base = "jdbc:citus://%s/" + cluster.database() + "?topologyRefreshInterval=2s";
        if (delay.isZero()) {
            return String.format(base, cluster.coordinator().address());
        }
        StringBuilder map = new StringBuilder();
        String coordinator = null;
        for (ClusterNode n : cluster.nodes()) {
            var relay = io.github.citusjdbc.testkit.wire.RoundTripRelay.start(n.host(), n.port(), delay);
            relays.add(relay);
            if (n == cluster.coordinator()) {
                coordinator = relay.address();
            }
            map.append(map.length() == 0 ? "" : ",").append(workers.registered(n)).append('=').append(relay.address());
        }
        return String.format(base, coordinator) + "&sslmode=disable&nodeAddressMap=" + map;
    }

    private static void measure(LocalCluster cluster, String base, Map<String, String> o, int threads, int cycles,
                                int rounds, int writes, String network) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        run(base, p, threads, 50, "warm-up off", false);
        run(base, p, threads, 50, "warm-up tenant", true);
        List<Result> results = new ArrayList<>();
        List<Result> writeResults = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            results.add(run(base, p, threads, cycles, "off", false));
            results.add(run(base, p, threads, cycles, "tenant", true));
            writeResults.add(writesOnly(base, p, threads, writes, false));
            writeResults.add(writesOnly(base, p, threads, writes, true));
        }
        System.out.printf("%nsynchronous_commit=%s, %d threads, %d write-then-read cycles per thread per round,"
                + " %d rounds, %s%n%n", o.get("commit"), threads, cycles, rounds, network);
        System.out.println("| readYourWrites | cycles | reads that missed their write | reads on the standby"
                + " | cycles/s | WAL position reads per cycle |");
        System.out.println("|---|---|---|---|---|---|");
        for (Result x : results) {
            System.out.printf("| %s | %,d | %,d | %.1f %% | %,.0f | %.2f |%n", x.mode, x.cycles, x.stale,
                    100.0 * x.onStandby / x.cycles, x.perSecond(), (double) x.positionReads / x.cycles);
        }
        if (!o.get("out").isEmpty()) {
            write(o.get("out"), results, writeResults, o.get("commit"), threads);
        }
        System.out.println();
        System.out.println("| readYourWrites | single-row updates alone | updates/s |");
        System.out.println("|---|---|---|");
        for (Result x : writeResults) {
            System.out.printf("| %s | %,d | %,.0f |%n", x.mode, x.cycles, x.perSecond());
        }
    }

    /** Writes the rounds as CSV and a bar chart (SVG) of the medians: cycles/s, share on the standby, updates/s. */
    private static void write(String prefix, List<Result> cycles, List<Result> writes, String commit, int threads)
            throws java.io.IOException {
        StringBuilder csv = new StringBuilder("kind,readYourWrites,operations,stale,on_standby,millis,per_second,position_reads\n");
        for (Result r : cycles) {
            csv.append(String.format(java.util.Locale.ROOT, "write-then-read,%s,%d,%d,%d,%d,%.1f,%d%n", r.mode, r.cycles,
                    r.stale, r.onStandby, r.millis, r.perSecond(), r.positionReads));
        }
        for (Result r : writes) {
            csv.append(String.format(java.util.Locale.ROOT, "updates,%s,%d,0,0,%d,%.1f,0%n", r.mode, r.cycles, r.millis,
                    r.perSecond()));
        }
        java.nio.file.Files.writeString(java.nio.file.Path.of(prefix + ".csv"), csv);
        String[][] panels = {{"reads that missed their own write, %", "m"}, {"reads on the standby, %", "s"},
                {"write-then-read cycles/s", "c"}, {"updates alone, per s", "w"}};
        StringBuilder svg = new StringBuilder();
        int width = 760;
        int y = 50;
        StringBuilder body = new StringBuilder();
        for (String[] panel : panels) {
            body.append(text(10, y, panel[0], "bold"));
            y += 8;
            double off = median(panel[1], "off", cycles, writes);
            double on = median(panel[1], "tenant", cycles, writes);
            double max = Math.max(1e-9, Math.max(off, on));
            for (String mode : new String[] {"off", "tenant"}) {
                double v = mode.equals("off") ? off : on;
                int w = (int) Math.round(460 * v / max);
                body.append(text(10, y + 14, "readYourWrites=" + mode, "normal"));
                body.append(String.format(java.util.Locale.ROOT,
                        "<rect x=\"200\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"%s\"/>%n", y + 2, Math.max(1, w),
                        mode.equals("off") ? "#9aa5b1" : "#2f6db5"));
                body.append(text(208 + w, y + 14, String.format(java.util.Locale.ROOT, "%,.1f", v), "normal"));
                y += 20;
            }
            y += 24;
        }
        svg.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, y));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(text(10, 20, "Read-your-writes on Citus 12.1: " + threads + " threads, synchronous_commit=" + commit
                + ", loopback (median of the rounds)", "bold"));
        svg.append(body).append("</svg>\n");
        java.nio.file.Files.writeString(java.nio.file.Path.of(prefix + ".svg"), svg);
        System.out.println("wrote " + prefix + ".csv and " + prefix + ".svg");
    }

    private static void rechart(String prefix, String commit, int threads) throws java.io.IOException {
        List<Result> cycles = new ArrayList<>();
        List<Result> writes = new ArrayList<>();
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(prefix + ".csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Result r = new Result(f[1], Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[7]));
            (f[0].equals("updates") ? writes : cycles).add(r);
        }
        write(prefix, cycles, writes, commit, threads);
    }

    private static double median(String what, String mode, List<Result> cycles, List<Result> writes) {
        List<Double> values = new ArrayList<>();
        for (Result r : what.equals("w") ? writes : cycles) {
            if (r.mode.equals(mode)) {
                values.add(switch (what) {
                    case "s" -> 100.0 * r.onStandby / r.cycles;
                    case "m" -> 100.0 * r.stale / r.cycles;
                    default -> r.perSecond();
                });
            }
        }
        values.sort(null);
        int n = values.size();
        return n == 0 ? 0 : n % 2 == 1 ? values.get(n / 2) : (values.get(n / 2 - 1) + values.get(n / 2)) / 2;
    }

    private static String text(int x, int y, String s, String weight) {
        return String.format("<text x=\"%d\" y=\"%d\" font-weight=\"%s\">%s</text>%n", x, y, weight,
                s.replace("&", "&amp;").replace("<", "&lt;"));
    }

    private static Result run(String base, Properties p, int threads, int cycles, String mode, boolean on)
            throws Exception {
        String url = base + (on ? "&readYourWrites=tenant" : "");
        AtomicLong stale = new AtomicLong();
        AtomicLong onStandby = new AtomicLong();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> list = new ArrayList<>();
        CitusMetrics metrics;
        try (Connection c = DriverManager.getConnection(url, p)) {
            metrics = c.unwrap(CitusConnection.class).metrics();
        }
        long positionsBefore = metrics.getWalPositionReads();
        for (int t = 0; t < threads; t++) {
            int id = t;
            list.add(new Thread(() -> {
                try (Connection w = connect(url, p, false); Connection r = connect(url, p, true);
                     PreparedStatement update = w.prepareStatement("UPDATE items SET v = ? WHERE id = ?");
                     PreparedStatement select = r.prepareStatement("SELECT v FROM items WHERE id = ?")) {
                    CitusConnection reader = r.unwrap(CitusConnection.class);
                    for (int i = 0; i < cycles; i++) {
                        long value = System.nanoTime();
                        update.setLong(1, value);
                        update.setInt(2, id);
                        update.executeUpdate();
                        select.setInt(1, id);
                        try (ResultSet rs = select.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) != value) {
                                stale.incrementAndGet();
                            }
                        }
                        if (reader.lastServedBy().role() == NodeRole.SECONDARY) {
                            onStandby.incrementAndGet();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        long millis = runAll(list, failures, mode);
        Result result = new Result(mode, (long) threads * cycles, stale.get(), onStandby.get(), millis,
                metrics.getWalPositionReads() - positionsBefore);
        System.out.printf("%s: %,d cycles in %,d ms, %,d stale, %.1f %% on the standby%n", mode, result.cycles, millis,
                result.stale, 100.0 * result.onStandby / result.cycles);
        return result;
    }

    private static Result writesOnly(String base, Properties p, int threads, int writes, boolean on) throws Exception {
        String url = base + (on ? "&readYourWrites=tenant" : "");
        List<Thread> list = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            int id = 100 + t;
            list.add(new Thread(() -> {
                try (Connection w = connect(url, p, false);
                     PreparedStatement update = w.prepareStatement("UPDATE items SET v = v + 1 WHERE id = ?")) {
                    for (int i = 0; i < writes; i++) {
                        update.setInt(1, id);
                        update.executeUpdate();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        long millis = runAll(list, failures, "writes");
        return new Result(on ? "tenant" : "off", (long) threads * writes, 0, 0, millis, 0);
    }

    /** Starts the threads, waits for them, and returns the milliseconds they took; throws when one failed. */
    private static long runAll(List<Thread> threads, List<Throwable> failures, String what) throws InterruptedException {
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(what + ": " + failures.size() + " threads failed", failures.get(0));
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static Connection connect(String url, Properties p, boolean readOnly) throws SQLException {
        Connection c = DriverManager.getConnection(url, p);
        c.setSchema(TENANT);
        c.setReadOnly(readOnly);
        return c;
    }
}
