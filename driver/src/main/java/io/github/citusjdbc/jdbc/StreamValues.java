package io.github.citusjdbc.jdbc;

import java.io.ByteArrayInputStream;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * Stream and Reader parameter values read once, when they are set. The driver sets a statement's
 * parameters again on another physical statement (a tenant's envelope, a batch entry's copy, the
 * statement of the node routing chose), and pgjdbc reads a stream when it is given one (or when it
 * executes): a second physical statement given the same stream would send what is left of it,
 * usually nothing. A value read here can be given to any number of physical statements
 * ({@link #again}), each reading the same content.
 */
final class StreamValues {

    /** The largest array the JVM allocates; pgjdbc's own limit for a bound value is the same. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private StreamValues() {
    }

    /** Bytes read from an application's stream; {@link #again} reads them from the start. */
    static final class Bytes extends ByteArrayInputStream {
        Bytes(byte[] content, int length) {
            super(content, 0, length);
        }

        Bytes again() {
            return new Bytes(buf, count);
        }
    }

    /** Characters read from an application's Reader; {@link #again} reads them from the start. */
    static final class Chars extends CharArrayReader {
        Chars(char[] content, int length) {
            super(content, 0, length);
        }

        Chars again() {
            return new Chars(buf, count);
        }
    }

    /** @return {@code value} ready to be read once more from its start when it was read here, else {@code value} */
    static Object again(Object value) {
        if (value instanceof Bytes b) {
            return b.again();
        }
        if (value instanceof Chars c) {
            return c.again();
        }
        return value;
    }

    /** The whole stream (pgjdbc reads a stream given without length to its end). */
    static InputStream bytes(InputStream in) throws SQLException {
        return in == null ? null : read(in, MAX_ARRAY, true);
    }

    /**
     * At most {@code length} bytes of the stream, as pgjdbc reads it; a negative or too large
     * length is returned unread so that pgjdbc rejects it with its own SQLState.
     */
    static InputStream bytes(InputStream in, long length) throws SQLException {
        return in == null || length < 0 || length > Integer.MAX_VALUE ? in : read(in, length, false);
    }

    /**
     * Enough of a UTF-8 stream for {@code length} characters (at most three bytes each), which is
     * what pgjdbc's {@code setUnicodeStream} decodes.
     */
    static InputStream unicode(InputStream in, int length) throws SQLException {
        return in == null || length < 0 ? in : read(in, Math.min(3L * length, MAX_ARRAY), false);
    }

    /** The whole Reader. */
    static Reader chars(Reader in) throws SQLException {
        return in == null ? null : readChars(in, MAX_ARRAY, true);
    }

    /** At most {@code length} characters; a negative or too large length is returned unread for pgjdbc to reject. */
    static Reader chars(Reader in, long length) throws SQLException {
        return in == null || length < 0 || length > Integer.MAX_VALUE ? in : readChars(in, length, false);
    }

    private static Bytes read(InputStream in, long max, boolean whole) throws SQLException {
        byte[] buf = new byte[(int) Math.min(max, 8192)];
        int n = 0;
        try {
            while (n < max) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    return new Bytes(buf, n);
                }
                n += r;
            }
            if (whole && in.read() >= 0) {
                throw tooLarge();
            }
        } catch (IOException e) {
            throw new PSQLException("Provided InputStream failed.", PSQLState.UNEXPECTED_ERROR, e);
        }
        return new Bytes(buf, n);
    }

    private static Chars readChars(Reader in, long max, boolean whole) throws SQLException {
        char[] buf = new char[(int) Math.min(max, 4096)];
        int n = 0;
        try {
            while (n < max) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(max, 2L * buf.length));
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    return new Chars(buf, n);
                }
                n += r;
            }
            if (whole && in.read() >= 0) {
                throw tooLarge();
            }
        } catch (IOException e) {
            throw new PSQLException("Provided Reader failed.", PSQLState.UNEXPECTED_ERROR, e);
        }
        return new Chars(buf, n);
    }

    private static PSQLException tooLarge() {
        return new PSQLException("Object is too large to send over the protocol.", PSQLState.NUMERIC_CONSTANT_OUT_OF_RANGE);
    }
}
