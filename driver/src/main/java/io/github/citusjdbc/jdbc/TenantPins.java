package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.config.Pooler;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.metrics.ExtraRoundTrip;
import io.github.citusjdbc.metrics.TenantActivity;
import io.github.citusjdbc.tenant.PinningMode;
import io.github.citusjdbc.tenant.TenantPath;
import io.github.citusjdbc.tenant.TenantSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * (25001); a transaction opened with SQL text and left open under autocommit (by a previous borrower
 * of a pooled connection) is rolled back first, as nobody else would end it. "First statement" is
 * known from pgjdbc's {@link BaseConnection#getTransactionState()}, read once per call.
 *
 * <p><b>Isolation behind a transaction pooler.</b> {@code setTransactionIsolation} is kept here
 * and sent per transaction ({@code BEGIN ISOLATION LEVEL} / {@code SET TRANSACTION ISOLATION
 * LEVEL} as the first statement) instead of pgjdbc's {@code SET SESSION CHARACTERISTICS}.
 */
final class TenantPins {

    private static final Logger LOG = LoggerFactory.getLogger(TenantPins.class);

    private final LogicalConnection connection;
    private final TenantSettings settings;
    private final boolean perTransactionIsolation;
    private final Pinning pinning;
    private final ClusterMetrics metrics; // null when not on Citus
    private TenantActivity activity; // the current unit's tenant's counters (metricsTenants), or null
    private BaseConnection base; // null when the physical connection is not pgjdbc's (stub drivers)

    private TenantPath explicit;
    private TenantPath resolved; // the path last built for a resolver answer, reused while it repeats

    // The unit of work in progress (null: none decided), and what this call read when it began.
    private UnitOfWork unit;
    private boolean begun; // inside a call that began with begin()
    private boolean unitFresh; // this call is the unit's first
    private TransactionState callState;

    private int isolation = -1; // -1: not set through the driver (transaction pooler only)

    TenantPins(LogicalConnection connection, TenantSettings settings, Pooler pooler, ClusterMetrics metrics) {
        this.connection = connection;
        this.metrics = metrics;
        this.settings = settings;
        this.perTransactionIsolation = pooler.isTransactionPooler();
        this.explicit = settings.defaultTenant();
        this.pinning = switch (settings.mode()) {
            case SESSION -> new SessionPinning(this, perTransactionIsolation);
            case STATEMENT -> new StatementPinning(this);
            default -> new TransactionPinning(this, null);
        };
    }

    /** Looks up pgjdbc's connection behind the physical one, once. */
    void attach(Connection physical) {
        try {
            base = physical.isWrapperFor(BaseConnection.class) ? physical.unwrap(BaseConnection.class) : null;
        } catch (SQLException e) {
            base = null;
        }
    }

    /**
     * @return the physical connection's {@code standard_conforming_strings} as pgjdbc tracks it from
     *         the server's reports (true without pgjdbc)
     */
    boolean standardConformingStrings() {
        return base == null || base.getStandardConformingStrings();
    }

    /** @return pgjdbc's {@code prepareThreshold} of the physical connection, or -1 without pgjdbc */
    int prepareThreshold() {
        return base == null ? -1 : ((PGConnection) base).getPrepareThreshold();
    }

    /** @return the {@code search_path} the server last reported (Citus 12+ reports it), or null */
    String reportedSearchPath() {
        return base == null ? null : ((PGConnection) base).getParameterStatus("search_path");
    }

    /**
     * The SQL cannot be lexed as the server will read it (it ends inside a string, quoted
     * identifier, dollar quote or comment) while a pin has to go with it: it is not sent, since
     * where the pin would go cannot be known and sending it unpinned could run it in another schema.
     */
    SQLException unlexable() {
        return new SQLException("citus-jdbc: the SQL text ends inside a quoted string, quoted identifier, dollar quote"
                + " or comment as read with standard_conforming_strings = " + (standardConformingStrings() ? "on" : "off")
                + " (the connection's current setting); it was not sent, because the tenant pin (or the isolation level"
                + " the driver sends per transaction) could not be added to it. Terminate the text (with"
                + " standard_conforming_strings = off a backslash escapes a quote"
                + " inside '...').", CitusSqlState.SYNTAX_ERROR.getState());
    }

