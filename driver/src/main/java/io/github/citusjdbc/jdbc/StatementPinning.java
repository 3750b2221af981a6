package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.tenant.TenantPath;
import java.sql.SQLException;

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
 * per transaction are {@link TransactionPinning}'s, which this class extends: the prefix
 * {@code SET LOCAL} on a transaction's first statement costs nothing.
 */
final class StatementPinning extends TransactionPinning {

    private Envelope last; // the last implicit envelope, reused while the tenant repeats
    private TenantPath lastPath;

    StatementPinning(TenantPins pins) {
        super(pins, null);
    }

    @Override
    public Envelope plan(UnitOfWork unit, LogicalStatement statement, String sql) throws SQLException {
        TenantPath path = unit.tenant();
        if (unit.transaction() || path == null || pins.transactionIsolation.level() >= 0 || !statement.sendsOneSync()) {
            return super.plan(unit, statement, sql);
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
}
