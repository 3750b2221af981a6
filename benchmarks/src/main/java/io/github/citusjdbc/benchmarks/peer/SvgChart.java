package io.github.citusjdbc.benchmarks.peer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An SVG bar chart of a {@link PeerBench} results file: one panel per thread count and workload,
 * one bar per column, its length the median ratio to the baseline column (a line marks 1.0), its
 * label the ratio and the median ops/s. Plain SVG, written here, no tool needed.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.peer.SvgChart results.csv chart.svg
 * </pre>
 */
public final class SvgChart {

    private static final int LABEL_W = 330;
    private static final int BAR_W = 460;
    private static final int VALUE_W = 150;
    private static final int ROW_H = 18;
    private static final int PANEL_GAP = 34;

    private SvgChart() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SvgChart <results.csv> <chart.svg>");
            System.exit(2);
        }
        Files.writeString(Path.of(args[1]), render(Results.read(Path.of(args[0])), args[0]));
    }

    /** @return the SVG document for the results */
    public static String render(List<Results.Row> rows, String subtitle) {
        Map<String, List<Results.Summary>> panels = new LinkedHashMap<>();
        double max = 1.0;
        for (Results.Summary s : Results.summarise(rows)) {
            panels.computeIfAbsent(s.threads() + " threads, " + s.workload(), k -> new ArrayList<>()).add(s);
            if (!Double.isNaN(s.medianRatio())) {
                max = Math.max(max, s.medianRatio());
            }
        }
        double scale = Math.ceil(max * 2) / 2;
        int height = 50;
        for (List<Results.Summary> p : panels.values()) {
            height += PANEL_GAP + p.size() * ROW_H;
        }
        int width = LABEL_W + BAR_W + VALUE_W;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n", width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        svg.append(text(8, 18, "Throughput relative to raw pgjdbc, qualified SQL, via the coordinator (median of"
                + " per-round ratios; 1.00 = baseline)", "bold"));
        svg.append(text(8, 36, esc(subtitle), "normal"));
        int y = 50;
        for (Map.Entry<String, List<Results.Summary>> p : panels.entrySet()) {
            y += PANEL_GAP;
            svg.append(text(8, y - 10, esc(p.getKey()), "bold"));
            int top = y;
            for (Results.Summary s : p.getValue()) {
                svg.append(bar(s, y, scale));
                y += ROW_H;
            }
            double one = LABEL_W + BAR_W / scale;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\""
                    + " stroke-dasharray=\"3,3\"/>%n", one, top - 4, one, y));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String bar(Results.Summary s, int y, double scale) {
        StringBuilder b = new StringBuilder(text(LABEL_W - 6, y + 12, esc(s.label()), "normal")
                .replace("<text ", "<text text-anchor=\"end\" "));
        if (Double.isNaN(s.medianRatio())) {
            return b.append(text(LABEL_W + 4, y + 12, "failed", "normal")).toString();
        }
        double w = BAR_W * s.medianRatio() / scale;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                LABEL_W, y + 2, w, ROW_H - 4, color(s.column())));
        b.append(text((int) (LABEL_W + w + 4), y + 12,
                String.format(Locale.ROOT, "%.2f (%,.0f/s)", s.medianRatio(), s.medianOps()), "normal"));
        return b.toString();
    }

    private static String color(String column) {
        if (column.equals(Columns.BASELINE)) {
            return "#555555";
        }
        if (column.startsWith("pg-")) {
            return "#9e9e9e";
        }
        return column.startsWith("aws") ? "#f0a030" : "#3a78c2";
    }

    private static String text(int x, int y, String s, String weight) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"%s\">%s</text>%n", x, y, weight, s);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
