package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.tenant.TenantPath;
import java.sql.SQLException;
import org.postgresql.core.TransactionState;

/**
 * Session pinning ({@code tenantPinning=session}, and what {@code auto} picks directly and behind
 * PgBouncer tracking {@code search_path}): {@code SET search_path TO "t"; } is prefixed to the
 * statement whenever the wanted path differs from what the server is known to have: one string,
 * one round trip, one implicit transaction in autocommit; nothing at all while the tenant does not
 * change. Executions that cannot carry it get it on a round trip of their own first.
 *
 * <p>The server's value is taken as set only once the string ran without error (an error rolls the
 * {@code SET} back with the string's implicit transaction), and is unknown after a rollback, an error
 * or SQL text touching {@code search_path}, unless the server reports it (Citus 12+ reports
 * {@code search_path}: {@code PGConnection.getParameterStatus}, which wins whenever present).
 *
 * <p>With an isolation level set behind a transaction pooler it pins per transaction instead
 * ({@link TransactionPinning}), since the level must travel with each transaction anyway.
 *
 * <p>Behind PgBouncer tracking {@code search_path} ({@code tagText}) a statement that needs no
 * {@code SET} goes with its tenant in a comment at its end ({@link Envelope#tagged}): the server
 * connections are shared by the clients of every tenant there, and a prepared statement that clients
 * of two tenants share is planned again at each change of {@code search_path}.
 */
final class SessionPinning implements Pinning {

    private static final String DEFAULT_PATH = "SET search_path TO DEFAULT";
    /** The parameter whose value the server reports after each change (Citus 12+ adds it to PostgreSQL's list). */
    static final String SEARCH_PATH = "search_path";

    /**
     * On a connection whose tenant changes between autocommit statements (a pooled connection
     * borrowed for one tenant after another), how many autocommit statements in a row must run in one
     * tenant before it is set for the session; until then each carries its pin and puts the
     * session's value back after it ({@link #perStatement}).
     * Large, because setting the session's tenant is the expensive step on such a connection (the
     * server reports the change and pgjdbc prepares its statements again), while the per-statement
     * form costs a few percent per statement: with 32 threads on a HikariCP pool of 8, which often
     * hands a thread back the connection it had, 8 made the default 0.70-0.74 of raw pgjdbc where the
     * per-statement form alone made 0.79-0.98 (benchmarks/README.md, "Pooled connections that change
     * tenants"). A connection that has one tenant from its first statement sets it at once.
     */
    static final int SETTLED_UNITS = 128;

    private final TenantPins pins;
    private final LogicalConnection connection;
    private final boolean perTransactionIsolation;
    private final boolean tagText;
    private final TransactionPinning perTransaction;
    private boolean pinningPerTransaction; // an isolation level is sent per transaction: pin with it ({@link #perTransaction})

    private boolean serverKnown = true;
    private String serverNorm; // normalized value we set; null = the session default
    private boolean serverDirty; // a SET of ours may be in effect
    private boolean everPinned;
    private TenantPath normPath; // the path norm was computed for
    private String norm;
    private String lastReported; // the search_path pgjdbc last gave us (identity), and its normalized form
    private String lastReportedNorm;
    private Envelope sessionEnv; // the last envelope, reused while the SET repeats
    private TenantPath unitPath; // the tenant of the last autocommit unit of work
    private int unitsInARow; // how many autocommit units in a row ran in it, up to SETTLED_UNITS
    private boolean rotating; // the tenant changed between two autocommit units on this connection
    private Envelope statementEnv; // the last per-statement envelope, reused while its tenant and restore repeat
    private TenantPath statementPath;
    private String statementRestore;
    private String sessionSet; // the driver's session SET the server last ran successfully, and its normalized value
    private String sessionSetNorm;
    private Envelope taggedEnv; // the last tagged text's envelope, reused while its tenant repeats
    private TenantPath taggedPath;

    /**
     * @param perTransactionIsolation whether isolation levels are sent per transaction (a transaction pooler)
     * @param tagText                 whether statements go with their tenant in a comment (a transaction
     *                                pooler that tracks {@code search_path}: its server connections serve every tenant)
     */
    SessionPinning(TenantPins pins, LogicalConnection connection, boolean perTransactionIsolation, boolean tagText) {
        this.pins = pins;
        this.connection = connection;
        this.perTransactionIsolation = perTransactionIsolation;
        this.tagText = tagText;
        this.perTransaction = new TransactionPinning(pins, this);
    }

