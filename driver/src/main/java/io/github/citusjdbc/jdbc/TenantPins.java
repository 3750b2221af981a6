package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.config.Pooler;
import io.github.citusjdbc.config.SqlStates;
import io.github.citusjdbc.sql.SqlInfo;
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
 * The tenant pin of one logical connection: which tenant the current transaction runs in, and
 * what must be added to the wire for it. Not thread-safe (one per connection, used by its thread).
 *
 * <p><b>Which tenant.</b> When a transaction starts (each autocommit statement, or the first
 * statement of an explicit transaction) the {@code TenantResolver} is asked; its non-null answer
 * wins, otherwise the connection's own tenant ({@code setSchema}, initially {@code currentSchema})
 * applies. The tenant stays fixed until the transaction ends, except that {@code setSchema} inside
 * an open transaction re-pins it from the next statement on (when the resolver is silent). The
 * resolver is asked again at each later statement of the transaction: a different answer is
 * refused (25001), and a transaction opened with SQL text and left open under autocommit (by a
 * previous borrower of a pooled connection) is rolled back first, as nobody else would end it.
 *
 * <p><b>Transaction mode.</b> Autocommit: {@link Envelope} {@code BEGIN; SET LOCAL ...; sql;
 * COMMIT} in one string; on error one {@code ROLLBACK}. Explicit transaction: {@code SET LOCAL}
 * prefixed to the first statement (and again after a rollback to a savepoint, which may undo it).
 * "First statement" is known from pgjdbc's {@link BaseConnection#getTransactionState()}.
 *
 * <p><b>Session mode.</b> {@code SET search_path TO "t"; } prefixed to the statement whenever the
 * wanted path differs from what the server is known to have (one string, one round trip, one
 * implicit transaction in autocommit); on a separate round trip first for executions that cannot
 * carry it. The server value is taken as set only once the string ran without error (an error rolls
 * the {@code SET} back with the string's implicit transaction), and is unknown after a rollback, an
 * error or user SQL touching {@code search_path}, unless the server reports it (Citus 12+:
 * {@code PGConnection.getParameterStatus("search_path")}, which wins whenever present).
 *
 * <p><b>Isolation behind a transaction pooler.</b> {@code setTransactionIsolation} is kept here
 * and sent per transaction ({@code BEGIN ISOLATION LEVEL} / {@code SET TRANSACTION ISOLATION
 * LEVEL} as the first statement) instead of pgjdbc's {@code SET SESSION CHARACTERISTICS}.
 */
final class TenantPins {

    private static final Logger LOG = LoggerFactory.getLogger(TenantPins.class);

    private final LogicalConnection connection;
    private final TenantSettings settings;
    private final boolean session;
    private final boolean perTransactionIsolation;
    private BaseConnection base; // null when the physical connection is not pgjdbc's (stub drivers)

    private TenantPath explicit;
    private TenantPath resolved; // the path last built for a resolver answer, reused while it repeats

    // The unit of work in progress (null: none decided), and what this call read when it began.
    private UnitOfWork unit;
    private boolean begun; // inside a call that began with begin(): plan() takes its unit
    private boolean unitFresh; // this call is the unit's first
    private TransactionState callState;
    // Pinning progress of a transaction unit.
    private boolean txPinned;
    private boolean txIsolationPending;

    private int isolation = -1; // -1: not set through the driver (transaction pooler only)

    // Session mode: what the server's search_path is known to be.
    private boolean serverKnown = true;
    private String serverNorm; // normalized value we set; null = the session default
    private boolean serverDirty;
    private boolean everPinned;
    private TenantPath normPath;
    private String norm;

    private Envelope autoEnv;
    private TenantPath autoEnvPath;
    private int autoEnvIsolation;

    TenantPins(LogicalConnection connection, TenantSettings settings, Pooler pooler) {
        this.connection = connection;
        this.settings = settings;
        this.session = settings.mode() == PinningMode.SESSION;
        this.perTransactionIsolation = pooler.isTransactionPooler();
        this.explicit = settings.defaultTenant();
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

    /**
     * The SQL cannot be lexed as the server will read it (it ends inside a string, quoted
     * identifier, dollar quote or comment) while a pin has to go with it: it is not sent, since
     * where the pin would go cannot be known and sending it unpinned could run it in another schema.
     */
    private SQLException unlexable() {
        return new SQLException("citus-jdbc: the SQL text ends inside a quoted string, quoted identifier, dollar quote"
                + " or comment as read with standard_conforming_strings = " + (standardConformingStrings() ? "on" : "off")
                + " (the connection's current setting); it was not sent, because the tenant pin (or the isolation level"
                + " the driver sends per transaction) could not be added to it. Terminate the text (with"
                + " standard_conforming_strings = off a backslash escapes a quote"
                + " inside '...').", SqlStates.SYNTAX_ERROR);
    }

    /** Routing moved the logical connection to another physical one: session mode no longer knows the server's value. */
    void switchedPhysical(Connection physical) {
        attach(physical);
        if (session && everPinned) {
            markUnknown();
        }
    }

    // ------------------------------------------------------------------ tenant

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

    // ------------------------------------------------------------------ unit of work

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
        u = new UnitOfWork(path, autocommit, ts != TransactionState.IDLE || !autocommit,
                UnitOfWork.standbyServes(connection.state.readOnly, connection.isolationForRouting()));
        unit = u;
        unitFresh = true;
        txPinned = false;
        txIsolationPending = ts == TransactionState.IDLE && isolation >= 0;
        return u;
    }

    /** Ends the call begun with {@link #begin}. */
    void end() {
        begun = false;
    }

    /** @return the unit of the call in progress (after {@link #begin}) */
    UnitOfWork unit() {
        return unit;
    }

    /** @return pgjdbc's transaction state as read when the call in progress began */
    TransactionState callState() {
        return callState;
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
            txPinned = false;
        }
    }

    /** @return the tenant the next statement runs in, or null when none is pinned */
    String currentTenant() throws SQLException {
        TenantPath p = inOpenTransaction() ? unit.tenant() : resolve();
        return p == null ? null : p.tenant();
    }

    /**
     * @return whether a statement being prepared now (a batch entry being added) may run with a pin:
     *         transaction mode and a tenant or per-transaction isolation known; no round trip
     */
    boolean mayPin() throws SQLException {
        return !sessionNow() && (explicit != null || (unit != null && unit.tenant() != null) || isolation >= 0
                || settings.resolver().currentTenant() != null);
    }

    // ------------------------------------------------------------------ planning

    /**
     * Decides what to add around one Statement/PreparedStatement execution; in session mode the
     * {@code SET} prefix when needed (sent on its own first when the statement cannot carry it).
     *
     * @param statement the statement, which classifies {@code sql} only when asked
     * @param sql       the user SQL
     * @return the envelope, or null to execute the SQL as it is
     */
    Envelope plan(LogicalStatement statement, String sql) throws SQLException {
        UnitOfWork u = current();
        if (sessionNow()) {
            return sessionPlan(u, statement, sql);
        }
        if (!u.transaction()) {
            TenantPath path = u.tenant();
            if (path == null) {
                clearSessionPath();
            }
            if (path == null && isolation < 0) {
                return null; // nothing pinned: nothing added to the wire
            }
            SqlInfo info = statement.info(sql);
            if (!info.isTerminated()) {
                throw unlexable();
            }
            return info.isSafeToWrap() ? autoEnvelope(path) : null;
        }
        return explicitPrefix(u, statement, sql);
    }

    /**
     * Decides the pin for paths that cannot carry it in the same string (CallableStatement,
     * PreparedStatement batches, COPY, savepoints): run {@link Envelope#pinOnly} first and, when
     * {@link Envelope#commit}, {@code COMMIT} afterwards.
     */
    Envelope planAround(LogicalStatement statement) throws SQLException {
        UnitOfWork u = current();
        if (sessionNow()) {
            return statement != null && statement.carriesPin() ? sessionPlan(u, statement, null)
                    : sessionBefore(u, statement, null);
        }
        TransactionState ts = callState;
        if (!u.transaction()) {
            TenantPath path = u.tenant();
            if (path == null) {
                clearSessionPath();
            }
            if (path == null && isolation < 0) {
                return null;
            }
            if (statement != null && !statement.aroundTerminated()) {
                throw unlexable();
            }
            return statement == null || statement.aroundWrappable() ? autoEnvelope(path) : null;
        }
        if (statement != null && ts != TransactionState.FAILED && !statement.aroundWrappable()) {
            if (!statement.aroundTerminated() && pinPending(u, null, null)) {
                throw unlexable();
            }
            return null;
        }
        return explicitPrefix(u, null, null);
    }

    /**
     * @param statement the statement, or null (around paths): checked against the transaction's tenant
     * @param sql       its SQL, or null
     * @return whether the explicit transaction's pin (or isolation) still has to go with its next statement
     */
    private boolean pinPending(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        TransactionState ts = callState;
        if (ts != TransactionState.IDLE && !unitFresh) {
            refuseOtherBoundTenant(u, statement, sql);
        }
        if (ts == TransactionState.FAILED) {
            return false; // the server answers 25P02 whatever we add
        }
        if (unitFresh && u.tenant() == null) {
            clearSessionPath();
        }
        return (u.tenant() != null && !txPinned) || txIsolationPending;
    }

    private Envelope explicitPrefix(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        if (!pinPending(u, statement, sql)) {
            return null;
        }
        if (statement != null && !prefixable(statement.info(sql))) {
            if (!statement.info(sql).isTerminated()) {
                throw unlexable();
            }
            return null; // pinned with the next statement that can carry it
        }
        StringBuilder sb = new StringBuilder(64);
        int skip = 0;
        if (txIsolationPending) {
            sb.append("SET TRANSACTION ISOLATION LEVEL ").append(levelName(isolation)).append("; ");
            skip++;
        }
        if (u.tenant() != null && !txPinned) {
            sb.append(u.tenant().setLocalSql()).append("; ");
            skip++;
        }
        txPinned = true;
        txIsolationPending = false;
        String prefix = sb.toString();
        return new Envelope(prefix, skip, false, prefix);
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
    private void refuseOtherBoundTenant(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
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
                Statement internal = connection.internal();
                internal.execute("ROLLBACK");
                internal.clearWarnings();
            } catch (SQLException e) {
                rollbackFailure = e;
            }
            unit = null;
            if (session) {
                markUnknown();
            }
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
        Statement internal = connection.internal();
        internal.execute("ROLLBACK");
        internal.clearWarnings();
        onRollback();
        return true;
    }

    private static boolean prefixable(SqlInfo info) {
        return info.isTerminated() && !info.isEmpty() && !info.hasTransactionControl() && !info.hasNonTransactional();
    }

    private Envelope autoEnvelope(TenantPath path) throws SQLException {
        Envelope e = autoEnv;
        if (e != null && autoEnvPath == path && autoEnvIsolation == isolation) {
            return e;
        }
        StringBuilder sb = new StringBuilder(64).append("BEGIN");
        if (isolation >= 0) {
            sb.append(" ISOLATION LEVEL ").append(levelName(isolation));
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

    // ------------------------------------------------------------------ around paths

    /** Sends the pin of an "around" execution before the operation. */
    void before(Envelope e) throws SQLException {
        if (e.session) {
            sendSession(e.pinOnly);
            pinned(e);
            return;
        }
        Statement internal = connection.internal();
        internal.execute(e.pinOnly);
        internal.clearWarnings();
    }

    /**
     * After the string carrying a session envelope ran without error: the server now has the value it
     * set. (On error {@link #failed} forgets the value: the {@code SET} is rolled back with the
     * implicit transaction of the string, or with the explicit transaction later.)
     */
    void pinned(Envelope e) {
        if (e == null || !e.session) {
            return;
        }
        serverNorm = e.sessionValue;
        serverKnown = true;
        serverDirty = e.sessionValue != null;
        everPinned |= e.sessionValue != null;
    }

    /** Commits an autocommit "around" execution. */
    void after(Envelope e) throws SQLException {
        if (e.commit) {
            Statement internal = connection.internal();
            internal.execute("COMMIT");
            internal.clearWarnings();
        }
    }

    /**
     * After an execution failed: an autocommit envelope left its transaction open or failed, so
     * one {@code ROLLBACK} cleans the connection (tried twice); explicit transactions are left to
     * the application (25P02 preserved). When the transaction cannot be ended the physical
     * connection is closed: left aborted it would answer 25P02 to every later statement while
     * {@code isValid} passes (and keep a pooler's server connection). Session mode forgets what the
     * server has.
     *
     * @param e     the envelope used, or null
     * @param cause the application's error, to which a failing ROLLBACK is added as suppressed
     */
    void failed(Envelope e, SQLException cause) {
        if (session) {
            markUnknown();
        }
        if (e == null || !e.commit) {
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (base != null && base.getTransactionState() == TransactionState.IDLE) {
                    return;
                }
                Statement internal = connection.internal();
                internal.execute("ROLLBACK");
                internal.clearWarnings();
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
     * start a transaction without the {@code SET LOCAL}. Session mode then forgets what the server
     * has; transaction mode pins again with the next statement of a transaction still open. Only
     * classified when something is pinned.
     */
    void afterDirect(LogicalStatement statement, String sql) {
        if (sql == null) {
            return;
        }
        if (session && everPinned) {
            SqlInfo info = statement.info(sql);
            if (info.touchesSearchPath() || info.rollsBackOrChains()) {
                markUnknown();
            }
        }
        UnitOfWork u = unit;
        if (u != null && u.transaction() && u.tenant() != null && txPinned && statement.info(sql).rollsBackOrChains()) {
            txPinned = false;
        }
    }

    // ------------------------------------------------------------------ transaction boundaries

    void onTransactionEnd() {
        unit = null;
    }

    void onRollback() {
        unit = null;
        if (session) {
            markUnknown();
        }
    }

    /** A rollback to a savepoint may undo a SET LOCAL sent after the savepoint: pin again with the next statement. */
    void onRollbackToSavepoint() {
        txPinned = false;
        if (session) {
            markUnknown();
        }
    }

    // ------------------------------------------------------------------ isolation behind a transaction pooler

    /**
     * Before pgjdbc may send a query of its own (a {@code DatabaseMetaData} method,
     * {@code getSchema()}) that would open the transaction with a plain {@code BEGIN}: the isolation
     * level kept here must go first, as {@code SET TRANSACTION} is refused after any query. One round
     * trip, only when a level is set, autocommit is off and no transaction is open yet.
     */
    void beforeInternalQuery() throws SQLException {
        if (isolation < 0 || sessionNow() || connection.delegate.getAutoCommit() || state() != TransactionState.IDLE) {
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

    private static String levelName(int level) throws SQLException {
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

    // ------------------------------------------------------------------ session mode

    /**
     * Session mode for an execution that can carry the {@code SET} in its own string: the envelope
     * {@code SET search_path ...; <sql>} when the server's value differs, else null. Statements that
     * cannot run in one implicit transaction with it (transaction control, {@code VACUUM}, native
     * {@code CALL} in autocommit...), or that touch {@code search_path} themselves, get the
     * {@code SET} on a round trip of its own first, as before.
     *
     * @param sql the SQL, or null when {@code statement} judges its pending operation itself
     */
    private Envelope sessionPlan(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        String set = sessionWanted(u, statement, sql);
        if (set == null) {
            return null;
        }
        boolean carry;
        if (sql == null) {
            carry = statement.aroundWrappable() && statement.aroundTerminated();
        } else {
            SqlInfo info = statement.info(sql);
            carry = (u.transaction() ? prefixable(info) : info.isSafeToWrap()) && !info.touchesSearchPath();
        }
        Envelope e = sessionEnvelope(set);
        if (!carry) {
            before(e);
            return null;
        }
        markUnknown(); // until the string ran: the SET may be rolled back with it
        return e;
    }

    private Envelope sessionEnv;

    private Envelope sessionEnvelope(String set) {
        Envelope e = sessionEnv;
        if (e == null || !e.pinOnly.equals(set)) {
            e = Envelope.session(set, set == DEFAULT_PATH ? null : norm);
            sessionEnv = e;
        }
        return e;
    }

    private static final String DEFAULT_PATH = "SET search_path TO DEFAULT";

    /** Session mode, pin sent on a round trip of its own: the paths that cannot carry it. */
    private Envelope sessionBefore(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        String set = sessionWanted(u, statement, sql);
        if (set != null) {
            before(sessionEnvelope(set));
        }
        return null;
    }

    /** @return the {@code SET} the next statement needs (the server's value differs from its tenant's), or null */
    private String sessionWanted(UnitOfWork u, LogicalStatement statement, String sql) throws SQLException {
        TransactionState ts = callState;
        if (u.transaction()) {
            if (ts != TransactionState.IDLE && !unitFresh) {
                refuseOtherBoundTenant(u, statement, sql);
            }
            if (ts == TransactionState.FAILED) {
                return null;
            }
        }
        TenantPath path = u.tenant();
        if (path == null && !serverDirty) {
            return null; // nothing pinned, nothing ever set: nothing added
        }
        String reported = reportedSearchPath();
        if (reported != null) {
            serverNorm = normalize(reported);
            serverKnown = true;
        }
        if (path == null) {
            return DEFAULT_PATH;
        }
        if (normPath != path) {
            norm = normalize(path.value());
            normPath = path;
        }
        if (serverKnown && norm.equals(serverNorm)) {
            return null;
        }
        return path.setSessionSql();
    }

    /**
     * Session pinning with an isolation level set behind a transaction pooler pins per transaction
     * (the level travels with each transaction's {@code BEGIN}/{@code SET TRANSACTION}).
     */
    private boolean sessionNow() {
        return session && !(perTransactionIsolation && isolation >= 0);
    }

    /**
     * Per-transaction pinning of a session-mode connection, nothing pinned: a session {@code SET}
     * sent earlier must not decide where the unpinned statement runs (one round trip, only then).
     */
    private void clearSessionPath() throws SQLException {
        if (session && serverDirty) {
            before(sessionEnvelope(DEFAULT_PATH));
        }
    }

    private void sendSession(String sql) throws SQLException {
        Statement internal = connection.internal();
        try {
            internal.execute(sql);
            internal.clearWarnings();
        } catch (SQLException e) {
            markUnknown();
            throw e;
        }
    }

    private String reportedSearchPath() {
        if (base == null) {
            return null;
        }
        return ((PGConnection) base).getParameterStatus("search_path");
    }

    private void markUnknown() {
        serverKnown = false;
        serverDirty = true;
    }

    /** The comparable form of a search_path value: quotes and spaces removed (tenant names have neither). */
    static String normalize(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '"' && c != ' ') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
