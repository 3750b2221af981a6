package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.assertServedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Opening a routed connection is bounded even when the node accepts TCP and then never answers the
 * login: the coordinator's standby is frozen ({@code SIGSTOP} of its postmaster: the kernel still
 * completes TCP handshakes, nobody answers the startup message). A read-only statement routed there
 * must give up within about {@code nodeConnectTimeout} and run elsewhere, not block forever.
 */
class RoutedLoginTimeoutTest {

    /**
     * @param tls the URL's TLS setting: the login asks for TLS (whose request and handshake pgjdbc would
     *            bound with timeouts of its own, which routed logins turn off) or does not
     */
    @ParameterizedTest
    @ValueSource(strings = {"sslmode=prefer", "sslmode=disable"})
    void aNodeThatStallsInTheLoginDoesNotBlockTheStatement(String tls) throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode standby = cluster.standbyOf(cluster.coordinator());
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?nodeConnectTimeout=1s&clusterName=default&ApplicationName=login_timeout_test&" + tls;
        ExecutorService reader = Executors.newSingleThreadExecutor();
        Connection c = DriverManager.getConnection(url, app(cluster));
        try {
            c.setReadOnly(true);
            Connection first = c;
            // The route exists and works (the back-off after the other parameter's frozen login may still run).
            LocalCluster.waitUntil(() -> Served.by(first).port() == standby.port(), Duration.ofSeconds(30),
                    "reads on the standby");
            assertServedBy(standby, Served.by(c));
            c.close(); // its routed connection to the standby goes with it
            c = DriverManager.getConnection(url, app(cluster));
            c.setReadOnly(true);
            Connection conn = c;
            signal("STOP", standby, cluster);
            try {
                long start = System.nanoTime();
                Future<Served> read = reader.submit(() -> Served.by(conn));
                Served served;
                try {
                    served = read.get(15, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("the statement still waits for the frozen standby's login after 15 s", e);
                }
                long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertNotEquals(standby.port(), served.port(), "served elsewhere");
                assertTrue(took < 8_000, "gave up on the login after " + took + " ms; nodeConnectTimeout is 1 s");
                // pgjdbc logs in on a thread of its own (loginTimeout); the login given up on has its socket
                // closed, so that thread does not wait for the frozen node forever.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (loginThreadsAlive() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(0, loginThreadsAlive(), "pgjdbc's login threads still waiting for the frozen standby");
            } finally {
                signal("CONT", standby, cluster);
            }
        } finally {
            c.abort(Runnable::run);
            reader.shutdownNow();
        }
    }

    private static long loginThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("PostgreSQL JDBC driver connection thread")).count();
    }

    private static void signal(String signal, ClusterNode node, LocalCluster cluster)
            throws IOException, InterruptedException {
        Path pidFile = cluster.runDir().resolve(node.name()).resolve("postmaster.pid");
        String pid = Files.readAllLines(pidFile, StandardCharsets.US_ASCII).get(0).trim();
        Process p = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
        assertEquals(0, p.waitFor(), "kill -" + signal + " " + pid);
    }
}
