package io.github.citusjdbc.benchmarks.peer;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results file: one CSV row per measurement, {@code kind,threads,workload,column,label,round,value,error}.
 * {@code kind} is {@code ops} (ops/s of one slice), {@code cpu:<process>} (CPU microseconds per operation, see
 * {@link CpuAccount}) or {@code roundtrips} (round trips per operation,
 * one thread). Also summarises: per column, the median ops/s over rounds and the median over
 * rounds of its ratio to the baseline column of the same round.
 */
public final class Results {

    static final String HEADER = "kind,threads,workload,column,label,round,value,error";

    /** One row of the file. {@code value} is NaN when the measurement failed ({@code error} says why). */
    public record Row(String kind, int threads, String workload, String column, String label, int round,
                      double value, String error) {
        String csv() {
            return String.join(",", kind, Integer.toString(threads), workload, column, quote(label),
                    Integer.toString(round), Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value),
                    quote(error == null ? "" : error));
        }
    }

    /** Median ops/s and median ratio to the baseline of one column on one workload and thread count. */
    public record Summary(int threads, String workload, String column, String label, double medianOps,
                          double medianRatio, int rounds, String error) {
    }

    private Results() {
    }

    public static PrintWriter open(Path file) throws IOException {
        if (file.toAbsolutePath().getParent() != null) {
            Files.createDirectories(file.toAbsolutePath().getParent());
        }
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), true);
        out.println(HEADER);
        return out;
    }

    public static List<Row> read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.equals(HEADER)) {
                continue;
            }
            List<String> f = split(line);
            rows.add(new Row(f.get(0), Integer.parseInt(f.get(1)), f.get(2), f.get(3), f.get(4),
                    Integer.parseInt(f.get(5)), f.get(6).isEmpty() ? Double.NaN : Double.parseDouble(f.get(6)),
                    f.get(7).isEmpty() ? null : f.get(7)));
        }
        return rows;
    }

    /** @return one summary per (threads, workload, column) of the {@code ops} rows, in file order */
    public static List<Summary> summarise(List<Row> rows) {
        Map<String, Double> baseline = new LinkedHashMap<>();
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            if (!r.kind().equals("ops")) {
                continue;
            }
            if (r.column().equals(Columns.BASELINE)) {
                baseline.put(r.threads() + "/" + r.workload() + "/" + r.round(), r.value());
            }
            groups.computeIfAbsent(r.threads() + "/" + r.workload() + "/" + r.column(), k -> new ArrayList<>()).add(r);
        }
        List<Summary> out = new ArrayList<>();
        for (List<Row> g : groups.values()) {
            List<Double> ops = new ArrayList<>();
            List<Double> ratios = new ArrayList<>();
            String error = null;
            for (Row r : g) {
                if (Double.isNaN(r.value())) {
                    error = r.error();
                    continue;
                }
                ops.add(r.value());
                Double base = baseline.get(r.threads() + "/" + r.workload() + "/" + r.round());
                if (base != null && !base.isNaN() && base > 0) {
                    ratios.add(r.value() / base);
                }
            }
            Row first = g.get(0);
            out.add(new Summary(first.threads(), first.workload(), first.column(), first.label(), median(ops),
                    median(ratios), ops.size(), error));
        }
        return out;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** @return a Markdown table: one line per column, per workload and thread count "ops/s (ratio)" */
    public static String markdown(List<Row> rows) {
        List<Summary> sums = summarise(rows);
        List<String> keys = sums.stream().map(s -> s.threads() + " thr " + s.workload()).distinct().toList();
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> cells = new LinkedHashMap<>();
        for (Summary s : sums) {
            labels.putIfAbsent(s.column(), s.label());
            String cell = s.error() != null && Double.isNaN(s.medianOps()) ? "failed"
                    : String.format(Locale.ROOT, "%,.0f (**%.2f**)", s.medianOps(), s.medianRatio());
            cells.put(s.column() + "|" + s.threads() + " thr " + s.workload(), cell);
        }
        Map<String, String> trips = new LinkedHashMap<>();
        List<String> tripKeys = new ArrayList<>();
        for (Row r : rows) {
            if (r.kind().equals("roundtrips")) {
                labels.putIfAbsent(r.column(), r.label());
                trips.put(r.column() + "|" + r.workload(), Double.isNaN(r.value()) ? "failed"
                        : String.format(Locale.ROOT, "%.2f", r.value()));
                if (!tripKeys.contains(r.workload())) {
                    tripKeys.add(r.workload());
                }
            }
        }
        StringBuilder md = new StringBuilder("| column |");
        keys.forEach(k -> md.append(' ').append(k).append(" |"));
        tripKeys.forEach(k -> md.append(" round trips/op ").append(k).append(" |"));
        md.append("\n|---|").append("---|".repeat(keys.size() + tripKeys.size())).append('\n');
        for (Map.Entry<String, String> c : labels.entrySet()) {
            md.append("| ").append(c.getValue()).append(" |");
            keys.forEach(k -> md.append(' ').append(cells.getOrDefault(c.getKey() + "|" + k, "—")).append(" |"));
            tripKeys.forEach(k -> md.append(' ').append(trips.getOrDefault(c.getKey() + "|" + k, "—")).append(" |"));
            md.append('\n');
        }
        return md.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"").replace('\n', ' ') + "\"";
    }

    private static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted && ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            } else if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out.size() == 8 ? out : List.of(Arrays.copyOf(out.toArray(new String[0]), 8)).stream()
                .map(s -> s == null ? "" : s).toList();
    }
}