    @Override
    public boolean perTransaction() {
        return pinningPerTransaction;
    }

    /** Behind a transaction pooler a level set through the driver travels with each transaction: so does the pin then. */
    @Override
    public void isolationChanged(int level) {
        pinningPerTransaction = perTransactionIsolation && level >= 0;
    }

    @Override
    public void transactionStarted(TransactionState ts) {
        if (perTransactionIsolation) {
            perTransaction.transactionStarted(ts);
        }
    }

    /**
     * The envelope {@code SET search_path ...; <sql>} when the server's value differs, else null.
     * Statements that cannot run in one implicit transaction with it (transaction control,
     * {@code VACUUM}, native {@code CALL} in autocommit...), or that touch {@code search_path}
     * themselves, get the {@code SET} on a round trip of its own first.
     */
    @Override
    public Envelope plan(UnitOfWork unit, LogicalStatement statement, SqlInfo sql) throws SQLException {
        if (pinningPerTransaction) {
            return perTransaction.plan(unit, statement, sql);
        }
        TenantPath path = unit.tenant();
        if (!unit.transaction()) {
            if (path != unitPath) { // setSchema makes a new path each time: the same tenant may differ by identity
                boolean same = path != null && path.equals(unitPath);
                rotating |= !same && path != null && unitPath != null;
                unitsInARow = same ? unitsInARow : 0;
                unitPath = path;
            }
            if (unitsInARow < SETTLED_UNITS) {
                unitsInARow++;
            }
        }
        String set = wanted(unit, sql);
        if (set == null) { // the server has the path already
            return tagText && path != null ? tagged(path, sql) : null;
        }
        return rotating && unitsInARow < SETTLED_UNITS && !unit.transaction() && path != null
                ? perStatement(set, path, unit, statement, sql) : carried(set, unit, statement, sql);
    }

    /**
     * A tenant change on a connection whose tenant keeps changing: {@code SET search_path TO "t";
     * <sql>; RESET search_path} (as {@link StatementPinning}), or, when the session has a tenant the
     * driver set (and no PgBouncer puts the session's value back: not {@code tagText}), that tenant's
     * {@code SET} in place of the {@code RESET}: the session's value stays as it was. A session {@code SET} at every change costs the coordinator and the client more CPU:
     * the server reports each change of the session's value, and pgjdbc prepares its statements on
     * the server again after a reported change of {@code search_path} (measured in
     * benchmarks/README.md, "Pooled connections that change tenants"). Only where the server reports {@code search_path}
     * (Citus 12+), which tells the driver the session's value after it, whatever pgjdbc did with
     * the string; else, and for SQL that cannot run in the string, the session {@code SET}.
     */
    private Envelope perStatement(String set, TenantPath path, UnitOfWork unit, LogicalStatement statement, SqlInfo sql)
            throws SQLException {
        if (connection.pgjdbc.getParameterStatus(SEARCH_PATH) == null || !sql.isSafeToWrap() || sql.touchesSearchPath()) {
            return carried(set, unit, statement, sql);
        }
        // A session that has a tenant of the driver's gets it back with its own SET: its value, and so
        // the server's report, does not change (a report would make pgjdbc prepare its statements again).
        // Not behind PgBouncer tracking search_path: there the session's value is the one PgBouncer puts
        // back on whichever server connection the client gets next, and a client that keeps changing
        // tenants costs it least with none (RESET), as statement pinning leaves it.
        String restore = !tagText && serverKnown && sessionSet != null && sessionSetNorm.equals(serverNorm)
                ? sessionSet : Envelope.RESET;
        Envelope e = statementEnv;
        if (e == null || !path.equals(statementPath) || !restore.equals(statementRestore)) {
            e = Envelope.implicit(path.setSessionSql(), restore);
            statementEnv = e;
            statementPath = path;
            statementRestore = restore;
        }
        serverDirty = true; // if pgjdbc split the string and it then failed, the SET stayed
        return e;
    }

    /**
     * @return the statement's text tagged with its tenant ({@link Envelope#tagged}), or null to send it
     *         as it is: SQL whose end a comment could fall into, that cannot be wrapped, or that
     *         changes {@code search_path} or undoes it (which {@link #afterDirect} must see)
     */
    private Envelope tagged(TenantPath path, SqlInfo sql) {
        if (!sql.isSafeToWrap() || sql.touchesSearchPath() || sql.rollsBackOrChains()) {
            return null;
        }
        Envelope e = taggedEnv;
        if (e == null || (path != taggedPath && !path.equals(taggedPath))) {
            e = Envelope.tagged(path.setSessionSql());
            taggedEnv = e;
            taggedPath = path;
        }
        return e;
    }

