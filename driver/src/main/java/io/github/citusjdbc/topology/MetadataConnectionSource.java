package io.github.citusjdbc.topology;

import io.github.citusjdbc.CitusSqlState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TopologySource} over one long-lived metadata connection, reopened when it breaks.
 *
 * <p>A connection error (SQLState class 08, or 57P01..57P03) during a read closes the connection
 * and retries once on a new one, which the {@link ConnectionOpener} opens to another reachable
 * host of the URL when the old one died, so a dead metadata host costs no refresh. A connection
 * that turned out to be on a standby (the preferred primary was down) is closed after the read,
 * so that the next refresh tries the primary again.
 *
 * <p>Thread-safe (reads are serialized).
 */
public final class MetadataConnectionSource implements TopologySource {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataConnectionSource.class);

    private final ConnectionOpener opener;
    private final TopologyReader reader;
    private final String name;
    private Connection connection;
    private boolean closed;

    /**
     * @param opener opens metadata connections, e.g. {@link PgjdbcConnections#metadata}
     * @param reader the reader (one per source: it remembers the catalogs' shape)
     * @param name   identifies the cluster in logs (no secrets)
     */
    public MetadataConnectionSource(ConnectionOpener opener, TopologyReader reader, String name) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public synchronized CatalogRead read(long version) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            if (closed) {
                throw new SQLException("topology source closed", CitusSqlState.CONNECTION_DOES_NOT_EXIST.getState());
            }
            try {
                if (connection == null) {
                    connection = opener.open();
                    LOG.debug("[{}] metadata connection opened", name);
                }
                CatalogRead read = reader.read(connection, version);
                if (isFromStandby(read)) {
                    closeConnection(); // read from a standby: try the preferred primary next time
                }
                return read;
            } catch (SQLException e) {
                closeConnection();
                if (attempt > 0 || !isConnectionError(e)) {
                    throw e;
                }
                LOG.debug("[{}] metadata connection broken ({}): reconnecting", name, e.getSQLState());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }

    private static boolean isFromStandby(CatalogRead read) {
        return read instanceof CatalogRead.Citus c ? c.fromStandby() : ((CatalogRead.NotCitus) read).fromStandby();
    }

    static boolean isConnectionError(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03");
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Already broken; nothing to release.
            }
            connection = null;
        }
    }
}
