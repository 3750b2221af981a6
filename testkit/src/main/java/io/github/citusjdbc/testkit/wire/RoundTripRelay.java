package io.github.citusjdbc.testkit.wire;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A loopback TCP relay in front of a PostgreSQL server or PgBouncer that counts network round
 * trips of the PostgreSQL v3 protocol, optionally adding a fixed delay per direction.
 *
 * <p><b>Round trip</b>: a client turn starts with the first client message after the last
 * ReadyForQuery ('Z'), or after the session's startup (authentication up to its first 'Z'), and
 * ends with the next 'Z' from the server; {@link #roundTrips()} counts ended turns. Pipelined
 * Syncs answered by several 'Z's while the client sends nothing new are one turn, as they cost
 * one network round trip; a client that waits for results before sending more starts a new turn.
 * Startup and authentication are not counted (see {@link #sessions()}).
 *
 * <p>Also counted: Sync ('S') and Query ('Q') messages, every client and server message type
 * ({@link #clientMessages(char)}, {@link #serverMessages(char)}, e.g. 'P' Parse or 'N'
 * NoticeResponse), ReadyForQuery messages and the last transaction status. Counters are summed
 * over all connections and complete when the client has the server's answer (messages are
 * counted before they are forwarded). {@link #reset()} zeroes them.
 *
 * <p>Encryption: the relay answers an SSLRequest or GSSENCRequest itself with 'N' (no
 * encryption), so that the client speaks plaintext the relay can count, also in front of a Citus
 * node, which serves TLS (pgjdbc's default {@code sslmode=prefer} then falls back to plaintext;
 * {@code sslmode=require} fails, as against a server without TLS). A relay started with
 * {@link #startPassingEncryption} forwards both requests and passes the server's one-byte answer
 * back instead (after 'S'/'G' the connection is relayed without parsing, and nothing is counted).
 * CancelRequest connections are forwarded. Each connection uses two threads (four with a delay). {@link #close()} closes every
 * socket and waits for all threads. Thread-safe.
 */
public final class RoundTripRelay implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final long delayNanos;
    private final boolean passEncryption;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Set<RelayConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger threadIds = new AtomicInteger();
    private volatile boolean closed;

    private final AtomicLong roundTrips = new AtomicLong();
    private final AtomicLong readyForQuery = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLongArray clientTypes = new AtomicLongArray(256);
    private final AtomicLongArray serverTypes = new AtomicLongArray(256);
    private volatile char lastStatus;

    // Fault injection: a stalled node (see freeze) and connections reset in the middle of a result.
    private final Object freezeLock = new Object();
    private volatile boolean frozen;
    private final AtomicInteger resetsLeft = new AtomicInteger();
    private final AtomicLong resets = new AtomicLong();

    // Fault injection: client bytes replaced before forwarding (see rewriteClientText).
    private volatile byte[] rewriteFrom;
    private volatile byte[] rewriteTo;
    private final AtomicInteger rewritesLeft = new AtomicInteger();

    private RoundTripRelay(String targetHost, int targetPort, Duration delayPerDirection, boolean passEncryption) throws IOException {
        this.passEncryption = passEncryption;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.delayNanos = delayPerDirection.toNanos();
        this.listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        this.acceptor = newThread("accept", this::acceptLoop);
    }

    /**
     * Starts a relay without added delay.
     *
     * @param targetHost host of the server or PgBouncer to relay to
     * @param targetPort its port
     * @return the running relay, listening on a free loopback port
     * @throws IOException when no port can be bound
     */
    public static RoundTripRelay start(String targetHost, int targetPort) throws IOException {
        return start(targetHost, targetPort, Duration.ZERO);
    }

    /**
     * Starts a relay that delays every chunk by {@code delayPerDirection} in each direction, so a
     * round trip costs about twice that more.
     *
     * @param targetHost host of the server or PgBouncer to relay to
     * @param targetPort its port
     * @param delayPerDirection added one-way delay, zero for none
     * @return the running relay
     * @throws IOException when no port can be bound
     */
    public static RoundTripRelay start(String targetHost, int targetPort, Duration delayPerDirection) throws IOException {
        if (delayPerDirection.isNegative()) {
            throw new IllegalArgumentException("negative delay " + delayPerDirection);
        }
        return new RoundTripRelay(targetHost, targetPort, delayPerDirection, false);
    }

    /**
     * Starts a relay without added delay that forwards encryption requests to the server, so a
     * client may talk TLS through it (end to end with the server; only connections are counted).
     */
    public static RoundTripRelay startPassingEncryption(String targetHost, int targetPort) throws IOException {
        return new RoundTripRelay(targetHost, targetPort, Duration.ZERO, true);
    }

    /**
     * Starts a relay to the host and port of a {@code jdbc:postgresql://host:port/db...} URL.
     *
     * @param jdbcUrl the URL of the target (one host)
     * @param delayPerDirection added one-way delay, zero for none
     * @return the running relay
     * @throws IOException when no port can be bound
     */
    public static RoundTripRelay forUrl(String jdbcUrl, Duration delayPerDirection) throws IOException {
        JdbcUrls.HostPort hp = JdbcUrls.hostPort(jdbcUrl);
        return start(hp.host(), hp.port(), delayPerDirection);
    }

    /** @return the loopback port the relay listens on */
    public int port() {
        return listener.getLocalPort();
    }

    /** @return {@code 127.0.0.1:port} of the relay */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /**
     * @param targetJdbcUrl a {@code jdbc:postgresql://host:port/...} URL of the target
     * @return the same URL pointing at this relay
     */
    public String jdbcUrl(String targetJdbcUrl) {
        return JdbcUrls.withHostPort(targetJdbcUrl, "127.0.0.1", port());
    }

    /** @return completed client turns (see the class comment) since start or {@link #reset()} */
    public long roundTrips() {
        return roundTrips.get();
    }

    /** @return Sync messages sent by clients */
    public long syncs() {
        return clientTypes.get('S');
    }

    /** @return simple-protocol Query messages sent by clients */
    public long queries() {
        return clientTypes.get('Q');
    }

    /** @return ReadyForQuery messages after startup */
    public long readyForQuery() {
        return readyForQuery.get();
    }

    /**
     * @param type a message type byte, e.g. 'P' (Parse), 'B' (Bind), 'E' (Execute), 'X' (Terminate)
     * @return how many messages of that type clients sent after startup began
     */
    public long clientMessages(char type) {
        return clientTypes.get(type & 0xff);
    }

    /**
     * @param type a message type byte, e.g. 'N' (NoticeResponse), 'E' (ErrorResponse), 'S' (ParameterStatus)
     * @return how many messages of that type servers sent (startup's ReadyForQuery excluded)
     */
    public long serverMessages(char type) {
        return serverTypes.get(type & 0xff);
    }

    /** @return the transaction status of the last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' failed), or 0 before any */
    public char lastTransactionStatus() {
        return lastStatus;
    }

    /** @return sessions whose startup completed (first ReadyForQuery seen) */
    public long sessions() {
        return sessions.get();
    }

    /** @return CancelRequest packets relayed */
    public long cancelRequests() {
        return cancels.get();
    }

    /** @return TCP connections accepted since start (not reset) */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** @return connections currently open */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Fault injection: replaces the next {@code times} occurrences of {@code from} in what clients send
     * with {@code to}, before forwarding. Both must have the same length in UTF-8 (framing is left
     * unchanged), e.g. {@code "ROLLBACK"} into {@code "SELECT 1"}, which a server answers with an error
     * (25P02) inside a failed transaction. An occurrence split across two reads of the socket is not
     * replaced (client messages of a few bytes arrive whole on loopback). The message counters see
     * what clients sent. {@code times} 0 disarms.
     *
     * @param from  text to find
     * @param to    its replacement, of the same length
     * @param times how many occurrences to replace, over all connections
     */
    public void rewriteClientText(String from, String to, int times) {
        byte[] f = from.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] t = to.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (f.length == 0 || f.length != t.length || times < 0) {
            throw new IllegalArgumentException("rewrite needs non-empty texts of equal length and times >= 0");
        }
        rewritesLeft.set(0);
        rewriteFrom = f;
        rewriteTo = t;
        rewritesLeft.set(times);
    }

    /**
     * Fault injection: the node stalls. Connections are still accepted, but from now on nothing is
     * forwarded in either direction on any connection, new or open, until {@link #thaw()}: the bytes
     * wait in the sockets (nothing is lost), so a client sees a server that never answers.
     */
    public void freeze() {
        frozen = true;
    }

    /** Ends {@link #freeze()}: what waited is forwarded, in order. */
    public void thaw() {
        synchronized (freezeLock) {
            frozen = false;
            freezeLock.notifyAll();
        }
    }

    /**
     * Fault injection: the next {@code times} server chunks carrying result rows (DataRow messages) are
     * cut: their first half is forwarded, then the connection is reset (TCP RST to the client, and the
     * server's side closed), so a client is left in the middle of a result. {@code times} 0 disarms.
     */
    public void resetMidResult(int times) {
        if (times < 0) {
            throw new IllegalArgumentException("times < 0");
        }
        resetsLeft.set(times);
    }

    /**
     * Fault injection: resets every open connection now, wherever its session is (idle, in a
     * transaction, in the middle of a result): a TCP RST to the client, the server's side closed.
     * New connections are still accepted and relayed.
     *
     * @return how many connections were reset
     */
    public int resetConnections() {
        int n = 0;
        for (RelayConnection c : connections) {
            c.reset();
            resets.incrementAndGet();
            n++;
        }
        return n;
    }

    /** @return connections reset by {@link #resetMidResult} and {@link #resetConnections()} so far */
    public long resets() {
        return resets.get();
    }

    /** @return replacements of {@link #rewriteClientText} not yet made */
    public int rewritesLeft() {
        return rewritesLeft.get();
    }

    /** Zeroes every counter except {@link #acceptedConnections()}. */
    public void reset() {
        roundTrips.set(0);
        readyForQuery.set(0);
        sessions.set(0);
        cancels.set(0);
        for (int i = 0; i < 256; i++) {
            clientTypes.set(i, 0);
            serverTypes.set(i, 0);
        }
        lastStatus = 0;
    }

    @Override
    public String toString() {
        return "RoundTripRelay[" + address() + " -> " + targetHost + ":" + targetPort + ", roundTrips=" + roundTrips()
                + ", syncs=" + syncs() + ", queries=" + queries() + ", Z=" + readyForQuery() + "]";
    }

    // ------------------------------------------------------------ called by connections

    void clientMessage(char type) {
        clientTypes.incrementAndGet(type & 0xff);
    }

    void serverMessage(char type) {
        serverTypes.incrementAndGet(type & 0xff);
    }

    void readyForQuery(char status, boolean turnEnded) {
        lastStatus = status;
        readyForQuery.incrementAndGet();
        if (turnEnded) {
            roundTrips.incrementAndGet();
        }
    }

    /** Applies {@link #rewriteClientText} to {@code len} bytes a client sent, in place. */
    void rewriteClientBytes(byte[] buf, int len) {
        if (rewritesLeft.get() <= 0) {
            return;
        }
        byte[] f = rewriteFrom;
        byte[] t = rewriteTo;
        for (int i = 0; i + f.length <= len; i++) {
            if (java.util.Arrays.equals(buf, i, i + f.length, f, 0, f.length)) {
                if (rewritesLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) <= 0) {
                    return;
                }
                System.arraycopy(t, 0, buf, i, t.length);
                i += f.length - 1;
            }
        }
    }

    /** Blocks while the relay is frozen (or until it closes). */
    void awaitThaw() {
        if (!frozen) {
            return;
        }
        synchronized (freezeLock) {
            while (frozen && !closed) {
                try {
                    freezeLock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** @return true when a server chunk with result rows is to be cut now (consumes one reset) */
    boolean claimReset() {
        if (resetsLeft.get() <= 0 || resetsLeft.getAndUpdate(n -> n > 0 ? n - 1 : 0) <= 0) {
            return false;
        }
        resets.incrementAndGet();
        return true;
    }

    void closed(RelayConnection c) {
        connections.remove(c);
    }

    void sessionReady() {
        sessions.incrementAndGet();
    }

    void cancelRequest() {
        cancels.incrementAndGet();
    }

    Thread newThread(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }, "rt-relay-" + port() + "-" + threadIds.incrementAndGet() + "-" + name);
        t.setDaemon(true); // never keeps a test JVM alive, even if close() is forgotten
        threads.add(t);
        t.start();
        return t;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket server = new Socket();
            try {
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                server.connect(new InetSocketAddress(targetHost, targetPort), 10_000);
                RelayConnection c = new RelayConnection(this, client, server, delayNanos, passEncryption);
                connections.add(c);
                c.start();
                if (closed) {
                    c.close(); // close() may have run between accept and add
                }
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
            }
        }
    }

    /** Closes the listener and every relayed connection, then waits for all relay threads to end. */
    @Override
    public void close() {
        closed = true;
        thaw();
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (RelayConnection c : connections) {
            c.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** @return threads of this relay still alive (0 after {@link #close()}) */
    public int liveThreads() {
        return (int) threads.stream().filter(Thread::isAlive).count();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
