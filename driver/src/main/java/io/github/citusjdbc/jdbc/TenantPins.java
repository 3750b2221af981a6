package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.config.Pooler;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.metrics.ExtraRoundTrip;
import io.github.citusjdbc.metrics.TenantActivity;
import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.tenant.TenantPath;
import io.github.citusjdbc.tenant.TenantSettings;
import java.sql.Connection;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

/**
 * The tenant of one logical connection: decides each {@link UnitOfWork} and sends what its
 * {@link Pinning} (chosen once, from {@code tenantPinning}) adds to the wire. Not thread-safe (one
 * per connection, used by its thread).
 *
 * <p><b>Which tenant.</b> When a unit of work starts (each autocommit statement, or the first
 * statement of a transaction) the {@code TenantResolver} is asked, once; its non-null answer wins,
 * otherwise the connection's own tenant ({@code setSchema}, initially {@code currentSchema})
 * applies. The tenant stays fixed until the transaction ends, except that {@code setSchema} inside
 * an open transaction re-pins it from the next statement on (when the resolver is silent). The
 * resolver is asked again at each later statement of the transaction only to refuse another tenant
 * ({@link OtherTenantRefusal}). "First statement" is known from pgjdbc's
 * {@link BaseConnection#getTransactionState()}, read once per call.
 *
 * <p>Behind a transaction pooler the isolation level is kept by the driver too
 * ({@link PerTransactionIsolation}); what is sent on round trips of its own is {@link ExtraRoundTrips}'.
 */
final class TenantPins {

    private final LogicalConnection connection;
    private final TenantSettings settings;
    /** The isolation level sent per transaction behind a transaction pooler. */
    final PerTransactionIsolation transactionIsolation;
    /** The pinning mode, chosen once: the statements ask it to plan each execution's pin from the unit. */
    final Pinning pinning;
    private final ExtraRoundTrips roundTrips;
    private final OtherTenantRefusal refusal;
    private final ClusterMetrics metrics; // null when not on Citus
    private final ClusterMetrics tenantCounts; // the metrics when this connection counts tenants (metricsTenants), else null

    private TenantPath explicit;
    private TenantPath resolved; // the path last built for a resolver answer, reused while it repeats

    // The unit of work of the call in progress (null: none decided), and what the call read when it began.
    private UnitOfWork unit;
    private boolean unitFresh; // this call is the unit's first
    private TransactionState callState;

    TenantPins(LogicalConnection connection, TenantSettings settings, Pooler pooler, ClusterMetrics metrics,
               boolean countTenants) {
        this.connection = connection;
        this.metrics = metrics;
        this.tenantCounts = countTenants ? metrics : null;
        this.settings = settings;
        this.transactionIsolation = new PerTransactionIsolation(pooler.isTransactionPooler());
        this.explicit = settings.defaultTenant();
        this.pinning = switch (settings.mode()) {
            case SESSION -> new SessionPinning(this, connection, transactionIsolation.owned(), pooler.isTransactionPooler());
            case STATEMENT -> new StatementPinning(this, connection, !pooler.leaksSearchPath());
            default -> new TransactionPinning(this, null);
        };
        this.roundTrips = new ExtraRoundTrips(connection, metrics, pinning);
        this.refusal = new OtherTenantRefusal(this, settings, roundTrips);
    }

    /**
     * The SQL cannot be lexed as the server will read it (it ends inside a string, quoted
     * identifier, dollar quote or comment) while a pin has to go with it: it is not sent, since
     * where the pin would go cannot be known and sending it unpinned could run it in another schema.
     */
    SQLException unlexable() {
        return new SQLException("citus-jdbc: the SQL text ends inside a quoted string, quoted identifier, dollar quote"
                + " or comment as read with standard_conforming_strings = " + (connection.pgjdbc.getStandardConformingStrings() ? "on" : "off")
                + " (the connection's current setting); it was not sent, because the tenant pin (or the isolation level"
                + " the driver sends per transaction) could not be added to it. Terminate the text (with"
                + " standard_conforming_strings = off a backslash escapes a quote"
                + " inside '...').", CitusSqlState.SYNTAX_ERROR.getState());
    }

    /** Routing moved the logical connection to another physical one. */
    void switchedPhysical() {
        pinning.switchedPhysical();
    }

    // ------------------------------------------------------------------ unit of work

    /** @return the path of the resolver's answer {@code tenant}, built (and validated) once while the answer repeats */
    private TenantPath pathOf(String tenant) throws SQLException {
        TenantPath last = resolved;
        if (last != null && last.tenant().equals(tenant)) {
            return last;
        }
        last = settings.pathOf(tenant); // validates: 42602 before anything is sent
        resolved = last;
        return last;
    }

