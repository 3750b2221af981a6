package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static io.github.citusjdbc.cluster.Served.assertServedBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sockets of routed physical connections, and the URL's connection after the application's (a
 * pool's) {@code isValid}, stay in blocking mode, as pgjdbc's own without a {@code socketTimeout}
 * and before any {@code isValid(n)}: a read under a socket timeout turns the JDK's socket non-blocking for good,
 * and every later read then costs a failed read and a {@code poll} more (docs/facts.md, "A socket
 * timeout costs every read after it"). Their login and validation are bounded another way. Read
 * from the kernel: {@code O_NONBLOCK} in {@code /proc/self/fdinfo} of the connection's socket, found
 * as the socket to the node's port that opened with the routed connection (Linux only). Mostly
 * without TLS: pgjdbc reads the answer to its TLS request under a timeout of its own
 * ({@code sslResponseTimeout}), so its own connections that ask for TLS are non-blocking from their
 * start; the driver's are not, which two tests check with TLS.
 */
class SocketModeTest {

    private static final int O_NONBLOCK = 04000;

    private static LocalCluster cluster;
    private static ClusterNode coordinator;
    private static ClusterNode standby; // the coordinator's: read-only units go there

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "the suite runs on Linux: /proc/self/fdinfo");
        cluster = LocalCluster.shared();
        coordinator = cluster.coordinator();
        standby = cluster.standbyOf(coordinator);
    }

    @Test
    void theProbeSeesWhatASocketTimeoutDoes() throws Exception {
        ClusterNode node = coordinator;
        String raw = "jdbc:postgresql://" + node.address() + "/" + cluster.database() + "?sslmode=disable";
        assertEquals(List.of(false), connectedModes(raw, node.port(), SocketModeTest::select),
                "pgjdbc without socketTimeout: blocking");
        assertEquals(List.of(true), connectedModes(raw + "&socketTimeout=30", node.port(), SocketModeTest::select),
                "pgjdbc with socketTimeout: non-blocking after its first read");
    }

    @Test
    void aRoutedConnectionStaysBlockingThroughItsLoginAndItsIdleValidation() throws Exception {
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?sslmode=disable&clusterName=default&nodeIdleValidation=100ms&ApplicationName=socket_mode_test";
        assertEquals(List.of(false), modesOfNewSockets(standby.port(), () -> {
            try (Connection c = DriverManager.getConnection(url, app(cluster))) {
                c.setReadOnly(true);
                awaitReadsOn(standby, c);
                List<Boolean> first = modes(c, standby.port());
                Thread.sleep(300); // past nodeIdleValidation: the next unit validates the connection first
                assertServedBy(standby, Served.by(c));
                List<Boolean> validated = modes(c, standby.port());
                assertEquals(first, validated, "the same routed connection, validated, not replaced");
                return validated;
            }
        }), "the routed connection's socket after its login, a unit, its validation and another unit");
    }

    @Test
    void withTlsARoutedConnectionStaysBlockingWherePgjdbcsOwnDoesNot() throws Exception {
        String raw = "jdbc:postgresql://" + standby.address() + "/" + cluster.database() + "?sslmode=require";
        assertEquals(List.of(true), connectedModes(raw, standby.port(), SocketModeTest::assertTls),
                "pgjdbc with TLS: non-blocking from its TLS request on (sslResponseTimeout)");
        String url = "jdbc:citus://" + coordinator.address() + "/" + cluster.database()
                + "?sslmode=require&clusterName=default&ApplicationName=socket_mode_tls";
        assertEquals(List.of(false), routedModes(url, standby.port(), SocketModeTest::assertTls),
                "the routed connection's socket, with TLS");
    }

    /**
     * The URL's own connection with TLS (the default {@code sslmode=prefer}, which the kit's Citus
     * servers accept): pgjdbc bounds its TLS request and handshake with socket timeouts, which
     * citus-jdbc keeps as timers instead (UrlLoginTest checks the bounds).
     */
    @Test
    void withTlsTheUrlConnectionStaysBlockingWherePgjdbcsOwnDoesNot() throws Exception {
        String query = "/" + cluster.database() + "?ApplicationName=socket_mode_url_tls";
        try (Connection c = DriverManager.getConnection("jdbc:citus://" + coordinator.address() + query, app(cluster))) {
            assertTls(c);
            assertFalse(nonBlocking(clientPort(c), coordinator.port()), "citus-jdbc's URL connection with TLS");
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + coordinator.address() + query, app(cluster))) {
            assertTls(c);
            assertTrue(nonBlocking(clientPort(c), coordinator.port()), "pgjdbc's own with TLS: non-blocking from its TLS request on");
        }
    }

    private interface Check {
        void on(Connection c) throws SQLException;
    }

    /** @return the modes of the sockets to {@code port} that a connection of {@code url} opened once {@code check} passed on it */
    private static List<Boolean> connectedModes(String url, int port, Check check)
            throws Exception {
        return modesOfNewSockets(port, () -> {
            try (Connection c = DriverManager.getConnection(url, app(cluster))) {
                check.on(c);
                return modes(c, port);
            }
        });
    }

    /** @return {@link #connectedModes} of a connection whose read-only units ran on the coordinator's standby first */
    private static List<Boolean> routedModes(String url, int port,
                                             Check check) throws Exception {
        return connectedModes(url, port, c -> {
            c.setReadOnly(true);
            awaitReadsOn(standby, c);
            check.on(c);
        });
    }

    private static void assertTls(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(rs.next() && rs.getBoolean(1), "the connection uses TLS");
        }
    }

    @Test
    void behindPgBouncerTheConnectCheckKeepsItBlockingToo() throws Exception {
        int bouncerPort = port(standby.bouncerAddress());
        // Every node through its PgBouncer 1.18: the routed connection is checked with one query at connect.
        String url = "jdbc:citus://" + coordinator.bouncerAddress() + "/" + cluster.database()
                + "?sslmode=disable&clusterName=default&pooler=pgbouncer-transaction&ApplicationName=socket_mode_bouncer"
                + "&nodeAddressMap=" + cluster.nodeAddressMap(ClusterNode::bouncerAddress);
        assertEquals(List.of(false), routedModes(url, bouncerPort, c -> { }),
                "the routed connection's socket to the standby's PgBouncer");
    }

    @Test
    void theApplicationsIsValidLeavesTheUrlConnectionBlocking() throws Exception {
        String url = "jdbc:citus://" + coordinator.address() + "/" + cluster.database()
                + "?sslmode=disable&ApplicationName=socket_mode_isvalid";
        try (Connection c = DriverManager.getConnection(url, app(cluster))) {
            int localPort = clientPort(c); // the URL's connection (nothing pinned, nothing read-only: not routed)
            assertFalse(nonBlocking(localPort, coordinator.port()), "after the login and a statement");
            assertTrue(c.isValid(5), "valid");
            assertEquals(localPort, clientPort(c), "the same connection");
            assertFalse(nonBlocking(localPort, coordinator.port()), "after isValid(5)");
        }
        String raw = "jdbc:postgresql://" + coordinator.address() + "/" + cluster.database() + "?sslmode=disable";
        try (Connection c = DriverManager.getConnection(raw, app(cluster))) {
            int localPort = clientPort(c);
            assertTrue(c.isValid(5), "valid");
            assertTrue(nonBlocking(localPort, coordinator.port()), "pgjdbc's own isValid(5) leaves it non-blocking");
        }
    }

    /** Waits until {@code c}'s read-only units run on {@code standby} (a back-off left by another test may still run). */
    private static void awaitReadsOn(ClusterNode standby, Connection c) throws SQLException {
        LocalCluster.waitUntil(() -> Served.by(c).port() == standby.port(), java.time.Duration.ofSeconds(30),
                "reads on " + standby.name());
        assertServedBy(standby, Served.by(c));
    }

    private static int clientPort(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT inet_client_port()")) {
            assertTrue(rs.next());
            return rs.getInt(1);
        }
    }

    /** @return whether this process's socket from 127.0.0.1:{@code localPort} to {@code remotePort} is non-blocking */
    private static boolean nonBlocking(int localPort, int remotePort) throws IOException {
        Map<Long, Integer> toRemote = socketsTo(remotePort);
        for (Map.Entry<Long, Integer> e : toRemote.entrySet()) {
            if (localPortOf(e.getKey()) == localPort) {
                return (flags(e.getValue()) & O_NONBLOCK) != 0;
            }
        }
        throw new AssertionError("no socket from port " + localPort + " to " + remotePort + " in " + toRemote);
    }

    private static int localPortOf(long inode) throws IOException {
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[9].equals(Long.toString(inode))) {
                    return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                }
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ the probe

    private interface Body {
        List<Boolean> run() throws Exception;
    }

    private static Set<Long> before;

    /** Runs {@code body} (which reads {@link #modes} of the sockets opened since it started) and returns its result. */
    private static List<Boolean> modesOfNewSockets(int remotePort, Body body) throws Exception {
        before = socketsTo(remotePort).keySet();
        List<Boolean> modes = body.run();
        assertFalse(modes.isEmpty(), "a socket to port " + remotePort + " opened");
        return modes;
    }

    /** @return for each socket to {@code remotePort} opened since {@link #modesOfNewSockets} started, whether it is non-blocking */
    private static List<Boolean> modes(Connection open, int remotePort) throws IOException {
        assertFalse(isClosed(open));
        Map<Long, Integer> now = socketsTo(remotePort);
        List<Boolean> out = new java.util.ArrayList<>();
        for (Map.Entry<Long, Integer> e : now.entrySet()) {
            if (!before.contains(e.getKey())) {
                out.add((flags(e.getValue()) & O_NONBLOCK) != 0);
            }
        }
        return out;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** @return socket inode to file descriptor, for this process's TCP sockets connected to 127.0.0.1:{@code remotePort} */
    private static Map<Long, Integer> socketsTo(int remotePort) throws IOException {
        Set<Long> inodes = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            for (String line : Files.readAllLines(p).subList(1, Files.readAllLines(p).size())) {
                String[] f = line.trim().split("\\s+");
                String remote = f[2];
                int port = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
                if (port == remotePort && f[3].equals("01")) { // ESTABLISHED
                    inodes.add(Long.parseLong(f[9]));
                }
            }
        }
        Map<Long, Integer> out = new HashMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                String link;
                try {
                    link = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (link.startsWith("socket:[")) {
                    long inode = Long.parseLong(link.substring(8, link.length() - 1));
                    if (inodes.contains(inode)) {
                        out.put(inode, Integer.parseInt(fd.getFileName().toString()));
                    }
                }
            }
        }
        return out;
    }

    /** @return the file status flags of a descriptor of this process ({@code flags:} in fdinfo, octal) */
    private static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no flags for fd " + fd);
    }

    private static void select(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }
}
