package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/** Waits until standbys have replayed what their primaries wrote, so a change is visible everywhere. */
final class StandbySync {
    private static final long TIMEOUT_MS = 30_000;

    private StandbySync() {
    }

    /**
     * @param primaryOf the primary a standby replicates, or null when unknown (then it is skipped)
     */
    static void await(AdminConnector admin, List<ClusterNode> standbys, Function<ClusterNode, ClusterNode> primaryOf)
            throws SQLException {
        for (ClusterNode standby : standbys) {
            ClusterNode primary = primaryOf.apply(standby);
            if (primary == null) {
                continue;
            }
            String lsn;
            try (Connection c = admin.open(primary)) {
                // A synchronous commit that wrote WAL flushes all earlier WAL, async commits included, up to
                // a record end the standby reaches. (txid_current() alone writes no WAL, so its commit is
                // not flushed synchronously even with synchronous_commit = on.)
                Sql.exec(c, "SET synchronous_commit = on");
                Sql.exec(c, "SELECT pg_logical_emit_message(true, 'citus-testkit', 'replay mark')");
                lsn = Sql.strings(c, "SELECT pg_current_wal_flush_lsn()::text").get(0);
            } catch (SQLException e) {
                continue; // a primary that is down has nothing new to replay
            }
            awaitReplay(admin, standby, lsn);
        }
    }

    private static void awaitReplay(AdminConnector admin, ClusterNode standby, String lsn) throws SQLException {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        Connection c;
        try {
            c = admin.open(standby);
        } catch (SQLException e) {
            return; // a standby that is down catches up when it comes back
        }
        try (c) {
            while (true) {
                Long done = Sql.longValue(c, "SELECT (pg_last_wal_replay_lsn() >= ?::pg_lsn)::int", lsn);
                if (done == null || done == 1) {
                    return; // null: no longer in recovery (promoted)
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new SQLException(standby.name() + " did not replay " + lsn + " within " + TIMEOUT_MS + " ms");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for " + standby.name(), e);
                }
            }
        }
    }
}