    /** Routing moved the logical connection to another physical one. */
    void switchedPhysical(Connection physical) {
        attach(physical);
        pinning.switchedPhysical();
    }

    // ------------------------------------------------------------------ unit of work

    private TenantPath resolve() throws SQLException {
        String tenant = settings.resolver().currentTenant();
        if (tenant == null) {
            return explicit;
        }
        TenantPath last = resolved;
        if (last != null && last.tenant().equals(tenant)) {
            return last;
        }
        last = settings.pathOf(tenant); // validates: 42602 before anything is sent
        resolved = last;
        return last;
    }

    private TransactionState state() throws SQLException {
        if (base != null) {
            return base.getTransactionState();
        }
        UnitOfWork u = unit;
        return connection.delegate.getAutoCommit() || u == null || !u.transaction() ? TransactionState.IDLE
                : TransactionState.OPEN;
    }

    private boolean inOpenTransaction() throws SQLException {
        UnitOfWork u = unit;
        return u != null && u.transaction() && state() != TransactionState.IDLE;
    }

    /**
     * Begins an intercepted call ({@link LogicalConnection#inUnit}): reads pgjdbc's transaction state,
     * once for the call, and at the first statement of a unit of work decides the unit, asking the
     * resolver once. Routing reads the unit before the call runs; the call's pin is planned from it.
     * {@link #end} closes the call.
     *
     * @return the unit the call belongs to
     */
    UnitOfWork begin() throws SQLException {
        TransactionState ts = state();
        callState = ts;
        begun = true;
        UnitOfWork u = unit;
        if (ts != TransactionState.IDLE && u != null && u.transaction()) {
            unitFresh = false;
            return u; // a later statement of the transaction
        }
        boolean autocommit = connection.delegate.getAutoCommit();
        TenantPath path = ts == TransactionState.FAILED ? null : resolve(); // failed: nothing can be added
        boolean transaction = ts != TransactionState.IDLE || !autocommit;
        boolean readOnly = connection.state.readOnly && UnitOfWork.standbyServes(connection.isolationForRouting());
        if (u == null || u.tenant() != path || u.autocommit() != autocommit || u.transaction() != transaction
                || u.readOnly() != readOnly) {
            u = new UnitOfWork(path, autocommit, transaction, readOnly); // else the last one, equal: no allocation
        }
        unit = u;
        unitFresh = true;
        activity = path == null || metrics == null ? null : metrics.tenantUnit(path.tenant());
        pinning.started(ts);
        return u;
    }

    /** @return the counters of the current unit's tenant, or null (no tenant, or tenants not counted) */
    TenantActivity tenantActivity() {
        return activity;
    }

    /** Ends the call begun with {@link #begin}. */
    void end() {
        begun = false;
    }

    /** @return pgjdbc's transaction state as read when the call in progress began */
    TransactionState callState() {
        return callState;
    }

    /** @return whether the call in progress is its unit's first */
    boolean unitFresh() {
        return unitFresh;
    }

    /** The unit of the current call: begun by {@link LogicalConnection#inUnit}, or now for a call outside it. */
    private UnitOfWork current() throws SQLException {
        if (begun) {
            return unit;
        }
        UnitOfWork u = begin();
        begun = false;
        return u;
    }

    /** {@code Connection.setSchema}: validates, then pins from the next transaction (or the next statement of this one). */
    void setSchema(String tenant) throws SQLException {
        TenantPath path = tenant == null ? null : settings.pathOf(tenant);
        explicit = path;
        if (inOpenTransaction() && settings.resolver().currentTenant() == null) {
            unit = unit.withTenant(path);
            pinning.tenantChanged();
        }
    }

    /** @return the tenant the next statement runs in, or null when none is pinned */
    String currentTenant() throws SQLException {
        TenantPath p = inOpenTransaction() ? unit.tenant() : resolve();
        return p == null ? null : p.tenant();
    }

