package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A prepared statement of a {@link LogicalConnection}.
 *
 * <p>With nothing pinned it executes its physical statement ({@link #plain}) directly. With a
 * tenant pinned the text sent depends on the tenant ({@code BEGIN; SET LOCAL search_path TO "t";
 * <sql>; COMMIT}), so each distinct envelope gets its own physical statement, kept in a small
 * LRU cache of {@value #MAX_VARIANTS}; the parameters the application set are recorded
 * ({@link ParameterLog}) and replayed onto the physical statement that executes. The same replay
 * lets routing re-target a statement to another connection.
 *
 * <p>Batches run on {@link #plain} inside the pin sent separately (see {@link #executeBatch()}).
 */
class LogicalPreparedStatement extends DelegatingPreparedStatement {

    /** Physical statements per envelope kept at most; beyond, the least recently used is closed. */
    static final int MAX_VARIANTS = 4;

    final String sql;
    private final String[] keyColumns; // null: no generated keys requested
    private final int resultSetType;
    private final int resultSetConcurrency;
    private final int resultSetHoldability;

    private final String[] variantKeys = new String[MAX_VARIANTS];
    private final PreparedStatement[] variants = new PreparedStatement[MAX_VARIANTS];
    private final long[] variantUse = new long[MAX_VARIANTS];
    private long uses;
    private String returning; // our RETURNING clause for keyed envelopes; "" = the user's own
    private boolean returningKnown;

    /**
     * @param keyColumns   {@code {"*"}} for RETURN_GENERATED_KEYS, column names, or null for none
     * @param type         result set type, or 0 for the default
     * @param concurrency  result set concurrency, or 0 for the default
     * @param holdability  result set holdability, or 0 for the default
     */
    LogicalPreparedStatement(LogicalConnection connection, PreparedStatement delegate, String sql,
                             String[] keyColumns, int type, int concurrency, int holdability) {
        super(connection, delegate);
        this.sql = sql;
        this.keyColumns = keyColumns;
        this.resultSetType = type;
        this.resultSetConcurrency = concurrency;
        this.resultSetHoldability = holdability;
    }

    // ------------------------------------------------------------------ execution

    boolean executeOnce() throws SQLException {
        if (aroundOnly()) {
            return (Boolean) around(OP_EXECUTE);
        }
        Envelope e = connection.pins.plan(this, sql);
        if (e == null) {
            boolean r = usePlain().execute();
            afterDirect(sql);
            return r;
        }
        runPinned(e);
        return isResultSetNow();
    }

    ResultSet executeQueryOnce() throws SQLException {
        if (aroundOnly()) {
            return wrapResultSet((ResultSet) around(OP_QUERY));
        }
        Envelope e = connection.pins.plan(this, sql);
        if (e == null) {
            ResultSet rs = usePlain().executeQuery();
            afterDirect(sql);
            return wrapResultSet(rs);
        }
        runPinned(e);
        return singleResultSet();
    }

    @Override
    public boolean execute() throws SQLException {
        RouteSession r = connection.routing;
        return r == null || r.passThrough(this) ? executeOnce() : (Boolean) routedPrepared(r, P_EXECUTE);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        RouteSession r = connection.routing;
        return r == null || r.passThrough(this) ? executeQueryOnce() : (ResultSet) routedPrepared(r, P_QUERY);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        RouteSession r = connection.routing;
        return r == null || r.passThrough(this) ? executeLargeUpdateOnce() : (Long) routedPrepared(r, P_UPDATE);
    }

    private static final int P_EXECUTE = 0;
    private static final int P_QUERY = 1;
    private static final int P_UPDATE = 2;
    private static final int P_BATCH = 3;
    private static final int P_LARGE_BATCH = 4;

    /** As {@code LogicalStatement.routed}: one execution as (part of) a routed unit of work. */
    private Object routedPrepared(RouteSession r, int op) throws SQLException {
        for (;;) {
            r.enter(this, sql);
            Object result;
            try {
                result = switch (op) {
                    case P_EXECUTE -> executeOnce();
                    case P_QUERY -> executeQueryOnce();
                    case P_UPDATE -> executeLargeUpdateOnce();
                    case P_BATCH -> aroundBatch(false);
                    default -> aroundBatch(true);
                };
            } catch (SQLException e) {
                if (op >= P_BATCH) {
                    batchOpen = false;
                }
                r.failed(e, op < P_BATCH);
                continue; // failed() returned: retry once on the route it switched to
            }
            if (op >= P_BATCH) {
                batchOpen = false;
            }
            r.succeeded();
            return result;
        }
    }

    /** Entries were added with addBatch() since the last executeBatch/clearBatch: the batch is routed already. */
    boolean batchOpen;

    @Override
    Statement newPhysical(java.sql.Connection physical) throws SQLException {
        if (batchOpen) {
            throw new SQLException("citus-jdbc: this PreparedStatement's batch was built on another node than the one"
                    + " this unit of work is routed to (the read-only flag, the tenant or the transaction changed"
                    + " between addBatch() and executeBatch()); build and execute a batch within one unit of work",
                    "0A000");
        }
        if (keyColumns != null) {
            return keyColumns == STAR ? physical.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
                    : physical.prepareStatement(sql, keyColumns);
        }
        if (resultSetHoldability != 0) {
            return physical.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
        }
        if (resultSetType != 0) {
            return physical.prepareStatement(sql, resultSetType, resultSetConcurrency);
        }
        return physical.prepareStatement(sql);
    }

    @Override
    void afterRetarget(Statement fresh) throws SQLException {
        java.util.Arrays.fill(variants, null); // closed with the old physicals
        java.util.Arrays.fill(variantKeys, null);
        parameters.replay((PreparedStatement) fresh);
    }

    long executeLargeUpdateOnce() throws SQLException {
        if (aroundOnly()) {
            return (Long) around(OP_UPDATE);
        }
        Envelope e = connection.pins.plan(this, sql);
        if (e == null) {
            long n = usePlain().executeLargeUpdate();
            afterDirect(sql);
            return n;
        }
        runPinned(e);
        return updateCountOnly();
    }

    private PreparedStatement usePlain() throws SQLException {
        resetNavigation();
        if (delegate != plain) {
            switchTo((PreparedStatement) plain);
        }
        return (PreparedStatement) plain;
    }

    final void switchTo(PreparedStatement target) throws SQLException {
        target.clearParameters();
        parameters.replay(target);
        delegate = target;
        replayed(target);
    }

    /** Hook: the recorded parameters were replayed onto {@code target} (CallableStatement re-registers OUT parameters). */
    void replayed(PreparedStatement target) throws SQLException {
    }

    private void runPinned(Envelope e) throws SQLException {
        SqlInfo info = info(sql);
        String ret = returning(info);
        PreparedStatement target = variant(e, ret, info);
        resetNavigation();
        if (delegate != target) {
            switchTo(target);
        }
        try {
            target.execute();
        } catch (SQLException ex) {
            connection.pins.failed(e, ex);
            throw ex;
        }
        startNavigation(e, info.pgjdbcQueryCount(), ret != null);
    }

    private String returning(SqlInfo info) {
        if (!returningKnown) {
            returning = keyColumns == null ? null : returningClause(sql, info, keyColumns);
            returningKnown = true;
        }
        return returning;
    }

    /** The physical statement for envelope {@code e}, from the cache or newly prepared. */
    final PreparedStatement variant(Envelope e, String ret, SqlInfo info) throws SQLException {
        String key = e.prefix;
        int free = -1;
        int oldest = 0;
        for (int i = 0; i < MAX_VARIANTS; i++) {
            String k = variantKeys[i];
            if (k == null) {
                if (free < 0) {
                    free = i;
                }
            } else if (k.equals(key)) {
                variantUse[i] = ++uses;
                return variants[i];
            } else if (variantUse[i] < variantUse[oldest]) {
                oldest = i;
            }
        }
        int slot = free >= 0 ? free : oldest;
        if (free < 0) {
            PreparedStatement evicted = variants[slot];
            others.remove(evicted);
            if (delegate == evicted) {
                delegate = plain;
            }
            evicted.close();
        }
        String text = e.wrap(envelopeBody(), ret, ret == null ? -1 : info.statements().get(0).end());
        PreparedStatement ps = prepare(text, ret != null);
        copySettings(plain, ps);
        variantKeys[slot] = key;
        variants[slot] = ps;
        variantUse[slot] = ++uses;
        others.add(ps);
        return ps;
    }

    /** The SQL an envelope carries: the application's, or for a JDBC call escape what pgjdbc would run for it. */
    String envelopeBody() throws SQLException {
        return sql;
    }

    private PreparedStatement prepare(String text, boolean keyed) throws SQLException {
        if (keyed) {
            // Scrollable, so that the update count can be read from the RETURNING rows.
            return connection.delegate.prepareStatement(text, ResultSet.TYPE_SCROLL_INSENSITIVE,
                    ResultSet.CONCUR_READ_ONLY);
        }
        if (resultSetHoldability != 0) {
            return connection.delegate.prepareStatement(text, resultSetType, resultSetConcurrency, resultSetHoldability);
        }
        if (resultSetType != 0) {
            return connection.delegate.prepareStatement(text, resultSetType, resultSetConcurrency);
        }
        return connection.delegate.prepareStatement(text);
    }

    // ------------------------------------------------------------------ parameters and batches

    @Override
    public void clearParameters() throws SQLException {
        delegate.getConnection(); // pgjdbc's closed check
        ((PreparedStatement) delegate).clearParameters();
        parameters.clear();
    }

    @Override
    public void addBatch() throws SQLException {
        RouteSession r = connection.routing;
        if (r != null && !batchOpen) {
            if (!r.passThrough(this)) {
                r.enter(this, sql); // the batch's unit of work is routed when it is built
            }
            batchOpen = true;
        }
        usePlain().addBatch(); // batches always run on the plain statement
    }

    @Override
    public void clearBatch() throws SQLException {
        batchOpen = false;
        super.clearBatch();
    }

    /**
     * Runs the batch on the plain statement. With a tenant pinned, the pin cannot join a
     * PreparedStatement batch (pgjdbc refuses a multi-statement batch), so it is sent before it:
     * in autocommit {@code BEGIN; SET LOCAL ...} before and {@code COMMIT} after (2 extra round
     * trips); in an explicit transaction {@code SET LOCAL ...} before the transaction's first
     * statement only (1 extra round trip, once per transaction).
     */
    @Override
    public int[] executeBatch() throws SQLException {
        RouteSession r = connection.routing;
        if (r == null || r.passThrough(this)) {
            batchOpen = false;
            return (int[]) aroundBatch(false);
        }
        return (int[]) routedPrepared(r, P_BATCH);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        RouteSession r = connection.routing;
        if (r == null || r.passThrough(this)) {
            batchOpen = false;
            return (long[]) aroundBatch(true);
        }
        return (long[]) routedPrepared(r, P_LARGE_BATCH);
    }

    private Object aroundBatch(boolean large) throws SQLException {
        resetNavigation();
        delegate = plain;
        return around(large ? OP_LARGE_BATCH : OP_BATCH);
    }

    @Override
    boolean aroundWrappable() {
        return info(sql).isSafeToWrap();
    }

    /** @return whether every execution pins "around" (CallableStatement) instead of in the same string */
    boolean aroundOnly() {
        return false;
    }

    static final int OP_EXECUTE = 0;
    static final int OP_QUERY = 1;
    static final int OP_UPDATE = 2;
    static final int OP_BATCH = 3;
    static final int OP_LARGE_BATCH = 4;
    static final int OP_META = 5;
    static final int OP_PARAMETER_META = 6;

    /**
     * Runs one operation on the plain statement with the pin sent separately (before, and
     * {@code COMMIT} after in autocommit); directly when nothing is pinned.
     */
    final Object around(int op) throws SQLException {
        return around(op, connection.pins.planAround(this));
    }

    /** As {@link #around(int)} with the pin already planned ({@link TenantPins#planAround}). */
    final Object around(int op, Envelope e) throws SQLException {
        PreparedStatement p = (PreparedStatement) plain;
        if (delegate != plain) {
            usePlain();
        }
        resetNavigation();
        if (e == null) {
            Object r = run(p, op);
            afterDirect(sql);
            return r;
        }
        try {
            connection.pins.before(e);
            Object r = run(p, op);
            connection.pins.after(e);
            return r;
        } catch (SQLException ex) {
            connection.pins.failed(e, ex);
            throw ex;
        }
    }

    private static Object run(PreparedStatement p, int op) throws SQLException {
        switch (op) {
            case OP_EXECUTE:
                return p.execute();
            case OP_QUERY:
                return p.executeQuery();
            case OP_UPDATE:
                return p.executeLargeUpdate();
            case OP_BATCH:
                return p.executeBatch();
            case OP_LARGE_BATCH:
                return p.executeLargeBatch();
            case OP_META:
                return p.getMetaData();
            case OP_PARAMETER_META:
                return p.getParameterMetaData();
            default:
                throw new IllegalArgumentException("op " + op);
        }
    }

    // ------------------------------------------------------------------ metadata

    /**
     * The current result's metadata when there is one; otherwise pgjdbc describes the plain
     * statement, inside the pin when a tenant is pinned (describing the enveloped text would make
     * pgjdbc split its next execution: FACTS §7).
     */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        ResultSet current = isResultSetNow() ? delegate.getResultSet() : null;
        if (current != null) {
            return current.getMetaData();
        }
        return (ResultSetMetaData) around(OP_META);
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return (ParameterMetaData) around(OP_PARAMETER_META);
    }

    @Override
    public void close() throws SQLException {
        super.close();
        java.util.Arrays.fill(variants, null);
        java.util.Arrays.fill(variantKeys, null);
    }

    /** @return how many per-envelope physical statements are open (for tests) */
    int variantCount() {
        int n = 0;
        for (PreparedStatement v : variants) {
            if (v != null) {
                n++;
            }
        }
        return n;
    }

    // pgjdbc refuses the query-string methods on a prepared statement (42809): no pin is planned for them.

    @Override
    public boolean execute(String s) throws SQLException {
        return plain.execute(s);
    }

    @Override
    public ResultSet executeQuery(String s) throws SQLException {
        return wrapResultSet(plain.executeQuery(s));
    }

    @Override
    public int executeUpdate(String s) throws SQLException {
        return plain.executeUpdate(s);
    }

    @Override
    public long executeLargeUpdate(String s) throws SQLException {
        return plain.executeLargeUpdate(s);
    }

    @Override
    public boolean execute(String s, int keys) throws SQLException {
        return plain.execute(s, keys);
    }

    @Override
    public boolean execute(String s, String[] columns) throws SQLException {
        return plain.execute(s, columns);
    }

    @Override
    public int executeUpdate(String s, int keys) throws SQLException {
        return plain.executeUpdate(s, keys);
    }

    @Override
    public int executeUpdate(String s, String[] columns) throws SQLException {
        return plain.executeUpdate(s, columns);
    }

    @Override
    public long executeLargeUpdate(String s, int keys) throws SQLException {
        return plain.executeLargeUpdate(s, keys);
    }

    @Override
    public long executeLargeUpdate(String s, String[] columns) throws SQLException {
        return plain.executeLargeUpdate(s, columns);
    }

    @Override
    public void addBatch(String s) throws SQLException {
        plain.addBatch(s);
    }
}
