package io.github.citusjdbc.consistency;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.NodeConnector;
import io.github.citusjdbc.topology.ReplicationLagProbe;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One node's WAL position, read over one connection of its own (autocommit, opened on first use,
 * replaced after a failure) and shared by every connection of the JVM to the cluster. Callers that
 * arrive while a read is running wait for it and use its answer when it started late enough: under
 * load one round trip serves many units of work.
 *
 * <ul>
 *   <li>On a primary: {@code pg_current_wal_insert_lsn()}. Read after a commit was acknowledged it is
 *       at or past the end of that commit's record whatever {@code synchronous_commit} is. The flush
 *       position is not: with {@code synchronous_commit=off} a commit is acknowledged before its record
 *       is flushed (measured on Citus 12.1 with the test kit, which runs that way: reads checked against
 *       the flush position missed their write 1,707 times in 2,400). The price: a standby only receives
 *       flushed WAL, so when nothing commits after the write the check waits for the WAL writer.</li>
 *   <li>On a standby: {@code pg_last_wal_replay_lsn()}, the end of the last record replayed. It grows
 *       while the server runs, so the highest value seen is kept and a caller whose target it already
 *       passed needs no round trip, for {@link #TRUST_NANOS} after the read. Not longer, and never
 *       across connections: a standby restarted after a crash replays again from its last
 *       restartpoint and may accept queries while still behind what it had replayed, and another
 *       server may answer at the same address; so a new connection forgets every position read
 *       before it.</li>
 * </ul>
 * Thread-safe.
 */
final class WalProbe implements AutoCloseable {

    private static final String PRIMARY_SQL = "SELECT pg_catalog.pg_current_wal_insert_lsn()::text";
    private static final String STANDBY_SQL = "SELECT pg_catalog.pg_last_wal_replay_lsn()::text";

    private final NodeAddress address;
    private final NodeConnector connector;
    private final boolean primary;
    private Connection connection; // guarded by this
    private boolean closed; // guarded by this
    private long lastStart; // guarded by this: nanoTime at the start of the last successful read
    private boolean read; // guarded by this: lastStart/highest hold a value
    private volatile long highest = -1; // the highest position read on this connection; -1 before the first
    private volatile long trustedUntil; // nanoTime until which highest is believed without a read

    /** How long a standby's position is believed without reading it again. */
    static final long TRUST_NANOS = 100_000_000L;

    private final Runnable reads;

    WalProbe(NodeAddress address, NodeConnector connector, boolean primary, Runnable reads) {
        this.address = address;
        this.connector = connector;
        this.primary = primary;
        this.reads = reads;
    }

    /**
     * A primary's position read by a query that started after {@code sinceNanos}.
     *
     * @param sinceNanos a {@link System#nanoTime()} value
     * @return the position
     * @throws SQLException when the node cannot answer
     */
    synchronized long positionReadAfter(long sinceNanos) throws SQLException {
        if (read && lastStart - sinceNanos > 0) {
            return highest; // a read that started after the caller's time ran while it waited
        }
        return readNow();
    }

    /**
     * Whether a standby has replayed {@code target}; reads its position only when the highest one
     * seen so far is behind.
     *
     * @param target a WAL position
     * @return whether the standby's replay position is at or past it
     * @throws SQLException when the node cannot answer
     */
    boolean replayed(long target) throws SQLException {
        if (highest >= target && trustedUntil - System.nanoTime() > 0) {
            return true;
        }
        synchronized (this) {
            return highest >= target && trustedUntil - System.nanoTime() > 0 || readNow() >= target;
        }
    }

    /** @return the highest position read so far; -1 before the first */
    long highest() {
        return highest;
    }

    private long readNow() throws SQLException {
        if (closed) {
            throw new SQLException("citus-jdbc: the WAL probe of " + address + " is closed", CitusSqlState.CONNECTION_DOES_NOT_EXIST.getState());
        }
        long start = System.nanoTime();
        reads.run();
        try {
            if (connection == null) {
                highest = -1; // what another connection read proves nothing about the server this one reaches
                read = false;
                connection = connector.connect(address);
            }
            long position;
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(primary ? PRIMARY_SQL : STANDBY_SQL)) {
                rs.next();
                String text = rs.getString(1);
                if (text == null) {
                    // A standby not replaying (promoted, or nothing replayed yet): it cannot prove anything.
                    throw new SQLException("citus-jdbc: " + address + " reports no WAL replay position", CitusSqlState.OBJECT_NOT_IN_STATE.getState());
                }
                position = ReplicationLagProbe.parseLsn(text);
            }
            lastStart = start;
            read = true;
            if (position > highest) {
                highest = position;
            }
            trustedUntil = start + TRUST_NANOS;
            return position;
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            throw e instanceof SQLException se ? se : new SQLException("citus-jdbc: reading the WAL position of "
                    + address + " failed: " + e.getMessage(), CitusSqlState.INTERNAL_ERROR.getState(), e);
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // a broken connection: nothing left to release
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }
}