    /**
     * @return whether a statement being prepared now (a batch entry being added) may run with a pin:
     *         per-transaction pinning and a tenant or per-transaction isolation known; no round trip
     */
    boolean mayPin() throws SQLException {
        return pinning.perTransaction() && (explicit != null || (unit != null && unit.tenant() != null)
                || isolation >= 0 || settings.resolver().currentTenant() != null);
    }

    // ------------------------------------------------------------------ planning

    /**
     * Decides what to add to one Statement/PreparedStatement execution that can carry the pin in its
     * own string.
     *
     * @param statement the statement, which classifies {@code sql} only when asked
     * @param sql       the user SQL
     * @return the envelope, or null to execute the SQL as it is
     */
    Envelope plan(LogicalStatement statement, String sql) throws SQLException {
        return counted(pinning.plan(current(), statement, sql));
    }

    private Envelope counted(Envelope e) {
        if (e != null && metrics != null) {
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
        return counted(pinning.planAround(current(), statement));
    }

    /**
     * Inside a transaction whose tenant is decided: a statement of another tenant must not run in
     * it. Another tenant is a different answer of the resolver; with autocommit on also a different
     * tenant of the connection when the resolver is silent. With autocommit on the transaction was
     * opened with SQL text and left open (typically by a previous borrower of a pooled connection;
     * pools roll back only with autocommit off): it is rolled back, as nobody else will end it.
     * Either way the statement is refused, unless it is transaction control.
     *
     * @param statement the statement, or null (around paths)
     * @param sql       its SQL, or null
     */
    void refuseOtherTenant(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        String bound = settings.resolver().currentTenant();
        String running = u.tenantName();
        String wanted;
        boolean autoCommit = u.autocommit();
        if (bound != null) {
            if (bound.equals(running)) {
                return;
            }
            wanted = settings.pathOf(bound).tenant(); // validates: 42602 before it reaches a message
        } else {
            wanted = explicit == null ? null : explicit.tenant();
            if (java.util.Objects.equals(wanted, running)) {
                return;
            }
            if (!autoCommit) {
                return; // the application's transaction: it stays in its tenant, as before
            }
        }
        if (statement != null && sql != null && statement.info(sql).hasTransactionControl()) {
            return; // COMMIT, ROLLBACK...: no tenant's data, and the way out of the transaction
        }
        StringBuilder msg = new StringBuilder(200).append("citus-jdbc: this statement's tenant is ")
                .append(wanted == null ? "none" : "\"" + wanted + "\"")
                .append(", but the open transaction of this connection runs in ")
                .append(running == null ? "no tenant" : "tenant \"" + running + "\"");
        SQLException rollbackFailure = null;
        if (autoCommit) {
            msg.append("; it was opened with SQL text (BEGIN) and left open with autocommit on, e.g. by a previous"
                    + " user of a pooled connection, and has been rolled back: run the statement again");
            try {
                send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
            } catch (SQLException e) {
                rollbackFailure = e;
            }
            unit = null;
            pinning.serverValueLost();
        } else {
            msg.append("; a transaction runs in one tenant: end it before binding another");
        }
        PSQLException refused = new PSQLException(msg.toString(), PSQLState.ACTIVE_SQL_TRANSACTION);
        if (rollbackFailure != null) {
            refused.addSuppressed(rollbackFailure);
        }
        throw refused;
    }

    /**
     * {@code Connection.endRequest} (a pool returning the connection): a transaction opened with SQL
     * text and left open under autocommit is rolled back, so that it never reaches the next request.
     *
     * @return whether a transaction was rolled back
     */
    boolean endRequest() throws SQLException {
        unit = null;
        if (!connection.delegate.getAutoCommit() || state() == TransactionState.IDLE) {
            return false;
        }
        send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
        onRollback();
        return true;
    }

    // ------------------------------------------------------------------ what goes on the wire around an execution

    private void send(String sql, ExtraRoundTrip why) throws SQLException {
        if (metrics != null) {
            metrics.extraRoundTrip(why);
        }
        Statement internal = connection.internal();
        internal.execute(sql);
        internal.clearWarnings();
    }

    /** Sends the pin of an "around" execution ({@link #planAround}) before the operation, on a round trip of its own. */
    void before(Envelope e) throws SQLException {
        try {
            send(e.pinOnly, ExtraRoundTrip.PIN);
        } catch (SQLException ex) {
            if (e.session) {
                pinning.serverValueLost();
            }
            throw ex;
        }
        if (e.session) {
            pinning.ran(e);
        }
    }

    /** A pinning mode's own pin that no statement can carry: sent alone now, on a round trip of its own. */
    void sendAlone(Envelope e) throws SQLException {
        before(counted(e));
    }

    /**
     * After the string carrying {@code e} ran without error. (On error {@link #failed} is called
     * instead: a session {@code SET} is rolled back with the string's implicit transaction, or with the
     * explicit transaction later.)
     */
    void pinned(Envelope e) {
        pinning.ran(e);
    }

    /** Commits an autocommit "around" execution. */
    void after(Envelope e) throws SQLException {
        if (e.commit) {
            send("COMMIT", ExtraRoundTrip.COMMIT);
        }
    }

    /**
     * After an execution failed: an autocommit envelope left its transaction open or failed, so
     * one {@code ROLLBACK} cleans the connection (tried twice); explicit transactions are left to
     * the application (25P02 preserved). When the transaction cannot be ended the physical
     * connection is closed: left aborted it would answer 25P02 to every later statement while
     * {@code isValid} passes (and keep a pooler's server connection). Session pinning forgets what
     * the server has.
     *
     * @param e     the envelope used, or null
     * @param cause the application's error, to which a failing ROLLBACK is added as suppressed
     */
    void failed(Envelope e, SQLException cause) {
        pinning.serverValueLost();
        if (e == null || !e.commit) {
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (base != null && base.getTransactionState() == TransactionState.IDLE) {
                    return;
                }
                send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
                return;
            } catch (SQLException rollback) {
                cause.addSuppressed(rollback);
                LOG.debug("{}: ROLLBACK after a failed envelope failed: {}", connection, rollback.toString());
            }
        }
        try {
            connection.delegate.close();
            LOG.debug("{}: physical connection closed, its transaction could not be rolled back", connection);
        } catch (SQLException close) {
            cause.addSuppressed(close);
        }
    }