    private boolean inOpenTransaction() throws SQLException {
        UnitOfWork u = unit;
        return u != null && u.transaction() && connection.pgjdbc.getTransactionState() != TransactionState.IDLE;
    }

    /**
     * Begins an intercepted call ({@link UnitRunner#inUnit}, or a call outside it that may send a
     * pin): reads pgjdbc's transaction state, once for the call, and at the first statement of a unit
     * of work decides the unit, asking the resolver once. Routing reads the unit before the call runs;
     * the call's pin is planned from it ({@link Pinning#plan}, {@link #planAround}).
     *
     * @return the unit the call belongs to
     */
    UnitOfWork begin() throws SQLException {
        TransactionState ts = connection.pgjdbc.getTransactionState();
        callState = ts;
        UnitOfWork u = unit;
        if (ts != TransactionState.IDLE && u != null && u.transaction()) {
            unitFresh = false;
            return u; // a later statement of the transaction
        }
        boolean autocommit = connection.delegate.getAutoCommit();
        TenantPath path = null; // a failed transaction: nothing can be added
        if (ts != TransactionState.FAILED) {
            String asked = settings.resolver().currentTenant(); // the one question to the resolver
            path = asked == null ? explicit : pathOf(asked);
        }
        boolean transaction = ts != TransactionState.IDLE || !autocommit;
        boolean readOnly = connection.state.readOnly && UnitOfWork.standbyServes(isolationForRouting());
        TenantActivity activity = tenantCounts == null || path == null ? null : tenantCounts.tenantUnit(path.tenant());
        if (u == null || u.tenant() != path || u.autocommit() != autocommit || u.transaction() != transaction
                || u.readOnly() != readOnly || u.activity() != activity) {
            u = new UnitOfWork(path, autocommit, transaction, readOnly, activity); // else the last one: no allocation
        }
        unit = u;
        unitFresh = true;
        if (transaction) {
            pinning.transactionStarted(ts);
        }
        return u;
    }

    /** @return pgjdbc's transaction state as read when the call in progress began */
    TransactionState callState() {
        return callState;
    }

    /** @return whether the call in progress is its unit's first */
    boolean unitFresh() {
        return unitFresh;
    }

    /** {@code Connection.setSchema}: validates, then pins from the next transaction (or the next statement of this one). */
    void setSchema(String tenant) throws SQLException {
        TenantPath path = tenant == null ? null : settings.pathOf(tenant);
        explicit = path;
        if (inOpenTransaction() && settings.resolver().currentTenant() == null) {
            unit = unit.withTenant(path, tenantCounts == null || path == null ? null : tenantCounts.tenantUnit(path.tenant()));
            pinning.tenantChanged();
        }
    }

    /** @return the tenant the next statement runs in, or null when none is pinned */
    String currentTenant() throws SQLException {
        if (inOpenTransaction()) {
            return unit.tenantName();
        }
        String asked = settings.resolver().currentTenant();
        return asked != null ? pathOf(asked).tenant() : explicit == null ? null : explicit.tenant();
    }

    /**
     * @return whether a statement being prepared now (a batch entry being added) may run with a pin:
     *         per-transaction pinning and a tenant or per-transaction isolation known; no round trip
     */
    boolean mayPin() throws SQLException {
        return pinning.perTransaction() && (explicit != null || (unit != null && unit.tenant() != null)
                || transactionIsolation.level() >= 0 || settings.resolver().currentTenant() != null);
    }

    // ------------------------------------------------------------------ planning

    /** Counts a pin about to be sent ({@code citus.pins}); a tagged text pins nothing. */
    Envelope counted(Envelope e) {
        if (e != null && e.form != null && metrics != null) { // a tagged text pins nothing
            metrics.pinned(e.form);
        }
        return e;
    }

    /**
     * Decides the pin for paths that cannot carry it in the same string (CallableStatement,
     * PreparedStatement batches, COPY, savepoints): run {@link Envelope#pinOnly} first
     * ({@link #before}) and, when {@link Envelope#commit}, {@code COMMIT} afterwards ({@link #after}).
     */
    Envelope planAround(LogicalStatement statement) throws SQLException {
        return counted(pinning.planAround(unit, statement));
    }

    /** {@link OtherTenantRefusal#check}, against the connection's own tenant. */
    void refuseOtherTenant(UnitOfWork u, SqlInfo sql) throws SQLException {
        refusal.check(u, sql, explicit);
    }

