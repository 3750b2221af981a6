package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What pinning {@code search_path} costs the server, whatever driver sends it: raw pgjdbc, no
 * citus-jdbc, running a point read or update in each thread's own tenant with each way of pinning
 * the statement that a driver could choose, against the same statement schema-qualified, on the
 * same path (the coordinator directly, through PgBouncer 1.25 with {@code search_path} tracked, and
 * through PgBouncer 1.18 with {@code prepareThreshold=0}). 4 threads, each on one connection, in
 * interleaved rounds; per path, the median over the rounds of each form's ratio to {@code qualified}.
 *
 * <ul>
 *   <li>{@code qualified}: {@code SELECT name FROM "t".items WHERE id = ?}, nothing pinned;</li>
 *   <li>{@code set-reset}: {@code SET search_path TO "t"; <sql>\n/* "t" *&#47;; RESET search_path}, one
 *       implicit transaction (citus-jdbc's {@code tenantPinning=statement});</li>
 *   <li>{@code set-local}: {@code SET LOCAL search_path TO "t"; <sql>}, reverted by the implicit
 *       transaction's end, with no {@code RESET} (the server warns at every execution);</li>
 *   <li>{@code set-config}: {@code SELECT set_config('search_path', '"t"', true); <sql>}, the same
 *       without the warning;</li>
 *   <li>{@code session}: {@code SET search_path} once per connection, the statement alone (with the
 *       tenant's comment); unsafe through PgBouncer 1.18, so not run there;</li>
 *   <li>{@code session-bare}: the same without the comment, one text for every tenant.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.peer.PinFormProbe [rounds] [slice-ms] [read|update] [own|shared]
 * </pre>
 *
 * <p>{@code shared} runs the 4 threads in one tenant instead of one each: behind PgBouncer 1.25 the
 * server connections then all keep that tenant's {@code search_path}, and PgBouncer has nothing to
 * put back at a hand-over.
 */
public final class PinFormProbe {

    private static final int THREADS = 4;
    private static final List<String> FORMS = List.of("qualified", "set-reset", "set-local", "set-config", "session",
            "session-bare");

    private PinFormProbe() {
    }

    /**
     * One form on one path: its median throughput over the rounds and the median of its per-round
     * ratio to {@code qualified} on the same path.
     */
    public record Row(String path, String form, double opsPerSecond, double ratio) {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        long sliceMs = args.length > 1 ? Long.parseLong(args[1]) : 2000;
        boolean update = args.length > 2 && args[2].equals("update");
        boolean shared = args.length > 3 && args[3].equals("shared");
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            List<Row> rows = run(cluster, Fixture.create(cluster, 8, shared), rounds, sliceMs, update);
            System.out.println("| path | form | ops/s (median) | per-round ratio to qualified on the path (median) |");
            System.out.println("|---|---|---|---|");
            for (Row row : rows) {
                System.out.printf("| %s | %s | %,.0f | %.2f |%n", row.path(), row.form(), row.opsPerSecond(), row.ratio());
            }
        }
    }

    /**
     * Runs every form on every path in {@code rounds} interleaved rounds (after one unmeasured),
     * printing each slice.
     *
     * @return a row per path and form, in table order
     */
    public static List<Row> run(LocalCluster cluster, Fixture fixture, int rounds, long sliceMs, boolean update)
            throws InterruptedException, SQLException {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("direct", cluster.jdbcUrl(cluster.coordinator()) + "?sslmode=disable");
        paths.put("pgbouncer-1.25", cluster.trackingBouncerJdbcUrl(cluster.coordinator()) + "?sslmode=disable");
        paths.put("pgbouncer-1.18", cluster.bouncerJdbcUrl(cluster.coordinator()) + "?sslmode=disable&prepareThreshold=0");
        List<String[]> columns = new ArrayList<>();
        for (String path : paths.keySet()) {
            for (String form : FORMS) {
                if (!(form.startsWith("session") && path.equals("pgbouncer-1.18"))) {
                    columns.add(new String[] {path, form});
                }
            }
        }
        Map<String, List<Double>> opsPerSecond = new LinkedHashMap<>();
        for (int r = 0; r <= rounds; r++) { // round 0 warms up and is not counted
            for (int k = 0; k < columns.size(); k++) {
                String[] col = columns.get((k + r) % columns.size());
                double ops = slice(cluster, fixture, paths.get(col[0]), col[1], update, sliceMs);
                System.out.printf("round %d %-15s %-11s %8.0f ops/s%n", r, col[0], col[1], ops);
                if (r > 0) {
                    opsPerSecond.computeIfAbsent(col[0] + " " + col[1], x -> new ArrayList<>()).add(ops);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String[] col : columns) {
            List<Double> mine = opsPerSecond.get(col[0] + " " + col[1]);
            List<Double> base = opsPerSecond.get(col[0] + " qualified");
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < mine.size(); i++) {
                ratios.add(mine.get(i) / base.get(i));
            }
            rows.add(new Row(col[0], col[1], median(mine), median(ratios)));
        }
        return rows;
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return v.size() % 2 == 1 ? v.get(v.size() / 2) : (v.get(v.size() / 2 - 1) + v.get(v.size() / 2)) / 2;
    }

    /** @return operations per second of {@value #THREADS} threads, each in its own tenant (or all in one) on its own connection */
    private static double slice(LocalCluster cluster, Fixture fixture, String url, String form, boolean update, long ms)
            throws InterruptedException, SQLException {
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String tenant = "\"" + fixture.tenantOf(t) + "\"";
            String sql = sql(form, tenant, update);
            Thread thread = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password())) {
                    if (form.startsWith("session")) {
                        try (Statement s = c.createStatement()) {
                            s.execute("SET search_path TO " + tenant);
                        }
                    }
                    for (int i = 0; i < 200; i++) {
                        run(c, sql, i, update);
                    }
                    ready.countDown();
                    go.await();
                    for (int i = 0; !stop.get(); i++) {
                        run(c, sql, i, update);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            });
            thread.start();
            threads.add(thread);
        }
        ready.await();
        done.set(0);
        long t0 = System.nanoTime();
        go.countDown();
        Thread.sleep(ms);
        stop.set(true);
        long n = done.get();
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (Thread thread : threads) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new SQLException(form + " on " + url + ": " + failure.get().getMessage(), failure.get());
        }
        return n / seconds;
    }

    private static String sql(String form, String tenant, boolean update) {
        String statement = update ? "UPDATE %sitems SET counter = counter + 1 WHERE id = ?" : "SELECT name FROM %sitems WHERE id = ?";
        String plain = String.format(statement, "") + "\n/* " + tenant + " */";
        return switch (form) {
            case "qualified" -> String.format(statement, tenant + ".");
            case "set-reset" -> "SET search_path TO " + tenant + "; " + plain + "; RESET search_path";
            case "set-local" -> "SET LOCAL search_path TO " + tenant + "; " + plain;
            case "set-config" -> "SELECT set_config('search_path', '" + tenant + "', true); " + plain;
            case "session" -> plain;
            case "session-bare" -> String.format(statement, "");
            default -> throw new IllegalArgumentException(form);
        };
    }

    /** Runs the string and reads every result, failing unless the statement found its row. */
    private static void run(Connection c, String sql, int i, boolean update) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, 1 + i % 100);
            boolean found = false;
            for (boolean rows = ps.execute(); ; rows = ps.getMoreResults()) {
                if (rows) {
                    try (ResultSet rs = ps.getResultSet()) {
                        found |= !update && rs.next() && rs.getString(1).startsWith("name ");
                    }
                } else if (ps.getUpdateCount() == -1) {
                    break;
                } else {
                    found |= update && ps.getUpdateCount() == 1;
                }
            }
            if (!found) {
                throw new SQLException("the row was not found: " + sql);
            }
        }
    }
}
