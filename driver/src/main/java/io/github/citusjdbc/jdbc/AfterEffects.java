package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.routing.EarlyRefresh;
import io.github.citusjdbc.sql.SqlInfo;
import org.postgresql.core.TransactionState;

/**
 * What successful SQL leaves for routing to act on once it is committed: the writes read-your-writes
 * must wait for on secondaries ({@link OwnWrites}), and a topology that may have changed
 * ({@code CREATE SCHEMA}, a Citus management function), read again after the commit so that the
 * next unit routes the new or moved tenant to its group. Other DDL only asks for an early refresh.
 * Not thread-safe (one per {@link RouteSession}).
 */
final class AfterEffects {

    private static final String DDL_RAN = "DDL ran on a connection";

    private final LogicalConnection connection;
    private final OwnWrites ownWrites; // null when readYourWrites=off
    private final EarlyRefresh refresh;
    private boolean topologyChanged; // the open transaction ran SQL that may change the topology

    AfterEffects(LogicalConnection connection, OwnWrites ownWrites, EarlyRefresh refresh) {
        this.connection = connection;
        this.ownWrites = ownWrites;
        this.refresh = refresh;
    }

    /**
     * After a successful execution (routed or passed through): records a read-write unit's writes,
     * and remembers SQL that may change the topology until it is committed. Nothing else is done per
     * statement.
     *
     * @param info the SQL that ran, as {@link UnitRunner#inUnit} classified it
     * @return whether the topology must be read now, waited for (the change is committed)
     */
    boolean ran(UnitOfWork work, SqlInfo info) {
        boolean changes = info.mayChangeTopology();
        boolean writes = ownWrites != null && !work.readOnly();
        if (!changes && !writes && !topologyChanged) {
            if (info.hasDdl()) {
                refresh.request(DDL_RAN); // a new tenant's first table gives it a group: soon, not waited for
            }
            return false;
        }
        boolean open = connection.pins.callState() != TransactionState.IDLE;
        if (writes) {
            ownWrites.wrote(work, open);
        }
        if (open) {
            topologyChanged |= changes; // read again once committed
            return false;
        }
        if (changes || topologyChanged) {
            topologyChanged = false; // committed (autocommit, or SQL COMMIT)
            return true;
        }
        return false;
    }

    /**
     * The explicit transaction committed: its writes are marked.
     *
     * @return whether it changed the topology, to be read now
     */
    boolean committed() {
        if (ownWrites != null) {
            ownWrites.committed();
        }
        boolean changed = topologyChanged;
        topologyChanged = false;
        return changed;
    }

    /** {@code commit()} failed: its outcome is unknown, so its writes count as committed. */
    void commitFailed() {
        if (ownWrites != null) {
            ownWrites.committed();
        }
    }

    /** The explicit transaction rolled back: nothing it did happened. */
    void rolledBack() {
        if (ownWrites != null) {
            ownWrites.rolledBack();
        }
        topologyChanged = false;
    }
}
