package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.sql.SqlInfo;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;

/**
 * A prepared statement of a {@link LogicalConnection}: the hand-written behaviour;
 * {@link WrappedPreparedStatement} (generated, final) delegates every other method and records the
 * parameters the application sets.
 *
 * <p>With nothing pinned it executes its physical statement ({@link #plain}) directly. With a
 * tenant pinned the text sent depends on the tenant ({@code BEGIN; SET LOCAL search_path TO "t";
 * <sql>; COMMIT}), so each distinct envelope gets its own physical statement, kept in a small
 * LRU cache of {@value EnvelopeCache#MAX} ({@link EnvelopeCache}); the parameters the application set are recorded
 * ({@link ParameterLog}) and replayed onto the physical statement that executes. The same replay
 * lets routing re-target a statement to another connection.
 *
 * <p>Batches run on {@link #plain} (pgjdbc's batch), except pinned autocommit batches, which are
 * sent as envelopes of one copy of the SQL per entry ({@link EnvelopeBatch}, which also records
 * each entry's parameters).
 */
abstract class LogicalPreparedStatement extends LogicalStatement implements PreparedStatement {

    final String sql;
    /** Every parameter set so far, replayed when the physical statement changes. */
    final ParameterLog parameters = new ParameterLog();
    private final String[] keyColumns; // null: no generated keys requested
    private final int resultSetType;
    private final int resultSetConcurrency;
    private final int resultSetHoldability;

    private final EnvelopeCache envelopes = new EnvelopeCache();
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

    /**
     * Executes once on the current physical connection: pgjdbc's {@code call} on the plain statement
     * when the unit of work pins nothing; otherwise the envelope the pin decides, and the
     * application's result read from it ({@code pinned}).
     */
    final <T> T once(UnitOfWork unit, SqlInfo info, PhysicalCall<T> call, PinnedResult<T> pinned) throws SQLException {
        Pinning pinning = connection.pins.pinning;
        Envelope e = pinning.plan(unit, this, info);
        if (e != null) {
            runPinned(e, info);
            return pinned.read(this);
        }
        T result = call.run(usePlain());
        pinning.afterDirect(unit, info);
        return result;
    }

    /** The user's result set of an envelope, unwrapped (as pgjdbc's {@code executeQuery} returns it on the direct path). */
    private static final PinnedResult<ResultSet> RESULT_SET = s -> s.results.singleResultSet(s.delegate);

    // The three executions, each one call of once() in its unit of work (CallableStatement has its own).
    private static final SqlCall<LogicalPreparedStatement, Boolean> EXECUTE =
            (p, sql, unit) -> p.once(unit, sql, PreparedStatement::execute, LogicalStatement::isResultSetNow);
    private static final SqlCall<LogicalPreparedStatement, ResultSet> QUERY =
            (p, sql, unit) -> p.wrapResultSet(p.once(unit, sql, PreparedStatement::executeQuery, RESULT_SET));
    private static final SqlCall<LogicalPreparedStatement, Long> LARGE_UPDATE =
            (p, sql, unit) -> p.once(unit, sql, PreparedStatement::executeLargeUpdate, LogicalStatement::updateCountOnly);

    @Override
    public boolean execute() throws SQLException {
        return connection.units.inUnit(this, sql, true, EXECUTE);
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return connection.units.inUnit(this, sql, true, QUERY);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return connection.units.inUnit(this, sql, true, LARGE_UPDATE);
    }

    /** Entries were added with addBatch() since the last executeBatch/clearBatch: the batch is routed already. */
    boolean batchOpen;

