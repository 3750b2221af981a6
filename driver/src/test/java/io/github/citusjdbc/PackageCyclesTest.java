package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The driver's packages form no cycle: each depends only on packages below it (JDK only, read
 * from the sources; comments and string literals do not count).
 *
 * <p>The public root package plays two parts: entry points ({@code CitusDriver},
 * {@code CitusDataSource}, ...) that use the internal packages, and vocabulary that the internal
 * packages may use ({@code CitusSqlState}, {@code CitusProperty}, {@code CitusConnection}, ...)
 * because it uses none of them. So a root class that refers to an internal package counts as
 * "root (entry)", any other as "root (vocabulary)": an internal package that used an entry point
 * would make a cycle, and so would a vocabulary class that started using an internal package
 * which uses the vocabulary.
 */
class PackageCyclesTest {

    private static final String BASE = "io.github.citusjdbc";
    private static final Path MAIN = Path.of("src/main/java/io/github/citusjdbc");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.github\\.citusjdbc\\.(?:([a-z]+)\\.)?([A-Z]\\w*)");
    /** Packages of the SPI module (its own artifact below the driver): not part of this graph. */
    private static final Set<String> OUTSIDE = Set.of("spi");

    @Test
    void noPackageCycle() throws IOException {
        Map<String, String> nodeOfClass = new TreeMap<>(); // "pkg.Class" (root: ".Class") -> node
        Map<String, Set<String>> refs = new TreeMap<>();
        Map<String, String> packageOf = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
                String cls = f.getFileName().toString().replace(".java", "");
                String key = pkg + "." + cls;
                packageOf.put(key, pkg);
                Set<String> r = new TreeSet<>();
                Matcher m = REFERENCE.matcher(code(Files.readString(f)));
                while (m.find()) {
                    String p = m.group(1) == null ? "" : m.group(1);
                    if (!OUTSIDE.contains(p)) {
                        r.add(p + "." + m.group(2));
                    }
                }
                refs.put(key, r);
            }
        }
        assertTrue(refs.size() > 50, "sources found under " + MAIN.toAbsolutePath());
        // Classes of the root package use each other without imports: by simple name.
        List<String> rootClasses = refs.keySet().stream().filter(k -> k.startsWith(".")).toList();
        for (String key : rootClasses) {
            String code = code(Files.readString(MAIN.resolve(key.substring(1) + ".java")));
            for (String other : rootClasses) {
                if (!other.equals(key) && Pattern.compile("\\b" + other.substring(1) + "\\b").matcher(code).find()) {
                    refs.get(key).add(other);
                }
            }
        }
        for (String key : refs.keySet()) {
            String pkg = packageOf.get(key);
            if (!pkg.isEmpty()) {
                nodeOfClass.put(key, pkg);
            } else {
                boolean usesInternal = refs.get(key).stream().anyMatch(r -> !r.startsWith("."));
                nodeOfClass.put(key, usesInternal ? "root (entry)" : "root (vocabulary)");
            }
        }
        Map<String, Set<String>> edges = new TreeMap<>();
        Map<String, String> why = new TreeMap<>();
        for (Map.Entry<String, Set<String>> e : refs.entrySet()) {
            String from = nodeOfClass.get(e.getKey());
            for (String target : e.getValue()) {
                String to = nodeOfClass.get(target);
                if (to == null || to.equals(from)) {
                    continue; // a nested class, or within the node
                }
                edges.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                why.putIfAbsent(from + " -> " + to, name(e.getKey()) + " uses " + name(target));
            }
        }
        List<String> cycles = new ArrayList<>();
        for (String start : edges.keySet()) {
            List<String> path = cycleThrough(start, edges);
            if (path != null && path.get(0).equals(start) && start.equals(path.stream().min(String::compareTo).get())) {
                StringBuilder sb = new StringBuilder(String.join(" -> ", path)).append(" -> ").append(start).append(" (");
                for (int i = 0; i < path.size(); i++) {
                    String edge = path.get(i) + " -> " + path.get((i + 1) % path.size());
                    sb.append(i == 0 ? "" : "; ").append(why.get(edge));
                }
                cycles.add(sb.append(')').toString());
            }
        }
        assertEquals(List.of(), cycles);
    }

    /** A shortest path from {@code start} back to itself, as the list of nodes, or null. */
    private static List<String> cycleThrough(String start, Map<String, Set<String>> edges) {
        Map<String, String> parent = new TreeMap<>();
        List<String> queue = new ArrayList<>(List.of(start));
        for (int i = 0; i < queue.size(); i++) {
            String n = queue.get(i);
            for (String next : edges.getOrDefault(n, Set.of())) {
                if (next.equals(start)) {
                    List<String> path = new ArrayList<>();
                    for (String p = n; p != null; p = parent.get(p)) {
                        path.add(0, p);
                    }
                    return path;
                }
                if (!parent.containsKey(next) && !next.equals(start)) {
                    parent.put(next, n);
                    queue.add(next);
                }
            }
        }
        return null;
    }

    private static String name(String key) {
        return key.startsWith(".") ? key.substring(1) : key;
    }

    /** The source without comments and string or character literals. */
    static String code(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
                out.append(' ');
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
                out.append("\"\"");
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && source.charAt(i) != c) {
                    i += source.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(c).append(c);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
