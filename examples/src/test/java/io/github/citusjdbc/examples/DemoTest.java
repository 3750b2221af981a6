package io.github.citusjdbc.examples;

import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main command runs this demo: it must complete and name the serving node of every step. */
class DemoTest {
    @Test
    void demoRunsEveryStepAndNamesTheServingNodes() throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Demo(cluster, new PrintStream(buf, true, StandardCharsets.UTF_8)).run();
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertTrue(out.contains("== demo done =="), out);
        for (String tenant : new String[]{"tenant_acme", "tenant_globex", "tenant_initech"}) {
            // Each tenant must read back its own row, under its own schema.
            assertTrue(out.matches("(?s).*" + tenant + "\\s+read\\s+'first order of " + tenant + "'\\s+served by .*\\(schema "
                    + tenant + ";.*"), "no correct read line for " + tenant + ":\n" + out);
        }
        // Routing, proven server-side: affinity reaches the holder, read-only work a standby of its group.
        assertTrue(out.matches("(?s).*tenant_globex\\s+read\\s+'[^']*'\\s+served by worker2 \\[primary].*"), out);
        assertTrue(out.matches("(?s).*tenant_acme\\s+read-only\\s+'[^']*'\\s+served by worker1-standby \\[standby].*"), out);
        assertTrue(out.matches("(?s).*tenant_globex\\s+read-only\\s+'[^']*'\\s+served by coordinator-standby \\[standby].*"), out);
        assertTrue(out.contains("127.0.0.1:" + cluster.worker(1).port()), "pg_dist_node listing must show worker1");
        // Read-your-writes: the read-only read right after the write sees it, wherever it ran; the metrics counted units.
        assertTrue(out.matches("(?s).*tenant_acme\\s+read-only\\s+the write just made\\s+served by .*\\(route: READ_.*"), out);
        assertTrue(out.matches("(?s).*units by reason: \\{.*READ_TENANT_SECONDARY=\\d+.*"), out);
        // Pinning behind PgBouncer, counted on the wire: raw pgjdbc's round trips (the first call +1: type void).
        for (String tenant : List.of("tenant_acme", "tenant_globex", "tenant_initech")) {
            String call = tenant.equals("tenant_acme") ? "2 round trips" : "1 round trip";
            assertTrue(out.matches("(?s).*" + tenant + " +insert: 1 round trip; batch of 3: 1 round trip;"
                    + " \\{\\? = call current_schema\\(\\)} = " + tenant + ": " + call
                    + "; 5 orders in the tenant.*"), out);
        }
    }
}
