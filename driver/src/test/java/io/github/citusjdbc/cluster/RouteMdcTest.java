package io.github.citusjdbc.cluster;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route of the unit in progress in SLF4J's MDC ({@code citus.tenant}, {@code citus.node},
 * {@code citus.route}) while the routing logger is at DEBUG, removed when the unit ends, and absent
 * when it is not at DEBUG. Each case runs {@link MdcProbe} in a JVM of its own, as the level of
 * slf4j-simple's loggers is fixed when they are made, with a working MDC ({@link MdcTestProvider}).
 */
class RouteMdcTest {
    private static final String TENANT = "mdc_a";
    private static LocalCluster cluster;
    private static ClusterNode standby;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        standby = cluster.standbyOf(cluster.worker(1));
        cluster.citus().createTenant(TENANT, cluster.worker(1), List.of("CREATE TABLE t (id int)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), standby);
        Served.awaitTenants(Served.url(cluster, null), Served.app(cluster), TENANT);
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(TENANT);
    }

    private static List<String> probe(boolean debug) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dslf4j.provider=" + MdcTestProvider.class.getName()));
        if (debug) {
            command.add("-Dorg.slf4j.simpleLogger.log.io.github.citusjdbc.routing.Router=debug");
        }
        command.addAll(List.of(MdcProbe.class.getName(), Served.url(cluster, null), cluster.user(), cluster.password(), TENANT));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("in=") || l.startsWith("after=")).toList();
    }

    @Test
    void atDebugTheUnitsRouteIsInTheMdcUntilItEnds() throws Exception {
        assertEquals(List.of("in=" + TENANT + "|" + standby.address() + "|READ_TENANT_SECONDARY", "after=null|null|null"),
                probe(true));
    }

    @Test
    void belowDebugNothingIsPutInTheMdc() throws Exception {
        assertEquals(List.of("in=null|null|null", "after=null|null|null"), probe(false));
    }
}