    @Override
    Statement newPhysical(java.sql.Connection physical) throws SQLException {
        if (batchOpen) {
            throw new SQLException("citus-jdbc: this PreparedStatement's batch was built on another node than the one"
                    + " this unit of work is routed to (the read-only flag, the tenant or the transaction changed"
                    + " between addBatch() and executeBatch()); build and execute a batch within one unit of work",
                    CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
        }
        if (keyColumns != null) {
            return keyColumns == STAR ? physical.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
                    : physical.prepareStatement(sql, keyColumns);
        }
        return prepareOn(physical, sql);
    }

    /** Prepares {@code text} on {@code physical} with this statement's result set type, concurrency and holdability. */
    private PreparedStatement prepareOn(java.sql.Connection physical, String text) throws SQLException {
        if (resultSetHoldability != 0) {
            return physical.prepareStatement(text, resultSetType, resultSetConcurrency, resultSetHoldability);
        }
        if (resultSetType != 0) {
            return physical.prepareStatement(text, resultSetType, resultSetConcurrency);
        }
        return physical.prepareStatement(text);
    }

    @Override
    void afterRetarget(Statement fresh) throws SQLException {
        envelopes.clear(); // closed with the old physicals
        envelopeBatches.forget();
        parameters.replay((PreparedStatement) fresh);
    }

    /**
     * @return the plain physical statement, now the one executing. The result navigator needs no reset
     *         when it was already: only envelopes run on other physical statements (variants, envelope
     *         batches) start it, and switching resets it.
     */
    private PreparedStatement usePlain() throws SQLException {
        if (delegate != plain) {
            switchTo((PreparedStatement) plain);
        }
        return (PreparedStatement) plain;
    }

    /** Makes {@code target} the executing physical statement: the parameters replayed onto it, the results navigated anew. */
    final void switchTo(PreparedStatement target) throws SQLException {
        target.clearParameters();
        parameters.replay(target);
        delegate = target;
        results.reset();
        replayed(target);
    }

    /** Hook: the recorded parameters were replayed onto {@code target} (CallableStatement re-registers OUT parameters). */
    void replayed(PreparedStatement target) throws SQLException {
    }

    private void runPinned(Envelope e, SqlInfo info) throws SQLException {
        connection.pins.counted(e);
        String ret = returning(info);
        PreparedStatement target = variant(e, ret, info);
        results.reset();
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

    /** @return the RETURNING clause keyed envelopes carry, or null when no generated keys were asked for */
    final String returning(SqlInfo info) {
        if (!returningKnown) {
            returning = keyColumns == null ? null : ReturningClause.of(sql, info, keyColumns);
            returningKnown = true;
        }
        return returning;
    }

    /** The physical statement for envelope {@code e}, from the cache or newly prepared. */
    final PreparedStatement variant(Envelope e, String ret, SqlInfo info) throws SQLException {
        PreparedStatement cached = envelopes.get(e.key);
        if (cached != null) {
            return cached;
        }
        PreparedStatement evicted = envelopes.evictee();
        if (evicted != null) {
            variants.remove(evicted);
            if (delegate == evicted) {
                direct();
            }
            evicted.close();
        }
        String text = e.wrap(envelopeBody(), ret, ret == null ? -1 : info.statements().get(0).end());
        PreparedStatement ps = prepare(text, ret != null);
        copySettings(plain, ps);
        envelopes.put(e.key, ps);
        variants.add(ps);
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
        return prepareOn(connection.delegate, text);
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
            UnitOfWork unit = connection.pins.begin();
            if (!r.enterUnrouted(unit, this)) {
                r.enter(unit, this, info(sql)); // the batch's unit of work is routed when it is built
            }
            batchOpen = true;
        }
        usePlain().addBatch(); // batches run on the plain statement unless an envelope takes them
        // unpinned batches record nothing beyond pgjdbc's own copy
        envelopeBatches.added(connection.pins.mayPin() ? parameters.copy() : null);
    }

    @Override
    public void clearBatch() throws SQLException {
        batchOpen = false;
        envelopeBatches.clearEntries();
        super.clearBatch();
    }

    /**
     * Runs the batch. Unpinned, or pinned already earlier in the transaction, it is pgjdbc's batch
     * on the plain statement. When the pin must go with it (autocommit, or the first statement of
     * an explicit transaction) it is sent as envelopes ({@link #envelopeBatch}): one round trip for
     * up to 252 entries, never more than one round trip over pgjdbc's own batch. Never run twice.
     */
    @Override
    public int[] executeBatch() throws SQLException {
        return connection.units.inUnit(this, sql, false,
                (p, q, u) -> p.batch(PreparedStatement::executeBatch, LogicalPreparedStatement::ints));
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return connection.units.inUnit(this, sql, false, (p, q, u) -> p.batch(PreparedStatement::executeLargeBatch, c -> c));
    }

    private static int[] ints(long[] counts) {
        int[] small = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            small[i] = (int) counts[i];
        }
        return small;
    }

