package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.BatchUpdateException;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import org.postgresql.PGStatement;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

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
 * <p>Batches run on {@link #plain} (pgjdbc's batch), except pinned autocommit batches, which are
 * sent as envelopes of one copy of the SQL per entry (see {@link #executeBatch()}).
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
            return around(PreparedStatement::execute);
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
            return wrapResultSet(around(PreparedStatement::executeQuery));
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
        return connection.inUnit(this, sql, true, (p, q) -> p.executeOnce());
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return connection.inUnit(this, sql, true, (p, q) -> p.executeQueryOnce());
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return connection.inUnit(this, sql, true, (p, q) -> p.executeLargeUpdateOnce());
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
        batchPhysicals.clear();
        parameters.replay((PreparedStatement) fresh);
    }

    long executeLargeUpdateOnce() throws SQLException {
        if (aroundOnly()) {
            return around(PreparedStatement::executeLargeUpdate);
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
            UnitOfWork unit = connection.pins.begin();
            try {
                if (!r.passThrough(unit, this)) {
                    r.enter(unit, this, sql); // the batch's unit of work is routed when it is built
                }
            } finally {
                connection.pins.end();
            }
            batchOpen = true;
        }
        usePlain().addBatch(); // batches run on the plain statement unless an envelope takes them
        batchSize++;
        if (connection.pins.mayPin()) { // unpinned batches record nothing beyond pgjdbc's own copy
            if (entries == null) {
                entries = new ArrayList<>();
            }
            entries.add(parameters.copy());
        }
    }

    @Override
    public void clearBatch() throws SQLException {
        batchOpen = false;
        entries = null;
        batchSize = 0;
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
        return connection.inUnit(this, sql, false,
                (p, q) -> p.batch(PreparedStatement::executeBatch, LogicalPreparedStatement::ints));
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return connection.inUnit(this, sql, false, (p, q) -> p.batch(PreparedStatement::executeLargeBatch, c -> c));
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
            resetNavigation();
            delegate = plain;
            // Entries added while nothing was pinned were not recorded: such a batch runs as pgjdbc's.
            ArrayList<ParameterLog> recorded = entries != null && entries.size() == batchSize ? entries : null;
            entries = null;
            batchSize = 0;
            Envelope e = connection.pins.planAround(this);
            if (e != null && envelopable(recorded)) {
                return fromCounts.apply(envelopeBatch(e, recorded));
            }
            return around(pgjdbcBatch, e);
        } finally {
            batchOpen = false;
        }
    }

    // ------------------------------------------------------------------ pinned autocommit batches

    /**
     * Entries per envelope at most: 40 of pgjdbc's 256-statement Sync groups minus the envelope's
     * own statements, so that a full envelope ends exactly at a group's end (no extra round trip).
     */
    static final int ENVELOPE_ENTRIES = 40 * 256 - 4;

    /** pgjdbc's limit of bind parameters per statement text (extended protocol). */
    private static final int MAX_PARAMETERS = 65535;

    /** The parameters of every entry added since the last executeBatch/clearBatch, or null. */
    private ArrayList<ParameterLog> entries;
    /** Entries added since the last executeBatch/clearBatch (pgjdbc's batch size). */
    private int batchSize;
    /** The physical statements of the last envelope batch, open while its keys are readable. */
    private final ArrayList<PreparedStatement> batchPhysicals = new ArrayList<>(0);

    /** @return whether the pending batch can run as envelopes: one pgjdbc statement, every parameter set */
    private boolean envelopable(ArrayList<ParameterLog> list) {
        if (list == null || list.isEmpty() || !batchesAsEnvelopes()) {
            return false;
        }
        SqlInfo info = info(sql);
        if (info.pgjdbcQueryCount() != 1) {
            return false; // pgjdbc's own batch reports what is wrong with it
        }
        int k = info.parameterCount();
        for (ParameterLog entry : list) {
            if (!entry.covers(k)) {
                return false; // pgjdbc's own batch reports the missing parameter
            }
        }
        return true;
    }

    /** @return whether pinned autocommit batches may be sent as envelopes of the SQL text (not a JDBC call escape) */
    boolean batchesAsEnvelopes() {
        return true;
    }

    /**
     * Runs a batch with its pin as envelopes: in autocommit {@code BEGIN; SET LOCAL search_path TO
     * "t"; <sql>; <sql>; ...; COMMIT}, as an explicit transaction's first statement
     * {@code SET LOCAL search_path TO "t"; <sql>; ...} (pgjdbc sends its {@code BEGIN} in front; only
     * the first envelope carries the prefix), each copy of the SQL bound to one entry's parameters:
     * one round trip per envelope as long as pgjdbc sends it in one piece (below 256 statements;
     * beyond, pgjdbc syncs every 256 statements exactly as it does in its own batch, and the open
     * transaction keeps the pin). In autocommit each envelope is one transaction, so it commits all
     * its entries or none; pgjdbc's own autocommit batch commits at each of its Syncs.
     *
     * @return the update counts
     */
    private long[] envelopeBatch(Envelope e, ArrayList<ParameterLog> list) throws SQLException {
        SqlInfo info = info(sql);
        int k = info.parameterCount();
        String ret = returning(info);
        int at = ret == null ? -1 : info.statements().get(0).end();
        int n = list.size();
        int per = k == 0 ? ENVELOPE_ENTRIES : Math.min(ENVELOPE_ENTRIES, Math.max(1, MAX_PARAMETERS / k));
        if (per < n && per > 256) {
            per = (per + 4) / 256 * 256 - 4; // end full envelopes at pgjdbc's Sync group boundaries
        }
        long[] counts = new long[n];
        ArrayList<ResultSet> keyParts = ret == null ? null : new ArrayList<>();
        closeBatchPhysicals();
        PreparedStatement last = null;
        int done = 0;
        while (done < n) {
            int m = Math.min(per, n - done);
            boolean pin = done == 0 || e.commit; // in a transaction the first envelope pinned it for the rest
            PreparedStatement ps = batchPhysical(pin ? e.prefix : "", e.commit, m, ret, at);
            last = ps;
            try {
                for (int i = 0; i < m; i++) {
                    list.get(done + i).replay(ps, i * k);
                }
                ps.execute();
            } catch (SQLException ex) {
                connection.pins.failed(e, ex);
                // In an explicit transaction nothing is committed: every entry failed, as pgjdbc reports it.
                throw batchFailure(ex, counts, e.commit ? done : 0, done, done + m - 1);
            }
            for (int s = pin ? e.skip : 0; s > 0; s--) {
                ps.getMoreResults();
            }
            for (int i = 0; i < m; i++) {
                if (i > 0) {
                    ps.getMoreResults(ret == null ? Statement.CLOSE_CURRENT_RESULT : Statement.KEEP_CURRENT_RESULT);
                }
                ResultSet rs = ps.getResultSet();
                if (ret == null) {
                    if (rs != null) {
                        // pgjdbc's batch refuses rows where it expects none, after the server ran the batch.
                        throw batchFailure(new PSQLException("A result was returned when none was expected.",
                                PSQLState.TOO_MANY_RESULTS), counts, e.commit ? done + i : 0, done + i, done + i);
                    }
                    counts[done + i] = ps.getLargeUpdateCount();
                } else {
                    long rows = rs != null && rs.last() ? rs.getRow() : 0;
                    counts[done + i] = rows;
                    if (rows > 0) {
                        rs.beforeFirst();
                        keyParts.add(rs);
                    }
                }
            }
            done += m;
        }
        plain.clearBatch();
        delegate = last; // its warnings are the batch's
        batchDone(keyParts == null || keyParts.isEmpty() ? null : new BatchKeys(keyParts));
        return counts;
    }

    /** A physical statement for an envelope of {@code m} copies, prepared unnamed (never m server statements). */
    private PreparedStatement batchPhysical(String prefix, boolean commit, int m, String ret, int at)
            throws SQLException {
        int len = sql.length() + 2 + (ret == null ? 0 : ret.length());
        StringBuilder sb = new StringBuilder(prefix.length() + m * len + 8).append(prefix);
        for (int i = 0; i < m; i++) {
            if (ret == null) {
                sb.append(sql);
            } else {
                sb.append(sql, 0, at).append(ret).append(sql, at, sql.length());
            }
            sb.append("\n;"); // on a new line: the SQL may end in a -- comment
        }
        if (commit) {
            sb.append(" COMMIT");
        }
        PreparedStatement ps = prepare(sb.toString(), ret != null);
        try {
            copySettings(plain, ps);
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
        } catch (SQLException ex) {
            ps.close();
            throw ex;
        }
        batchPhysicals.add(ps);
        others.add(ps);
        return ps;
    }

    private void closeBatchPhysicals() throws SQLException {
        if (batchPhysicals.isEmpty()) {
            return;
        }
        if (batchPhysicals.contains(delegate)) {
            delegate = plain;
        }
        SQLException failure = null;
        for (PreparedStatement ps : batchPhysicals) {
            others.remove(ps);
            try {
                ps.close();
            } catch (SQLException ex) {
                failure = ex;
            }
        }
        batchPhysicals.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The batch failed in the envelope of entries {@code first..lastEntry}: as pgjdbc's batch,
     * entries committed before ({@code failedFrom}) keep their counts, the others are {@code EXECUTE_FAILED}, the
     * cause is also the next exception. The failing entry within a (rolled back) envelope is not
     * known, so the message names the envelope's range.
     */
    private BatchUpdateException batchFailure(SQLException cause, long[] counts, int failedFrom, int first,
                                              int lastEntry) {
        java.util.Arrays.fill(counts, failedFrom, counts.length, Statement.EXECUTE_FAILED);
        String which = first == lastEntry ? "Batch entry " + first : "Batch entries " + first + " to " + lastEntry
                + " (one transaction)";
        BatchUpdateException b = new BatchUpdateException(which + " <unknown> was aborted: " + cause.getMessage()
                + "  Call getNextException to see other errors in the batch.", cause.getSQLState(), 0,
                counts.clone(), cause);
        b.setNextException(cause);
        return b;
    }

    @Override
    boolean aroundWrappable() {
        return info(sql).isSafeToWrap();
    }

    @Override
    boolean aroundTerminated() {
        return info(sql).isTerminated();
    }

    /** @return whether every execution pins "around" (CallableStatement) instead of in the same string */
    boolean aroundOnly() {
        return false;
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
        resetNavigation();
        if (e == null) {
            T r = call.run(p);
            afterDirect(sql);
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
        return around(PreparedStatement::getMetaData);
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return around(PreparedStatement::getParameterMetaData);
    }

    @Override
    public void close() throws SQLException {
        entries = null;
        batchSize = 0;
        batchPhysicals.clear(); // closed with the other physicals
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