    /**
     * {@code Connection.endRequest} (a pool returning the connection): a transaction opened with SQL
     * text and left open under autocommit is rolled back, so that it never reaches the next request.
     *
     * @return whether a transaction was rolled back
     */
    boolean endRequest() throws SQLException {
        unit = null;
        if (!connection.delegate.getAutoCommit() || connection.pgjdbc.getTransactionState() == TransactionState.IDLE) {
            return false;
        }
        roundTrips.send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
        onRollback();
        return true;
    }

    // ------------------------------------------------------------------ what goes on the wire around an execution

    /** {@link ExtraRoundTrips#before}: the pin of an "around" execution ({@link #planAround}), sent first. */
    void before(Envelope e) throws SQLException {
        roundTrips.before(e);
    }

    /** A pinning mode's own pin that no statement can carry: sent alone now, on a round trip of its own. */
    void sendAlone(Envelope e) throws SQLException {
        roundTrips.before(counted(e));
    }

    /**
     * After the string carrying {@code e} ran without error. (On error {@link #failed} is called
     * instead: a session {@code SET} is rolled back with the string's implicit transaction, or with the
     * explicit transaction later.)
     */
    void pinned(Envelope e) {
        pinning.ran(e);
    }

    /** {@link ExtraRoundTrips#after}: commits an autocommit "around" execution. */
    void after(Envelope e) throws SQLException {
        roundTrips.after(e);
    }

    /** {@link ExtraRoundTrips#failed}: cleans the connection after an execution failed. */
    void failed(Envelope e, SQLException cause) {
        roundTrips.failed(e, cause);
    }

    /**
     * After a successful "around" execution ({@link #planAround}) ran as it is; a statement's own
     * execution tells {@link Pinning#afterDirect} itself, with the unit it was handed. User SQL may change {@code search_path}, and
     * transaction control sent as SQL text may undo or end the pin: {@code ROLLBACK}, {@code ABORT}
     * and {@code ROLLBACK TO SAVEPOINT} undo a {@code SET}; {@code COMMIT}/{@code ROLLBACK AND CHAIN}
     * start a transaction without the {@code SET LOCAL}.
     */
    void afterDirect(SqlInfo sql) {
        pinning.afterDirect(unit, sql);
    }

    // ------------------------------------------------------------------ transaction boundaries

    void onTransactionEnd() {
        unit = null;
    }

    void onRollback() {
        unit = null;
        pinning.serverValueLost();
    }

    /** A rollback to a savepoint may undo a SET LOCAL sent after the savepoint: pin again with the next statement. */
    void onRollbackToSavepoint() {
        pinning.rolledBackToSavepoint();
    }

    // ------------------------------------------------------------------ isolation behind a transaction pooler

    /**
     * Before pgjdbc may send a query of its own (a {@code DatabaseMetaData} method,
     * {@code getSchema()}) that would open the transaction with a plain {@code BEGIN}: the isolation
     * level kept here must go first, as {@code SET TRANSACTION} is refused after any query. One round
     * trip, only when a level is set, autocommit is off and no transaction is open yet.
     */
    void beforeInternalQuery() throws SQLException {
        if (transactionIsolation.level() < 0 || !pinning.perTransaction() || connection.delegate.getAutoCommit()
                || connection.pgjdbc.getTransactionState() != TransactionState.IDLE) {
            return;
        }
        begin(); // outside UnitRunner: the unit is decided here
        Envelope e = planAround(null);
        if (e != null) {
            before(e);
        }
    }

    /** @return whether {@code setTransactionIsolation} is handled here rather than by pgjdbc */
    boolean ownsIsolation() {
        return transactionIsolation.owned();
    }

    /** {@link PerTransactionIsolation#set}. */
    void setIsolation(int level) throws SQLException {
        transactionIsolation.set(level, this);
        pinning.isolationChanged(level);
    }

    /** @return the level set through the driver, or -1 when none was */
    int isolation() {
        return transactionIsolation.level();
    }

    /** @return the isolation level set through this connection (kept here or by pgjdbc), or -1 when none was */
    private int isolationForRouting() {
        return transactionIsolation.owned() ? transactionIsolation.level() : connection.state.isolation;
    }

    /** @return whether autocommit is off and the transaction is open (pgjdbc's state read now) */
    boolean explicitTransactionOpen() throws SQLException {
        return !connection.delegate.getAutoCommit() && connection.pgjdbc.getTransactionState() != TransactionState.IDLE;
    }
}
