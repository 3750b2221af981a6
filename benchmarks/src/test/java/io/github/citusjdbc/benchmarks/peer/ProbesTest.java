package io.github.citusjdbc.benchmarks.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.LocalCluster;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two probes the benchmarks README quotes, run small against real Citus from the test kit:
 * {@link WireCountProbe}'s claim holds (citus-jdbc sends the holder the same messages per read as raw
 * pgjdbc, in one round trip), and {@link PinFormProbe} runs every form of pin on every path, each
 * finding its row through its tenant's {@code search_path}.
 */
class ProbesTest {

    private static LocalCluster cluster;
    private static Fixture fixture;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        fixture = Fixture.create(cluster, 4, false);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void citusJdbcSendsTheHolderWhatPgjdbcSendsPerRead() throws Exception {
        String tenant = fixture.tenantOf(0);
        Map<String, Double> raw = WireCountProbe.perRead(cluster, tenant, true, 200);
        Map<String, Double> citus = WireCountProbe.perRead(cluster, tenant, false, 200);
        assertEquals(1.0, raw.get("round trips"), "raw pgjdbc: " + raw);
        assertEquals(1.0, raw.get("server D"), "one DataRow per read: " + raw);
        assertEquals(raw, citus, "messages per read, raw pgjdbc then citus-jdbc");
    }

    @Test
    void everyPinFormRunsOnEveryPath() throws Exception {
        List<PinFormProbe.Row> rows = PinFormProbe.run(cluster, fixture, 1, 150, false);
        Set<String> expected = Set.of("direct qualified", "direct set-reset", "direct set-local", "direct set-config",
                "direct session", "direct session-bare", "pgbouncer-1.25 qualified", "pgbouncer-1.25 set-reset",
                "pgbouncer-1.25 set-local", "pgbouncer-1.25 set-config", "pgbouncer-1.25 session",
                "pgbouncer-1.25 session-bare", "pgbouncer-1.18 qualified", "pgbouncer-1.18 set-reset",
                "pgbouncer-1.18 set-local", "pgbouncer-1.18 set-config");
        assertEquals(expected, rows.stream().map(r -> r.path() + " " + r.form()).collect(Collectors.toSet()));
        for (PinFormProbe.Row r : rows) { // every operation checked its row, so each slice ran pinned or qualified
            assertTrue(r.opsPerSecond() > 0, r.toString());
            assertTrue(r.ratio() > 0 && Double.isFinite(r.ratio()), r.toString());
            if (r.form().equals("qualified")) {
                assertEquals(1.0, r.ratio(), r.toString());
            }
        }
    }
}