    @Override
    public Envelope planAround(UnitOfWork unit, LogicalStatement statement) throws SQLException {
        if (pinningPerTransaction) {
            return perTransaction.planAround(unit, statement);
        }
        String set = wanted(unit, null);
        if (set == null) {
            return null;
        }
        if (statement != null && statement.carriesPin()) {
            return carried(set, unit, statement, null);
        }
        pins.sendAlone(envelope(set));
        return null;
    }

    /**
     * @param set the {@code SET} the server needs ({@link #wanted})
     * @param sql the SQL, or null when {@code statement} judges its pending operation itself
     * @return the envelope carrying {@code set}, or null when it was sent alone (the SQL cannot carry it)
     */
    private Envelope carried(String set, UnitOfWork unit, LogicalStatement statement, SqlInfo sql) throws SQLException {
        boolean carry;
        if (sql == null) {
            carry = statement.aroundWrappable() && statement.aroundTerminated();
        } else {
            carry = (unit.transaction() ? TransactionPinning.prefixable(sql) : sql.isSafeToWrap())
                    && !sql.touchesSearchPath();
        }
        Envelope e = envelope(set);
        if (!carry) {
            pins.sendAlone(e);
            return null;
        }
        markUnknown(); // until the string ran: the SET may be rolled back with it
        return e;
    }

    private Envelope envelope(String set) {
        Envelope e = sessionEnv;
        if (e == null || !e.pinOnly.equals(set)) {
            e = Envelope.session(set, set == DEFAULT_PATH ? null : norm);
            sessionEnv = e;
        }
        return e;
    }

    /** @return the {@code SET} the next statement needs (the server's value differs from its tenant's), or null */
    private String wanted(UnitOfWork unit, SqlInfo sql) throws SQLException {
        if (unit.transaction()) {
            TransactionState ts = pins.callState();
            if (ts != TransactionState.IDLE && !pins.unitFresh()) {
                pins.refuseOtherTenant(unit, sql);
            }
            if (ts == TransactionState.FAILED) {
                return null;
            }
        }
        TenantPath path = unit.tenant();
        if (path == null && !serverDirty) {
            return null; // nothing pinned, nothing ever set: nothing added
        }
        String reported = connection.pgjdbc.getParameterStatus(SEARCH_PATH); // as the server last reported it (Citus 12+), or null
        if (reported != null) {
            if (reported != lastReported) { // pgjdbc keeps the reported string until the next report
                lastReportedNorm = normalize(reported);
                lastReported = reported;
            }
            serverNorm = lastReportedNorm;
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
     * Pinning per transaction with nothing pinned: a session {@code SET} sent earlier must not decide
     * where the unpinned statement runs (one round trip, only then).
     */
    void resetPath() throws SQLException {
        if (serverDirty) {
            pins.sendAlone(envelope(DEFAULT_PATH));
        }
    }

    /** The string carrying a session envelope ran without error: the server now has the value it set. */
    @Override
    public void ran(Envelope e) {
        if (e == null || !e.session) {
            return;
        }
        serverNorm = e.sessionValue;
        serverKnown = true;
        serverDirty = e.sessionValue != null;
        everPinned |= e.sessionValue != null;
        sessionSet = e.sessionValue == null ? null : e.pinOnly;
        sessionSetNorm = e.sessionValue;
    }

    @Override
    public void afterDirect(UnitOfWork unit, SqlInfo sql) {
        if (everPinned && (sql.touchesSearchPath() || sql.rollsBackOrChains())) {
            markUnknown();
        }
        if (perTransactionIsolation) { // else it never pinned anything
            perTransaction.afterDirect(unit, sql);
        }
    }

    @Override
    public void tenantChanged() {
        perTransaction.tenantChanged();
    }

    @Override
    public void rolledBackToSavepoint() {
        perTransaction.rolledBackToSavepoint();
        markUnknown();
    }

    @Override
    public void serverValueLost() {
        markUnknown();
    }

    @Override
    public boolean pinLeftAfterFailure() {
        return false; // the session keeps its pin by design; an unknown value is sent again when needed
    }

    @Override
    public void switchedPhysical() {
        if (everPinned) {
            markUnknown();
        }
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
