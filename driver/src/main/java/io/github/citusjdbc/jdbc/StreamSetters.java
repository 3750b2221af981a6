package io.github.citusjdbc.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.Charset;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.Types;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The stream, Reader, Blob, Clob and {@code setObject} parameter setters of a logical prepared
 * statement: each sets the physical statement {@code ps} and records in {@code log} a value that
 * can be set again on another physical statement with the same result.
 *
 * <p>Streams and Readers are read once, here ({@link StreamValues}), as far as pgjdbc would read
 * them. A Blob, Clob or stream bound as a large object is written to a new large object once, as
 * pgjdbc does (same calls, same limits), and the statement gets its oid with {@code setLong}, as
 * pgjdbc binds it: setting it again elsewhere does not create another large object. The
 * arguments pgjdbc rejects (negative lengths, a null value) go to pgjdbc as they are, so that it
 * answers with its own SQLState.
 */
final class StreamSetters {

    private StreamSetters() {
    }

    static void setAsciiStream(PreparedStatement ps, ParameterLog log, int i, InputStream x) throws SQLException {
        InputStream v = StreamValues.bytes(x);
        ps.setAsciiStream(i, v);
        log.setAsciiStream(i, v);
    }

    static void setAsciiStream(PreparedStatement ps, ParameterLog log, int i, InputStream x, int length)
            throws SQLException {
        InputStream v = StreamValues.bytes(x, length);
        ps.setAsciiStream(i, v, length);
        log.setAsciiStream(i, v, length);
    }

    static void setAsciiStream(PreparedStatement ps, ParameterLog log, int i, InputStream x, long length)
            throws SQLException {
        InputStream v = StreamValues.bytes(x, length);
        ps.setAsciiStream(i, v, length);
        log.setAsciiStream(i, v, length);
    }

    @SuppressWarnings("deprecation")
    static void setUnicodeStream(PreparedStatement ps, ParameterLog log, int i, InputStream x, int length)
            throws SQLException {
        InputStream v = StreamValues.unicode(x, length);
        ps.setUnicodeStream(i, v, length);
        log.setUnicodeStream(i, v, length);
    }

    static void setBinaryStream(PreparedStatement ps, ParameterLog log, int i, InputStream x) throws SQLException {
        InputStream v = StreamValues.bytes(x);
        ps.setBinaryStream(i, v);
        log.setBinaryStream(i, v);
    }

    static void setBinaryStream(PreparedStatement ps, ParameterLog log, int i, InputStream x, int length)
            throws SQLException {
        InputStream v = StreamValues.bytes(x, length);
        ps.setBinaryStream(i, v, length);
        log.setBinaryStream(i, v, length);
    }

    static void setBinaryStream(PreparedStatement ps, ParameterLog log, int i, InputStream x, long length)
            throws SQLException {
        InputStream v = StreamValues.bytes(x, length);
        ps.setBinaryStream(i, v, length);
        log.setBinaryStream(i, v, length);
    }

    static void setCharacterStream(PreparedStatement ps, ParameterLog log, int i, Reader x) throws SQLException {
        Reader v = StreamValues.chars(x);
        ps.setCharacterStream(i, v);
        log.setCharacterStream(i, v);
    }

    static void setCharacterStream(PreparedStatement ps, ParameterLog log, int i, Reader x, int length)
            throws SQLException {
        Reader v = StreamValues.chars(x, length);
        ps.setCharacterStream(i, v, length);
        log.setCharacterStream(i, v, length);
    }

    static void setCharacterStream(PreparedStatement ps, ParameterLog log, int i, Reader x, long length)
            throws SQLException {
        Reader v = StreamValues.chars(x, length);
        ps.setCharacterStream(i, v, length);
        log.setCharacterStream(i, v, length);
    }

    static void setNCharacterStream(PreparedStatement ps, ParameterLog log, int i, Reader x) throws SQLException {
        Reader v = StreamValues.chars(x);
        ps.setNCharacterStream(i, v);
        log.setNCharacterStream(i, v);
    }

    static void setNCharacterStream(PreparedStatement ps, ParameterLog log, int i, Reader x, long length)
            throws SQLException {
        Reader v = StreamValues.chars(x, length);
        ps.setNCharacterStream(i, v, length);
        log.setNCharacterStream(i, v, length);
    }

    static void setClob(PreparedStatement ps, ParameterLog log, int i, Reader x) throws SQLException {
        Reader v = StreamValues.chars(x);
        ps.setClob(i, v);
        log.setClob(i, v);
    }

    static void setClob(PreparedStatement ps, ParameterLog log, int i, Reader x, long length) throws SQLException {
        Reader v = StreamValues.chars(x, length);
        ps.setClob(i, v, length);
        log.setClob(i, v, length);
    }

    static void setNClob(PreparedStatement ps, ParameterLog log, int i, Reader x) throws SQLException {
        Reader v = StreamValues.chars(x);
        ps.setNClob(i, v);
        log.setNClob(i, v);
    }

    static void setNClob(PreparedStatement ps, ParameterLog log, int i, Reader x, long length) throws SQLException {
        Reader v = StreamValues.chars(x, length);
        ps.setNClob(i, v, length);
        log.setNClob(i, v, length);
    }

    static void setNClob(PreparedStatement ps, ParameterLog log, int i, NClob x) throws SQLException {
        ps.setNClob(i, x); // pgjdbc 42.7 does not implement it
        log.setNClob(i, x);
    }

    // ------------------------------------------------------------------ large objects

    static void setBlob(PreparedStatement ps, ParameterLog log, int i, InputStream x) throws SQLException {
        if (x == null) {
            ps.setBlob(i, x);
            log.setBlob(i, x);
            return;
        }
        bindOid(ps, log, i, createBlob(ps, x, Long.MAX_VALUE));
    }

