package io.github.citusjdbc.testkit.wire;

/**
 * Incremental framing of one direction of a PostgreSQL v3 connection: fed arbitrary chunks, it
 * reports every complete message to a {@link Listener}. Framing only: bodies are skipped, except
 * the first byte, which carries ReadyForQuery's transaction status.
 *
 * <p>Client side: packets without a type byte (SSLRequest, GSSENCRequest, CancelRequest, the
 * startup packet) until the startup packet, then typed messages. Server side: typed messages,
 * except the single byte that answers an SSLRequest or GSSENCRequest. After an 'S' or 'G' answer
 * the stream is encrypted and framing stops ({@link #passthrough()}). Not thread-safe: one parser
 * per direction, fed by one thread.
 */
final class WireParser {
    static final int SSL_REQUEST = 80877103;
    static final int GSSENC_REQUEST = 80877104;
    static final int CANCEL_REQUEST = 80877102;

    /** Receives the messages of one direction as they complete. */
    interface Listener {
        /** An untyped client packet (startup, SSL/GSS request, cancel), identified by its code. */
        void untyped(int code);

        /** A typed message; {@code firstBodyByte} is -1 when the body is empty. */
        void typed(char type, int firstBodyByte);

        /** The single-byte answer to an SSL or GSS encryption request. */
        void encryptionAnswer(char answer);
    }

    private final boolean clientSide;
    private final Listener listener;
    private final byte[] header = new byte[8];
    private int headerLen;
    private boolean typedPhase;
    private long bodyLeft;
    private char type;
    private int firstBodyByte;
    private boolean wantFirstByte;
    private boolean passthrough;
    /** Whether the body being skipped belongs to an untyped packet (no callback at its end). */
    private boolean untypedBody;
    /** Answers to encryption requests still to come (server side). */
    private final java.util.concurrent.atomic.AtomicInteger pendingAnswers = new java.util.concurrent.atomic.AtomicInteger();

    WireParser(boolean clientSide, Listener listener) {
        this.clientSide = clientSide;
        this.listener = listener;
        this.typedPhase = !clientSide;
    }

    /** Tells the server-side parser that the next byte is the answer to an encryption request. */
    void expectEncryptionAnswer() {
        pendingAnswers.incrementAndGet();
    }

    /** Stops framing: the stream is encrypted or unparseable from here on. */
    void stop() {
        passthrough = true;
    }

    boolean passthrough() {
        return passthrough;
    }

    void feed(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end && !passthrough) {
            if (bodyLeft > 0) {
                if (wantFirstByte) {
                    firstBodyByte = buf[i] & 0xff;
                    wantFirstByte = false;
                }
                int skip = (int) Math.min(bodyLeft, end - i);
                i += skip;
                bodyLeft -= skip;
                if (bodyLeft == 0) {
                    complete();
                }
                continue;
            }
            if (!clientSide && pendingAnswers.get() > 0 && headerLen == 0) {
                char answer = (char) (buf[i] & 0xff);
                if (answer == 'E') {
                    // An old server answers with an error message instead: frame it as typed.
                    pendingAnswers.set(0);
                    continue;
                }
                i++;
                pendingAnswers.decrementAndGet();
                listener.encryptionAnswer(answer);
                if (answer != 'N') {
                    passthrough = true;
                }
                continue;
            }
            int need = typedPhase ? 5 : 8;
            int take = Math.min(need - headerLen, end - i);
            System.arraycopy(buf, i, header, headerLen, take);
            headerLen += take;
            i += take;
            if (headerLen == need) {
                headerLen = 0;
                if (typedPhase) {
                    startTyped();
                } else {
                    untypedHeader();
                }
            }
        }
    }

    private void startTyped() {
        type = (char) (header[0] & 0xff);
        long length = int32(1);
        if (length < 4) {
            passthrough = true; // not PostgreSQL v3 framing: stop rather than guess
            return;
        }
        bodyLeft = length - 4;
        firstBodyByte = -1;
        wantFirstByte = bodyLeft > 0;
        if (bodyLeft == 0) {
            complete();
        }
    }

    private void complete() {
        if (untypedBody) {
            untypedBody = false;
        } else {
            listener.typed(type, firstBodyByte);
        }
    }

    private void untypedHeader() {
        long length = int32(0);
        int code = (int) int32(4);
        if (length < 8) {
            passthrough = true;
            return;
        }
        if (code != SSL_REQUEST && code != GSSENC_REQUEST && code != CANCEL_REQUEST) {
            typedPhase = true; // the startup packet: typed messages follow
        }
        listener.untyped(code);
        // The body (startup parameters, cancel key) is skipped without a callback.
        bodyLeft = length - 8;
        untypedBody = true;
        wantFirstByte = false;
    }

    private long int32(int at) {
        return ((header[at] & 0xffL) << 24) | ((header[at + 1] & 0xffL) << 16) | ((header[at + 2] & 0xffL) << 8) | (header[at + 3] & 0xffL);
    }
}
