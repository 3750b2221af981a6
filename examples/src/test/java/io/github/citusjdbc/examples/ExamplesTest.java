package io.github.citusjdbc.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.LocalCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each example of the README runs to its end against the shared local cluster and prints what it claims. */
class ExamplesTest {
    interface Example {
        void run(LocalCluster cluster, PrintStream out) throws Exception;
    }

    static String output(Example example) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        example.run(LocalCluster.shared(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        return out;
    }

    @Test
    void urlSwapWorksWithDriverManagerAndHikari() throws Exception {
        String out = output(UrlSwapExample::run);
        assertTrue(out.contains("jdbc:postgresql:") && out.matches("(?s).*DriverManager jdbc:citus:\\S+\\s+citus-jdbc=true .*"), out);
        assertTrue(out.matches("(?s).*HikariCP\\s+jdbc:citus:\\S+\\s+citus-jdbc=true .*served by coordinator.*"), out);
        assertTrue(out.contains("== URL swap done =="), out);
    }

    @Test
    void hibernateTenantsSeeTheirOwnOrders() throws Exception {
        String out = output(HibernateTenantsExample::run);
        assertTrue(out.matches("(?s).*tenant shop_acme\\s+order: 3 x acme widget at 1000 cents, served by \\S+ \\[\\w+], read-only.*"), out);
        assertTrue(out.matches("(?s).*tenant shop_globex\\s+order: 4 x globex widget at 2000 cents, served by .*"), out);
        assertTrue(!out.contains("shop_acme    order: 4") && !out.contains("shop_globex  order: 3"), out);
        assertTrue(out.contains("== Hibernate done =="), out);
    }

    @Test
    void readReplicaExampleShowsWhereEachReadRan() throws Exception {
        String out = output(ReadReplicaExample::run);
        assertTrue(out.matches("(?s).*read-only transaction\\s+10 rows, served by \\S+ \\[(primary|standby)].*"), out);
        assertTrue(out.contains("write in a read-only transaction refused: SQLState 25006"), out);
        assertTrue(out.matches("(?s).*standby URL, read-only\\s+\\d+ rows, served by coordinator-standby \\[standby].*"), out);
        assertTrue(out.contains("== read replicas done =="), out);
    }
}