    /**
     * After a successful statement executed as it is. User SQL may change {@code search_path}, and
     * transaction control sent as SQL text may undo or end the pin: {@code ROLLBACK}, {@code ABORT}
     * and {@code ROLLBACK TO SAVEPOINT} undo a {@code SET}; {@code COMMIT}/{@code ROLLBACK AND CHAIN}
     * start a transaction without the {@code SET LOCAL}.
     */
    void afterDirect(LogicalStatement statement, String sql) {
        if (sql != null) {
            pinning.afterDirect(unit, statement, sql);
        }
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
        if (isolation < 0 || !pinning.perTransaction() || connection.delegate.getAutoCommit()
                || state() != TransactionState.IDLE) {
            return;
        }
        Envelope e = planAround(null);
        if (e != null) {
            before(e);
        }
    }

    /** @return whether {@code setTransactionIsolation} is handled here rather than by pgjdbc */
    boolean ownsIsolation() {
        return perTransactionIsolation;
    }

    void setIsolation(int level) throws SQLException {
        levelName(level); // validates
        if (!connection.delegate.getAutoCommit() && state() != TransactionState.IDLE) {
            throw new PSQLException("Cannot change transaction isolation level in the middle of a transaction.",
                    PSQLState.ACTIVE_SQL_TRANSACTION);
        }
        isolation = level;
    }

    /** @return the level set through the driver, or -1 when none was */
    int isolation() {
        return isolation;
    }

    static String levelName(int level) throws SQLException {
        switch (level) {
            case Connection.TRANSACTION_READ_UNCOMMITTED:
                return "READ UNCOMMITTED";
            case Connection.TRANSACTION_READ_COMMITTED:
                return "READ COMMITTED";
            case Connection.TRANSACTION_REPEATABLE_READ:
                return "REPEATABLE READ";
            case Connection.TRANSACTION_SERIALIZABLE:
                return "SERIALIZABLE";
            default:
                throw new PSQLException("Transaction isolation level " + level + " not supported.",
                        PSQLState.NOT_IMPLEMENTED);
        }
    }
}
