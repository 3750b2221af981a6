package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.tenant.TenantPath;
import java.sql.SQLException;
import org.postgresql.core.TransactionState;

/**
 * Per-transaction pinning ({@code tenantPinning=transaction}): the tenant goes with every
 * transaction as {@code SET LOCAL}, so nothing stays on the server connection after it, whatever a
 * transaction pooler does between transactions.
 *
 * <p>An autocommit statement runs in the {@link Envelope} {@code BEGIN; SET LOCAL ...; <sql>;
 * COMMIT}, one string, one round trip; on error one {@code ROLLBACK}. An explicit transaction gets
 * the prefix {@code SET LOCAL ...; } on its first statement (and again after a rollback to a
 * savepoint, which may undo it). Behind a transaction pooler the isolation level set through the
 * driver travels the same way ({@code BEGIN ISOLATION LEVEL} / {@code SET TRANSACTION}).
 */
class TransactionPinning implements Pinning {

    final TenantPins pins;
    private final SessionPinning session; // the session mode this pins for while it pins per transaction, or null

    private boolean pinned; // the open transaction's SET LOCAL was sent
    private boolean isolationPending; // the open transaction's isolation level is still to be sent

    private Envelope autoEnv; // the last autocommit envelope, reused while tenant and isolation repeat
    private TenantPath autoEnvPath;
    private int autoEnvIsolation;

    /**
     * @param session the session pinning this one stands in for while an isolation level is sent per
     *                transaction (its {@code search_path} is reset when a unit has no tenant), or null
     */
    TransactionPinning(TenantPins pins, SessionPinning session) {
        this.pins = pins;
        this.session = session;
    }

    @Override
    public void transactionStarted(TransactionState ts) {
        pinned = false;
        isolationPending = ts == TransactionState.IDLE && pins.transactionIsolation.level() >= 0;
    }

    @Override
    public Envelope plan(UnitOfWork unit, LogicalStatement statement, SqlInfo sql) throws SQLException {
        if (!unit.transaction()) {
            TenantPath path = unit.tenant();
            if (!pinsAnything(path)) {
                return null; // nothing pinned: nothing added to the wire
            }
            if (!sql.isTerminated()) {
                throw pins.unlexable();
            }
            return sql.isSafeToWrap() ? autoEnvelope(path) : null;
        }
        if (!pinPending(unit, sql)) {
            return null;
        }
        if (!prefixable(sql)) {
            if (!sql.isTerminated()) {
                throw pins.unlexable();
            }
            return null; // pinned with the next statement that can carry it
        }
        return prefix(unit);
    }

    @Override
    public Envelope planAround(UnitOfWork unit, LogicalStatement statement) throws SQLException {
        if (!unit.transaction()) {
            TenantPath path = unit.tenant();
            if (!pinsAnything(path)) {
                return null;
            }
            if (statement != null && !statement.aroundTerminated()) {
                throw pins.unlexable();
            }
            return statement == null || statement.aroundWrappable() ? autoEnvelope(path) : null;
        }
        if (statement != null && pins.callState() != TransactionState.FAILED && !statement.aroundWrappable()) {
            if (!statement.aroundTerminated() && pinPending(unit, null)) {
                throw pins.unlexable();
            }
            return null;
        }
        return pinPending(unit, null) ? prefix(unit) : null;
    }

    /** An autocommit unit: whether anything goes with it (a tenant, or an isolation level). */
    private boolean pinsAnything(TenantPath path) throws SQLException {
        if (path == null && session != null) {
            session.resetPath();
        }
        return path != null || pins.transactionIsolation.level() >= 0;
    }

    /**
     * @param sql the statement's SQL, or null (around paths): checked against the transaction's tenant
     * @return whether the transaction's pin (or isolation) still has to go with its next statement
     */
    private boolean pinPending(UnitOfWork unit, SqlInfo sql) throws SQLException {
        TransactionState ts = pins.callState();
        if (ts != TransactionState.IDLE && !pins.unitFresh()) {
            pins.refuseOtherTenant(unit, sql);
        }
        if (ts == TransactionState.FAILED) {
            return false; // the server answers 25P02 whatever we add
        }
        if (pins.unitFresh() && unit.tenant() == null && session != null) {
            session.resetPath();
        }
        return (unit.tenant() != null && !pinned) || isolationPending;
    }

    private Envelope prefix(UnitOfWork unit) throws SQLException {
        StringBuilder sb = new StringBuilder(64);
        int skip = 0;
        if (isolationPending) {
            sb.append("SET TRANSACTION ISOLATION LEVEL ")
                    .append(PerTransactionIsolation.levelName(pins.transactionIsolation.level())).append("; ");
            skip++;
        }
        if (unit.tenant() != null && !pinned) {
            sb.append(unit.tenant().setLocalSql()).append("; ");
            skip++;
        }
        pinned = true;
        isolationPending = false;
        String prefix = sb.toString();
        return new Envelope(prefix, skip, false, prefix);
    }

    /** @return whether the statement can carry an explicit transaction's prefix in its string */
    static boolean prefixable(SqlInfo info) {
        return info.isTerminated() && !info.isEmpty() && !info.hasTransactionControl() && !info.hasNonTransactional();
    }

    private Envelope autoEnvelope(TenantPath path) throws SQLException {
        int isolation = pins.transactionIsolation.level();
        Envelope e = autoEnv;
        if (e != null && autoEnvPath == path && autoEnvIsolation == isolation) {
            return e;
        }
        StringBuilder sb = new StringBuilder(64).append("BEGIN");
        if (isolation >= 0) {
            sb.append(" ISOLATION LEVEL ").append(PerTransactionIsolation.levelName(isolation));
        }
        sb.append("; ");
        if (path != null) {
            sb.append(path.setLocalSql()).append("; ");
        }
        String prefix = sb.toString();
        e = new Envelope(prefix, path == null ? 1 : 2, true, prefix);
        autoEnv = e;
        autoEnvPath = path;
        autoEnvIsolation = isolation;
        return e;
    }

    @Override
    public void ran(Envelope e) {
        // SET LOCAL ends with its transaction: nothing to remember
    }

    /** Transaction control sent as SQL text may undo the SET LOCAL, or start a transaction without it. */
    @Override
    public void afterDirect(UnitOfWork unit, SqlInfo sql) {
        if (unit != null && unit.transaction() && unit.tenant() != null && pinned && sql.rollsBackOrChains()) {
            pinned = false;
        }
    }

    @Override
    public void tenantChanged() {
        pinned = false;
    }

    @Override
    public void rolledBackToSavepoint() {
        pinned = false;
    }

    @Override
    public void serverValueLost() {
        // nothing outlives the transaction
    }

    @Override
    public boolean pinLeftAfterFailure() {
        return false; // SET LOCAL ends with its transaction
    }

    @Override
    public void switchedPhysical() {
        // nothing outlives the transaction
    }

    @Override
    public boolean perTransaction() {
        return true;
    }
}
