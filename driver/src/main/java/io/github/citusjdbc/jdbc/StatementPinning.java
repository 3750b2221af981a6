package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.tenant.TenantPath;
import java.sql.SQLException;
import org.postgresql.core.TransactionState;

/**
 * Per-statement pinning ({@code tenantPinning=statement}): an autocommit statement is sent as
 * {@code SET search_path TO "t"; <sql>\n; RESET search_path}, one string that the server runs as
 * one implicit transaction. Without {@code BEGIN} Citus does not open a distributed transaction for
 * a single-shard statement (see docs/facts.md, "What a transaction block costs on Citus"), and the
 * server keeps nothing of the pin: the {@code RESET} clears it on success, the implicit
 * transaction's rollback undoes the {@code SET} on error.
 *
 * <p>Safe behind a transaction pooler only if no Sync falls inside the string: a pooler may hand
 * the server connection to another client at the ReadyForQuery that answers a Sync. pgjdbc sends a
 * statement of several queries with one Sync unless it describes a query first, which it does only
 * for statements it prepares on the server; so the implicit form is used only where the executing
 * statement never does ({@code prepareThreshold=0}, {@link LogicalStatement#sendsOneSync}), and the
 * {@code BEGIN} envelope of {@link TransactionPinning} everywhere else. Explicit transactions, the
 * paths that send the pin separately (batches of calls, COPY, metadata) and isolation levels kept
 * per transaction go through {@link TransactionPinning} unchanged: the prefix {@code SET LOCAL} on a
 * transaction's first statement costs nothing.
 */
final class StatementPinning implements Pinning {

    private final TenantPins pins;
    private final TransactionPinning perTransaction;

    private Envelope last; // the last implicit envelope, reused while the tenant repeats
    private TenantPath lastPath;

    StatementPinning(TenantPins pins) {
        this.pins = pins;
        this.perTransaction = new TransactionPinning(pins, null);
    }

    @Override
    public void started(TransactionState ts) {
        perTransaction.started(ts);
    }

    @Override
    public Envelope plan(UnitOfWork unit, LogicalStatement statement, String sql) throws SQLException {
        TenantPath path = unit.tenant();
        if (unit.transaction() || path == null || pins.isolation() >= 0 || !statement.sendsOneSync()) {
            return perTransaction.plan(unit, statement, sql);
        }
        SqlInfo info = statement.info(sql);
        if (!info.isTerminated()) {
            throw pins.unlexable();
        }
        if (!info.isSafeToWrap()) {
            return null; // as the envelope: what cannot run in a transaction runs unpinned
        }
        Envelope e = last;
        if (e == null || lastPath != path) {
            e = Envelope.implicit(path.setSessionSql());
            last = e;
            lastPath = path;
        }
        return e;
    }

    @Override
    public Envelope planAround(UnitOfWork unit, LogicalStatement statement) throws SQLException {
        return perTransaction.planAround(unit, statement);
    }

    @Override
    public void ran(Envelope e) {
        perTransaction.ran(e);
    }

    @Override
    public void afterDirect(UnitOfWork unit, LogicalStatement statement, String sql) {
        perTransaction.afterDirect(unit, statement, sql);
    }

    @Override
    public void tenantChanged() {
        perTransaction.tenantChanged();
    }

    @Override
    public void rolledBackToSavepoint() {
        perTransaction.rolledBackToSavepoint();
    }

    @Override
    public void serverValueLost() {
        perTransaction.serverValueLost();
    }

    @Override
    public void switchedPhysical() {
        perTransaction.switchedPhysical();
    }

    @Override
    public boolean perTransaction() {
        return true;
    }
}
