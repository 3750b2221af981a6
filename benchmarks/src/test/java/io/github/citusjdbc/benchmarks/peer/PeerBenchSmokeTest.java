package io.github.citusjdbc.benchmarks.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link PeerBench#main} once in a tiny configuration against the test kit's real Citus
 * cluster (1 round, 200 ms per column, 1 thread, point read and update): every column must yield
 * a throughput row per workload it runs, without error, and a round-trip count; the chart must
 * have a bar per throughput summary. With {@code --tls true} (every URL {@code sslmode=require}, which
 * pgjdbc refuses to run without TLS) a few columns, the driver's URL and routed connections among them.
 */
class PeerBenchSmokeTest {

    @Test
    void everyColumnProducesARow(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("peer.csv");
        Path svg = dir.resolve("peer.svg");
        PeerBench.main(new String[] {"--rounds", "1", "--slice-ms", "200", "--warmup-ms", "300", "--threads", "1",
            "--workloads", "read,update", "--tenants", "2", "--csv", csv.toString(), "--svg", svg.toString()});

        List<Results.Row> rows = Results.read(csv);
        int expectedOps = 0;
        for (ColumnSpec col : Columns.ALL) {
            for (Workload w : List.of(Workload.READ, Workload.UPDATE)) {
                if (!col.runs(w)) {
                    continue;
                }
                expectedOps++;
                for (String kind : List.of("ops", "roundtrips")) {
                    List<Results.Row> found = rows.stream().filter(r -> r.kind().equals(kind)
                            && r.column().equals(col.id()) && r.workload().equals(w.id())).toList();
                    assertEquals(1, found.size(), kind + " rows of " + col.id() + " " + w.id());
                    Results.Row r = found.get(0);
                    assertNull(r.error(), col.id() + " " + w.id());
                    assertTrue(r.value() > 0, col.id() + " " + w.id() + " " + kind + " = " + r.value());
                }
            }
        }
        List<Results.Summary> sums = Results.summarise(rows);
        assertEquals(expectedOps, sums.size());
        sums.forEach(s -> assertFalse(Double.isNaN(s.medianRatio()), s.column() + " has no ratio"));
        String chart = Files.readString(svg);
        assertEquals(expectedOps, chart.split("<rect x=", -1).length - 1, "one bar per column and workload");
    }

    @Test
    void withTlsTheColumnsRun(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("peer-tls.csv");
        PeerBench.main(new String[] {"--rounds", "1", "--slice-ms", "200", "--warmup-ms", "300", "--threads", "1",
            "--workloads", "read", "--tenants", "2", "--round-trips", "false", "--tls", "true",
            "--columns", "pg-coord,cj-default,cj-affinity", "--csv", csv.toString(), "--svg", dir.resolve("peer-tls.svg").toString()});
        List<Results.Row> ops = Results.read(csv).stream().filter(r -> r.kind().equals("ops")).toList();
        assertEquals(3, ops.size(), "one row per column");
        assertEquals(java.util.Set.of("pg-coord", "cj-default", "cj-affinity"),
                ops.stream().map(Results.Row::column).collect(java.util.stream.Collectors.toSet()));
        ops.forEach(r -> {
            assertNull(r.error(), r.column());
            assertTrue(r.value() > 0, r.column() + " = " + r.value());
        });
    }

    @Test
    void tlsIsRefusedWithRelays() {
        assertThrows(IllegalArgumentException.class, () -> Settings.parse(new String[] {"--tls", "true"}),
                "the round-trip count goes through relays, which answer TLS requests with 'N'");
        assertThrows(IllegalArgumentException.class, () -> Settings.parse(new String[] {"--tls", "true",
            "--round-trips", "false", "--delay-ms", "1"}), "so does the delay");
    }
}
