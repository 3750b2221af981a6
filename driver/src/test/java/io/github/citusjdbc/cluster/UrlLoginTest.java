package io.github.citusjdbc.cluster;

import static io.github.citusjdbc.cluster.Served.app;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The login of the URL's connection keeps pgjdbc's own bounds on a host that accepts TCP and then
 * says nothing, although citus-jdbc does not give them to the socket as timeouts (which would leave
 * the connection non-blocking for good, see SocketModeTest): with a multi-host URL whose first host
 * is silent at the TLS request ({@code sslResponseTimeout}) the connection is made to the second
 * host, the real coordinator, about that bound later; a host alone that is silent there or in the
 * TLS handshake ({@code connectTimeout}) fails the login about that bound later. Each case
 * runs with raw pgjdbc too, which must behave the same. The silent host is a socket of this test
 * that accepts connections (and, for the handshake, answers the TLS request with 'S') and then
 * sends nothing.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a login without its bound fails here, not hangs the suite
class UrlLoginTest {

    private static LocalCluster cluster;
    private static ClusterNode coordinator;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.shared();
        coordinator = cluster.coordinator();
    }

    /** A host that accepts connections and never answers; with {@code acceptsTls} it answers the TLS request with 'S' first. */
    private static final class SilentHost implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final Thread acceptor;

        SilentHost(boolean acceptsTls) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        accepted.add(s);
                        if (acceptsTls) {
                            new DataInputStream(s.getInputStream()).readFully(new byte[8]); // SSLRequest
                            s.getOutputStream().write('S');
                            s.getOutputStream().flush();
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "silent-host");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static String url(String driver, String hosts, String query) {
        return "jdbc:" + driver + "://" + hosts + "/" + cluster.database() + "?" + query + "&ApplicationName=url_login_test";
    }

    private static int serverPort(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT inet_server_port()")) {
            assertTrue(rs.next());
            return rs.getInt(1); // no table: the coordinator answers itself
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static void assertAboutOneSecond(long took, String what) {
        assertTrue(took >= 900 && took < 4_500, what + " after " + took + " ms; the bound is 1 s (pgjdbc's default 5 s or none would fail this)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"citus", "postgresql"})
    void aFirstHostSilentAtTheTlsRequestIsLeftAfterSslResponseTimeout(String driver) throws Exception {
        try (SilentHost silent = new SilentHost(false)) {
            long start = System.nanoTime();
            try (Connection c = DriverManager.getConnection(url(driver, silent.address() + "," + coordinator.address(),
                    "sslmode=require&sslResponseTimeout=1000"), app(cluster))) {
                assertAboutOneSecond(millisSince(start), "connected");
                assertEquals(coordinator.port(), serverPort(c), "the second host");
                assertEquals(1, silent.accepted.size(), "the silent host was tried first");
            }
        }
    }

    /**
     * Alone: with a multi-host URL pgjdbc's {@code connectTimeout} is one budget for the whole login
     * (pgjdbc 42.7.14), so a second host gets the 1 ms left and is reached or not by chance, with
     * raw pgjdbc as with citus-jdbc.
     */
    @ParameterizedTest
    @ValueSource(strings = {"citus", "postgresql"})
    void aHostSilentInTheTlsHandshakeFailsAfterConnectTimeout(String driver) throws Exception {
        failsAlone(driver, true, "connectTimeout=1", "08006"); // pgjdbc's "SSL error", with either driver
    }

    @ParameterizedTest
    @ValueSource(strings = {"citus", "postgresql"})
    void aHostSilentAtTheTlsRequestFailsAfterSslResponseTimeout(String driver) throws Exception {
        failsAlone(driver, false, "sslResponseTimeout=1000", "08001");
    }

    /** A silent host alone in the URL: the login fails after the 1 s bound {@code bound} sets, once tried, with {@code state}. */
    private static void failsAlone(String driver, boolean acceptsTls, String bound, String state) throws Exception {
        try (SilentHost silent = new SilentHost(acceptsTls)) {
            long start = System.nanoTime();
            SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    url(driver, silent.address(), "sslmode=require&" + bound), app(cluster)).close());
            assertAboutOneSecond(millisSince(start), "failed");
            assertEquals(state, e.getSQLState(), e.toString());
            assertEquals(1, silent.accepted.size(), "tried once");
            assertFalse(String.valueOf(e.getMessage()).contains(cluster.password()), "no password in the message");
        }
    }
}
