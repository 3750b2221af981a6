package io.github.citusjdbc.testkit;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Waits on streaming replication of a test cluster: until a standby has replayed what its primary
 * wrote (after the start, before a test reads a standby) and until a promoted standby has left
 * recovery. Every query runs as the superuser straight to the server. Thread-safe.
 */
final class StandbyReplay {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ClusterConnections connections;

    StandbyReplay(ClusterConnections connections) {
        this.connections = connections;
    }

    /** Blocks until the standby has replayed everything its primary had written when called. */
    void waitForReplay(ClusterNode primary, ClusterNode standby) throws SQLException {
        String lsn;
        try (Connection c = connections.admin(primary); Statement s = c.createStatement()) {
            // A synchronously committed xid flushes all earlier WAL; the flush position is then an
            // end of record, which the standby's replay position can equal (the insert position
            // may point past a page header the standby never sees).
            s.execute("SET synchronous_commit = on");
            // txid_current() alone writes no WAL, so its commit is not flushed synchronously and
            // asynchronous commits of other sessions could stay unflushed: write a WAL record.
            s.execute("SELECT pg_logical_emit_message(true, 'citus-testkit', 'replay mark')");
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
                rs.next();
                lsn = rs.getString(1);
            }
        }
        LocalCluster.waitUntil(() -> {
            try (Connection c = connections.admin(standby); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }, TIMEOUT, standby.name() + " to replay " + lsn);
    }

    /** Blocks until a promoted standby has left recovery and accepts writes. */
    void waitUntilPromoted(ClusterNode standby) {
        LocalCluster.waitUntil(() -> !inRecovery(standby), TIMEOUT, standby.name() + " to leave recovery");
    }

    private boolean inRecovery(ClusterNode n) throws SQLException {
        try (Connection c = connections.admin(n); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