    static void setBlob(PreparedStatement ps, ParameterLog log, int i, InputStream x, long length)
            throws SQLException {
        if (x == null || length < 0) {
            ps.setBlob(i, x, length);
            log.setBlob(i, x, length);
            return;
        }
        bindOid(ps, log, i, createBlob(ps, x, length));
    }

    static void setBlob(PreparedStatement ps, ParameterLog log, int i, Blob x) throws SQLException {
        if (x == null) {
            ps.setBlob(i, x);
            log.setBlob(i, x);
            return;
        }
        long oid;
        try (InputStream in = x.getBinaryStream()) {
            long length = x.length();
            oid = createBlob(ps, in, length < 0 ? Long.MAX_VALUE : length); // pgjdbc reads all when a Blob says -1
        } catch (IOException e) {
            throw new PSQLException("Unexpected error when closing Blob binary stream", PSQLState.UNEXPECTED_ERROR, e);
        }
        bindOid(ps, log, i, oid);
    }

    static void setClob(PreparedStatement ps, ParameterLog log, int i, Clob x) throws SQLException {
        if (x == null) {
            ps.setClob(i, x);
            log.setClob(i, x);
            return;
        }
        Reader in = x.getCharacterStream();
        long length = x.length();
        bindOid(ps, log, i, createClob(ps, in, length < 0 || length > Integer.MAX_VALUE ? Integer.MAX_VALUE : length));
    }

    private static void bindOid(PreparedStatement ps, ParameterLog log, int i, long oid) throws SQLException {
        ps.setLong(i, oid); // what pgjdbc binds for a large object
        log.setLong(i, oid);
    }

    /** A new large object holding at most {@code length} bytes of {@code in} (pgjdbc's createBlob). */
    private static long createBlob(PreparedStatement ps, InputStream in, long length) throws SQLException {
        LargeObjectManager lom = ps.getConnection().unwrap(PGConnection.class).getLargeObjectAPI();
        long oid = lom.createLO();
        try (LargeObject lob = lom.open(oid); OutputStream out = lob.getOutputStream()) {
            byte[] buf = new byte[(int) Math.min(length, 8192)];
            long left = length;
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) >= 0) {
                left -= n;
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new PSQLException("Unexpected error writing large object to database.", PSQLState.UNEXPECTED_ERROR, e);
        }
        return oid;
    }

    /** A new large object holding at most {@code length} characters of {@code in} in the connection's encoding (pgjdbc's setClob). */
    private static long createClob(PreparedStatement ps, Reader in, long length) throws SQLException {
        java.sql.Connection physical = ps.getConnection();
        LargeObjectManager lom = physical.unwrap(PGConnection.class).getLargeObjectAPI();
        Charset charset = Charset.forName(physical.unwrap(BaseConnection.class).getEncoding().name());
        long oid = lom.createLO();
        LargeObject lob = lom.open(oid);
        try (Writer w = new OutputStreamWriter(lob.getOutputStream(), charset)) { // closing it closes the large object
            long p = 0;
            for (int c = in.read(); c > -1 && p < length; c = in.read()) {
                w.write(c);
                p++;
            }
        } catch (IOException e) {
            throw new PSQLException("Unexpected error writing large object to database.", PSQLState.UNEXPECTED_ERROR, e);
        }
        return oid;
    }

    // ------------------------------------------------------------------ setObject

    static void setObject(PreparedStatement ps, ParameterLog log, int i, Object x) throws SQLException {
        if (x instanceof Blob b) {
            setBlob(ps, log, i, b); // as pgjdbc's setObject does
            return;
        }
        if (x instanceof Clob c) {
            setClob(ps, log, i, c);
            return;
        }
        ps.setObject(i, x);
        log.setObject(i, x);
    }

    static void setObject(PreparedStatement ps, ParameterLog log, int i, Object x, int type) throws SQLException {
        if (!largeObject(ps, log, i, x, type)) {
            Object v = textStream(x, type);
            ps.setObject(i, v, type);
            log.setObject(i, v, type);
        }
    }

    static void setObject(PreparedStatement ps, ParameterLog log, int i, Object x, int type, int scale)
            throws SQLException {
        if (!largeObject(ps, log, i, x, type)) {
            Object v = textStream(x, type);
            ps.setObject(i, v, type, scale);
            log.setObject(i, v, type, scale);
        }
    }

    static void setObject(PreparedStatement ps, ParameterLog log, int i, Object x, SQLType type) throws SQLException {
        ps.setObject(i, x, type); // pgjdbc 42.7 does not implement it
        log.setObject(i, x, type);
    }

    static void setObject(PreparedStatement ps, ParameterLog log, int i, Object x, SQLType type, int scale)
            throws SQLException {
        ps.setObject(i, x, type, scale); // pgjdbc 42.7 does not implement it
        log.setObject(i, x, type, scale);
    }

    /** pgjdbc's setObject for BLOB and CLOB: a large object; @return whether it was one */
    private static boolean largeObject(PreparedStatement ps, ParameterLog log, int i, Object x, int type)
            throws SQLException {
        if (type == Types.BLOB && x instanceof Blob b) {
            setBlob(ps, log, i, b);
        } else if (type == Types.BLOB && x instanceof InputStream in) {
            bindOid(ps, log, i, createBlob(ps, in, Long.MAX_VALUE));
        } else if (type == Types.CLOB && x instanceof Clob c) {
            setClob(ps, log, i, c);
        } else {
            return false;
        }
        return true;
    }

    /** pgjdbc reads a stream given as LONGVARCHAR to its end. */
    private static Object textStream(Object x, int type) throws SQLException {
        return type == Types.LONGVARCHAR && x instanceof InputStream in ? StreamValues.bytes(in) : x;
    }
}
