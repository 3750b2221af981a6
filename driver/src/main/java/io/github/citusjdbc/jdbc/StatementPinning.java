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
 * <p>Behind a transaction pooler that does not track {@code search_path} (PgBouncer 1.18) it is safe
 * only if no Sync falls inside the string: the pooler may hand the server connection to another
 * client at the ReadyForQuery that answers a Sync. pgjdbc sends a statement of several queries with
 * one Sync unless it describes a query first, which it does only for statements it prepares on the
 * server; so there the implicit form is used only where the executing statement never does
 * ({@code prepareThreshold=0}, {@link LogicalStatement#sendsOneSync}), and the {@code BEGIN}
 * envelope of {@link TransactionPinning} everywhere else. Where a Sync inside cannot reach another
 * client (direct connections, PgBouncer tracking {@code search_path}, which gives every client its
 * own value back) the implicit form is used with server-side prepared statements too, provided the
 * server reports {@code search_path} (Citus 12+): if pgjdbc did split the string and the statement
 * then failed, the {@code SET} was committed without its {@code RESET}, the report tells, and
 * {@link #pinLeftAfterFailure} has it reset (one round trip, on that error only). A server that
 * does not report it (plain PostgreSQL) gets the {@code BEGIN} envelope where pgjdbc may split. Explicit transactions, the
 * paths that send the pin separately (batches of calls, COPY, metadata) and isolation levels kept
 * per transaction are {@link TransactionPinning}'s, which this class extends: the prefix
 * {@code SET LOCAL} on a transaction's first statement costs nothing.
 */
final class StatementPinning extends TransactionPinning {

    private final LogicalConnection connection;
    private final boolean splitSafe; // a Sync inside the string cannot hand the pin to another client
    private Envelope last; // the last implicit envelope, reused while the tenant repeats
    private TenantPath lastPath;
    private String clean; // the search_path the server reports with no pin on this physical connection
    private boolean cleanRead; // clean was read on this physical connection (it stays null without reports)

    /**
     * @param splitSafe whether a Sync inside the implicit string is harmless to other clients (no
     *                  transaction pooler, or one that tracks {@code search_path})
     */
    StatementPinning(TenantPins pins, LogicalConnection connection, boolean splitSafe) {
        super(pins, null);
        this.connection = connection;
        this.splitSafe = splitSafe;
    }

    @Override
    public Envelope plan(UnitOfWork unit, LogicalStatement statement, SqlInfo sql) throws SQLException {
        TenantPath path = unit.tenant();
        if (unit.transaction() || path == null || pins.transactionIsolation.level() >= 0
                || !((splitSafe && reportsSearchPath()) || statement.sendsOneSync())) {
            return super.plan(unit, statement, sql);
        }
        if (!sql.isTerminated()) {
            throw pins.unlexable();
        }
        if (!sql.isSafeToWrap()) {
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

    /** @return whether the server reports {@code search_path}; read once per physical connection */
    private boolean reportsSearchPath() {
        if (!cleanRead) {
            clean = connection.pgjdbc.getParameterStatus(SessionPinning.SEARCH_PATH);
            cleanRead = true;
        }
        return clean != null;
    }

    /**
     * Sent with one Sync, the failed string's implicit transaction rolled the {@code SET} back;
     * split by pgjdbc, the {@code SET} may have been committed before the failing part: then the
     * server reports the pin.
     */
    @Override
    public boolean pinLeftAfterFailure() {
        String reported = connection.pgjdbc.getParameterStatus(SessionPinning.SEARCH_PATH);
        return clean != null && reported != null && !reported.equals(clean);
    }

    @Override
    public void switchedPhysical() {
        clean = null;
        cleanRead = false;
    }
}
