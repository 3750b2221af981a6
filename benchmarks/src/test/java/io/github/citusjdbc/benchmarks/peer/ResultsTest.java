package io.github.citusjdbc.benchmarks.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary's arithmetic: ratios are taken per round against that round's baseline, then the median. */
class ResultsTest {

    private static Results.Row ops(String column, int round, double value) {
        return new Results.Row("ops", 4, "read", column, "label, \"quoted\"", round, value, null);
    }

    @Test
    void medianOfPerRoundRatios(@TempDir Path dir) throws Exception {
        List<Results.Row> rows = List.of(
                ops(Columns.BASELINE, 1, 100), ops("x", 1, 150),
                ops(Columns.BASELINE, 2, 200), ops("x", 2, 100),
                ops(Columns.BASELINE, 3, 100), ops("x", 3, 90),
                new Results.Row("ops", 4, "read", "y", "y", 1, Double.NaN, "boom"));
        Path csv = dir.resolve("r.csv");
        try (var out = Results.open(csv)) {
            rows.forEach(r -> out.println(r.csv()));
        }
        List<Results.Row> back = Results.read(csv);
        assertEquals(rows, back);
        Results.Summary x = Results.summarise(back).get(1);
        assertEquals("x", x.column());
        assertEquals(100, x.medianOps(), 1e-9);
        // ratios 1.5, 0.5, 0.9: median 0.9, not 100 / 100 of the medians
        assertEquals(0.9, x.medianRatio(), 1e-9);
        Results.Summary y = Results.summarise(back).get(2);
        assertTrue(Double.isNaN(y.medianOps()));
        assertEquals("boom", y.error());
        assertTrue(Results.markdown(back).contains("| y | failed |"));
    }
}
