package io.github.citusjdbc.testkit.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * One relayed client connection: a pump per direction that frames the bytes, tells the
 * {@link RoundTripRelay} what it saw, and forwards them, after the configured delay when there is
 * one (a reader and a delivering writer per direction, so one slow direction delays only itself).
 * Messages are counted when the relay reads them, before forwarding, so the counts are complete
 * by the time the client sees the server's answer.
 */
final class RelayConnection {
    private static final byte[] EOF = new byte[0];

    private final RoundTripRelay relay;
    private final Socket client;
    private final Socket server;
    private final long delayNanos;
    private final boolean passEncryption;
    private final WireParser fromClient;
    private final WireParser fromServer;
    private final Object turnLock = new Object();
    private boolean startupDone;
    private boolean turnOpen;
    private long dataRows; // DataRow messages from the server on this connection (its s>c reader only)

    RelayConnection(RoundTripRelay relay, Socket client, Socket server, long delayNanos, boolean passEncryption) {
        this.passEncryption = passEncryption;
        this.relay = relay;
        this.client = client;
        this.server = server;
        this.delayNanos = delayNanos;
        this.fromServer = new WireParser(false, new ServerListener());
        this.fromClient = new WireParser(true, new ClientListener());
    }

    /** Starts the pumps; they end, and close both sockets, when either side closes. */
    void start() throws IOException {
        pump("c>s", client.getInputStream(), server.getOutputStream(), fromClient);
        pump("s>c", server.getInputStream(), client.getOutputStream(), fromServer);
    }

    void close() {
        closeQuietly(client);
        closeQuietly(server);
        relay.closed(this);
    }

    /** Ends the connection abruptly: an RST to the client (no FIN), the server's side closed. */
    void reset() {
        try {
            client.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // Closed already: nothing to reset.
        }
        close();
    }

    private void pump(String dir, InputStream in, OutputStream out, WireParser parser) {
        BlockingQueue<Chunk> queue = delayNanos > 0 ? new LinkedBlockingQueue<>() : null;
        relay.newThread(dir + "-read", () -> {
            byte[] buf = new byte[16 * 1024];
            try {
                int n;
                if (parser == fromClient && !passEncryption) {
                    byte[] first = refuseEncryption(in);
                    parser.feed(first, 0, first.length);
                    forward(first, first.length, out, queue);
                }
                while ((n = in.read(buf)) >= 0) {
                    relay.awaitThaw();
                    long rowsBefore = dataRows;
                    parser.feed(buf, 0, n);
                    if (parser == fromClient) {
                        relay.rewriteClientBytes(buf, n);
                    } else if (dataRows > rowsBefore && relay.claimReset()) {
                        forward(buf, n / 2, out, queue);
                        reset();
                        return;
                    }
                    forward(buf, n, out, queue);
                }
            } catch (IOException e) {
                // The peer or close() ended the connection.
            } finally {
                if (queue == null) {
                    close();
                } else {
                    queue.add(new Chunk(0, EOF));
                }
            }
        });
        if (queue != null) {
            relay.newThread(dir + "-deliver", () -> deliver(queue, out));
        }
    }

    /**
     * Answers the client's SSLRequests and GSSENCRequests with 'N' until it sends its first other
     * packet (a startup or a cancel request), which is returned whole for forwarding.
     * Such requests are exactly 8 bytes: length 8 and a request code.
     */
    private byte[] refuseEncryption(InputStream in) throws IOException {
        java.io.DataInputStream data = new java.io.DataInputStream(in);
        while (true) {
            byte[] head = new byte[8];
            data.readFully(head);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head);
            int length = b.getInt();
            int code = b.getInt();
            if (length == 8 && (code == WireParser.SSL_REQUEST || code == WireParser.GSSENC_REQUEST)) {
                // The server has been sent nothing yet, so nothing else writes to the client now.
                client.getOutputStream().write('N');
                client.getOutputStream().flush();
                continue;
            }
            if (length <= 8 || length > 1 << 20) {
                return head; // not a startup packet we can frame: forward as it comes, the server judges it
            }
            // PgBouncer refuses a startup packet that does not arrive whole: forward it in one piece.
            byte[] whole = java.util.Arrays.copyOf(head, length);
            data.readFully(whole, 8, length - 8);
            return whole;
        }
    }

    private void forward(byte[] bytes, int n, OutputStream out, BlockingQueue<Chunk> queue) throws IOException {
        if (queue == null) {
            out.write(bytes, 0, n);
        } else {
            queue.add(new Chunk(System.nanoTime() + delayNanos, java.util.Arrays.copyOf(bytes, n)));
        }
    }

    /** Writes each chunk when its delay has passed; FIFO, as every chunk has the same delay. */
    private void deliver(BlockingQueue<Chunk> queue, OutputStream out) {
        try {
            while (true) {
                Chunk c = queue.take();
                if (c.bytes == EOF) {
                    return;
                }
                long wait;
                while ((wait = c.due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                relay.awaitThaw();
                out.write(c.bytes);
            }
        } catch (IOException | InterruptedException e) {
            // Closed underneath us.
        } finally {
            close();
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }

    private final class ClientListener implements WireParser.Listener {
        @Override
        public void untyped(int code) {
            if (code == WireParser.SSL_REQUEST || code == WireParser.GSSENC_REQUEST) {
                fromServer.expectEncryptionAnswer();
            } else if (code == WireParser.CANCEL_REQUEST) {
                relay.cancelRequest();
            }
        }

        @Override
        public void typed(char type, int firstBodyByte) {
            relay.clientMessage(type);
            synchronized (turnLock) {
                if (startupDone) {
                    turnOpen = true;
                }
            }
        }

        @Override
        public void encryptionAnswer(char answer) {
            // Only the server answers.
        }
    }

    private final class ServerListener implements WireParser.Listener {
        @Override
        public void untyped(int code) {
            // The server sends no untyped packets.
        }

        @Override
        public void typed(char type, int firstBodyByte) {
            if (type != 'Z') {
                relay.serverMessage(type);
                if (type == 'D') {
                    dataRows++;
                }
                return;
            }
            boolean turnEnded;
            boolean startup;
            synchronized (turnLock) {
                startup = !startupDone;
                startupDone = true;
                turnEnded = !startup && turnOpen;
                turnOpen = false;
            }
            if (startup) {
                relay.sessionReady();
            } else {
                relay.serverMessage(type);
                relay.readyForQuery((char) firstBodyByte, turnEnded);
            }
        }

        @Override
        public void encryptionAnswer(char answer) {
            if (answer != 'N') {
                fromClient.stop(); // TLS or GSS from here on: nothing left to frame
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