    /**
     * One batch execution: as envelopes when the pin goes with it and the entries allow it, else
     * pgjdbc's own batch with the pin sent around it. The batch is closed either way.
     *
     * @param pgjdbcBatch pgjdbc's {@code executeBatch} or {@code executeLargeBatch}
     * @param fromCounts  the same result from the envelopes' update counts
     */
    private <T> T batch(PhysicalCall<T> pgjdbcBatch, java.util.function.Function<long[], T> fromCounts)
            throws SQLException {
        try {
            results.reset();
            delegate = plain;
            ArrayList<ParameterLog> recorded = envelopeBatches.takeEntries();
            Envelope e = connection.pins.planAround(this);
            if (e != null && envelopable(recorded)) {
                return fromCounts.apply(envelopeBatches.runAsEnvelopes(e, recorded));
            }
            return around(pgjdbcBatch, e);
        } finally {
            batchOpen = false;
        }
    }

    // ------------------------------------------------------------------ pinned batches (EnvelopeBatch)

    /** The physical statements of the last envelope batch, open while its keys are readable. */
    private final EnvelopeBatch envelopeBatches = new EnvelopeBatch(this);

    /** @return whether the pending batch can run as envelopes: one pgjdbc statement, every parameter set */
    private boolean envelopable(ArrayList<ParameterLog> list) {
        return list != null && !list.isEmpty() && batchesAsEnvelopes() && EnvelopeBatch.fits(info(sql), list);
    }

    /** @return whether pinned autocommit batches may be sent as envelopes of the SQL text (not a JDBC call escape) */
    boolean batchesAsEnvelopes() {
        return true;
    }

    /** A physical statement for an envelope text, with the plain statement's settings, closed with this one. */
    PreparedStatement envelopeStatement(String text, boolean keyed) throws SQLException {
        PreparedStatement ps = prepare(text, keyed);
        try {
            copySettings(plain, ps);
        } catch (SQLException ex) {
            ps.close();
            throw ex;
        }
        variants.add(ps);
        return ps;
    }

    @Override
    boolean aroundWrappable() {
        return info(sql).isSafeToWrap();
    }

    @Override
    boolean aroundTerminated() {
        return info(sql).isTerminated();
    }

    /**
     * Runs one call on the plain statement with the pin sent separately (before, and
     * {@code COMMIT} after in autocommit); directly when nothing is pinned.
     */
    final <T> T around(PhysicalCall<T> call) throws SQLException {
        return around(call, connection.pins.planAround(this));
    }

    /** As {@link #around(PhysicalCall)} with the pin already planned ({@link TenantPins#planAround}). */
    final <T> T around(PhysicalCall<T> call, Envelope e) throws SQLException {
        PreparedStatement p = (PreparedStatement) plain;
        if (delegate != plain) {
            usePlain();
        }
        results.reset();
        if (e == null) {
            T r = call.run(p);
            connection.pins.afterDirect(info(sql));
            return r;
        }
        try {
            connection.pins.before(e);
            T r = call.run(p);
            connection.pins.after(e);
            return r;
        } catch (SQLException ex) {
            connection.pins.failed(e, ex);
            throw ex;
        }
    }

    // ------------------------------------------------------------------ metadata

    /**
     * The current result's metadata when there is one; otherwise pgjdbc describes the plain
     * statement, inside the pin when a tenant is pinned (describing the enveloped text would make
     * pgjdbc split its next execution: docs/facts.md, pgjdbc's Sync split).
     */
    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        ResultSet current = isResultSetNow() ? delegate.getResultSet() : null;
        if (current != null) {
            return current.getMetaData();
        }
        connection.pins.begin(); // not an execution: its unit of work (and pin) is decided here
        return around(PreparedStatement::getMetaData);
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        connection.pins.begin();
        return around(PreparedStatement::getParameterMetaData);
    }

    @Override
    public void close() throws SQLException {
        envelopeBatches.clearEntries();
        envelopeBatches.forget(); // closed with the other physicals
        super.close();
        envelopes.clear();
    }

    /** @return how many per-envelope physical statements are open (for tests) */
    int variantCount() {
        return envelopes.size();
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
