package io.github.citusjdbc.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.sql.SQLException;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code CitusConnection.copyIn/copyOut}: pgjdbc's {@link CopyManager} run as a unit of work, with
 * the tenant pin sent just before it (and {@code COMMIT} after in autocommit), since a COPY
 * cannot carry the pin in its own string. Exactly one of the four streams is given.
 */
final class PinnedCopy {

    private PinnedCopy() {
    }

    static long run(LogicalConnection connection, String sql, Reader reader, InputStream in, Writer writer,
                    OutputStream out) throws SQLException, IOException {
        try {
            return connection.units.inUnit(null, sql, false, (none, q, unit) -> {
                try {
                    return once(connection, q.sql(), reader, in, writer, out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // carried out of the unit, unwrapped below
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static long once(LogicalConnection connection, String sql, Reader reader, InputStream in, Writer writer,
                             OutputStream out) throws SQLException, IOException {
        TenantPins pins = connection.pins;
        CopyManager copy = connection.delegate.unwrap(PGConnection.class).getCopyAPI();
        Envelope e = pins.planAround(null);
        try {
            if (e != null) {
                pins.before(e);
            }
            long n;
            if (reader != null) {
                n = copy.copyIn(sql, reader);
            } else if (in != null) {
                n = copy.copyIn(sql, in);
            } else if (writer != null) {
                n = copy.copyOut(sql, writer);
            } else {
                n = copy.copyOut(sql, out);
            }
            if (e != null) {
                pins.after(e);
            }
            return n;
        } catch (SQLException ex) {
            pins.failed(e, ex);
            throw ex;
        } catch (IOException | RuntimeException ex) {
            SQLException wrapper = new SQLException(ex);
            pins.failed(e, wrapper);
            throw ex;
        }
    }
}
