package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGStatement;

/**
 * A statement of a {@link LogicalConnection}: the hand-written behaviour; {@link WrappedStatement}
 * (generated, final) delegates every other {@link Statement} method to the physical statement. Its
 * result sets report it as their statement, and it reports the logical connection as its connection.
 *
 * <p>Every execution is one call of {@link UnitRunner#inUnit} (the unit of work, routing)
 * running {@link #once}: with nothing pinned the SQL goes straight to pgjdbc; with a tenant pinned
 * it goes inside the {@link Envelope} its connection's {@link Pinning} plans from the unit, and the
 * {@link ResultNavigator} hides the envelope's own results, so that {@code execute},
 * {@code getMoreResults}, {@code getUpdateCount}, {@code getResultSet}, the {@code executeQuery} /
 * {@code executeUpdate} checks and generated keys behave as pgjdbc's do for the user SQL alone.
 */
abstract class LogicalStatement implements Statement {

    final LogicalConnection connection;
    /** The physical statement the last execution ran on (results are read from it); re-targeting may swap it. */
    Statement delegate;
    /** The physical statement created with this one; {@link #delegate} is the one last executed. */
    Statement plain;
    // The wrapper of the delegate's current result set, so that getResultSet() keeps its identity.
    private LogicalResultSet currentResultSet;
    private boolean closed;

    /** The physical statements besides {@link #plain}, which get every setting. */
    final StatementVariants variants = new StatementVariants();
    /** What the application sees of the last execution's results. */
    final ResultNavigator results = new ResultNavigator();

    private Statement keyStatement; // scrollable, for keyed envelopes of plain statements
    private final TextBatch batch = new TextBatch(); // Statement.addBatch, kept here so that the pin can join it

    // One-entry classification cache: statements are usually re-executed with the same text.
    private String classifiedSql;
    private boolean classifiedStd;
    private SqlInfo classified;

    LogicalStatement(LogicalConnection connection, Statement delegate) {
        this.delegate = delegate;
        this.connection = connection;
        this.plain = delegate;
        this.home = connection.delegate;
    }

    /** @return the classification of {@code sql} as the server reads it now, cached for the last text */
    SqlInfo info(String sql) {
        boolean std = connection.pgjdbc.getStandardConformingStrings();
        if (classified == null || std != classifiedStd || !sql.equals(classifiedSql)) {
            classified = connection.sqlInfos.classify(sql, std);
            classifiedSql = sql;
            classifiedStd = std;
        }
        return classified;
    }

    /** Wraps a result set of the delegate so that its identity leads back to this statement; a wrapped one is returned as it is. */
    final ResultSet wrapResultSet(ResultSet resultSet) {
        if (resultSet == null || resultSet instanceof LogicalResultSet) {
            return resultSet;
        }
        LogicalResultSet current = currentResultSet;
        if (current != null && current.delegate == resultSet) {
            return current;
        }
        current = new LogicalResultSet(this, resultSet);
        currentResultSet = current;
        return current;
    }

    // ------------------------------------------------------------------ execution: each call one unit of work (or part of one)

    /** pgjdbc's calls for SQL executed as it is, on the plain statement. */
    private static final SqlCall<LogicalStatement, Boolean> EXECUTE = (s, sql, unit) -> s.direct().execute(sql.sql());
    private static final SqlCall<LogicalStatement, ResultSet> QUERY =
            (s, sql, unit) -> s.wrapResultSet(s.direct().executeQuery(sql.sql()));
    private static final SqlCall<LogicalStatement, Integer> UPDATE = (s, sql, unit) -> s.direct().executeUpdate(sql.sql());
    private static final SqlCall<LogicalStatement, Long> LARGE_UPDATE =
            (s, sql, unit) -> s.direct().executeLargeUpdate(sql.sql());

    /** How the application's result is read once an envelope ran (its own results skipped). */
    @FunctionalInterface
    interface PinnedResult<T> {
        T read(LogicalStatement statement) throws SQLException;
    }

    /**
     * Executes {@code sql} once on the current physical connection: as it is ({@code direct}) when its
     * unit of work pins nothing, otherwise in the envelope the pin decides, and the application's result
     * read from it ({@code pinned}).
     *
     * @param keys the generated-key columns asked for ({@link #STAR}: all), or null for none
     */
    private <T> T once(UnitOfWork unit, SqlInfo sql, String[] keys, SqlCall<LogicalStatement, T> direct,
                       PinnedResult<T> pinned) throws SQLException {
        Pinning pinning = connection.pins.pinning;
        Envelope e = pinning.plan(unit, this, sql);
        if (e == null) {
            T result = direct.run(this, sql, unit);
            pinning.afterDirect(unit, sql);
            return result;
        }
        String returning = keys == null ? null : ReturningClause.of(sql.sql(), sql, keys);
        runPinned(e, sql, returning, returning == null ? -1 : sql.statements().get(0).end());
        return pinned.read(this);
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, null, EXECUTE, LogicalStatement::isResultSetNow));
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, null, QUERY, LogicalStatement::singleResultSet));
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, null, UPDATE, t -> (int) t.updateCountOnly()));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return connection.units.inUnit(this, sql, true,
                (s, q, u) -> s.once(u, q, null, LARGE_UPDATE, LogicalStatement::updateCountOnly));
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        if (autoGeneratedKeys != Statement.RETURN_GENERATED_KEYS) {
            return execute(sql);
        }
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, STAR,
                (t, x, v) -> t.direct().execute(x.sql(), autoGeneratedKeys), LogicalStatement::isResultSetNow));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        if (columnNames != null && columnNames.length == 0) {
            return execute(sql);
        }
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, columnNames == null ? STAR : columnNames,
                (t, x, v) -> t.direct().execute(x.sql(), columnNames), LogicalStatement::isResultSetNow));
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        if (columnIndexes != null && columnIndexes.length == 0) {
            return execute(sql);
        }
        return direct().execute(sql, columnIndexes); // pgjdbc refuses keys by index (0A000) before sending
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return (int) executeLargeUpdate(sql, autoGeneratedKeys);
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        if (autoGeneratedKeys != Statement.RETURN_GENERATED_KEYS) {
            return executeLargeUpdate(sql);
        }
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, STAR,
                (t, x, v) -> t.direct().executeLargeUpdate(x.sql(), autoGeneratedKeys), LogicalStatement::updateCountOnly));
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return (int) executeLargeUpdate(sql, columnNames);
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        if (columnNames != null && columnNames.length == 0) {
            return executeLargeUpdate(sql);
        }
        return connection.units.inUnit(this, sql, true, (s, q, u) -> s.once(u, q, columnNames == null ? STAR : columnNames,
                (t, x, v) -> t.direct().executeLargeUpdate(x.sql(), columnNames), LogicalStatement::updateCountOnly));
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return (int) executeLargeUpdate(sql, columnIndexes);
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        if (columnIndexes != null && columnIndexes.length == 0) {
            return executeLargeUpdate(sql);
        }
        return direct().executeLargeUpdate(sql, columnIndexes); // pgjdbc refuses keys by index (0A000)
    }

    /** The physical connection {@link #plain} was created on. */
    java.sql.Connection home;

    /**
     * Moves this statement onto the connection's current physical connection when it lives on
     * another one: a new physical statement with the same settings (and, for prepared statements,
     * the recorded parameters); the old ones are closed (their node may be gone).
     */
    final void retargetIfNeeded() throws SQLException {
        java.sql.Connection target = connection.delegate;
        if (home == target) {
            return;
        }
        Statement fresh = newPhysical(target);
        copySettings(plain, fresh);
        try {
            closePhysicals();
        } catch (SQLException ignored) {
            // the old node may be gone: its statements die with it
        }
        plain = fresh;
        delegate = fresh;
        home = target;
        keyStatement = null;
        currentResultSet = null;
        results.reset();
        afterRetarget(fresh);
    }

    /** Creates the physical statement of this kind on {@code physical}. */
    Statement newPhysical(java.sql.Connection physical) throws SQLException {
        int type = ResultSet.TYPE_FORWARD_ONLY;
        int concurrency = ResultSet.CONCUR_READ_ONLY;
        int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
        try {
            type = plain.getResultSetType();
            concurrency = plain.getResultSetConcurrency();
            holdability = plain.getResultSetHoldability();
        } catch (SQLException ignored) {
            // a closed old statement: defaults
        }
        return physical.createStatement(type, concurrency, holdability);
    }

    /** Hook for prepared statements: replay parameters onto the new physical statement. */
    void afterRetarget(Statement fresh) throws SQLException {
    }

    static final String[] STAR = {"*"};

    /** @return the plain physical statement, to send unpinned SQL (or a batch) on and read the results from */
    final Statement direct() {
        results.reset();
        delegate = plain;
        return plain;
    }

    private void runPinned(Envelope e, SqlInfo sql, String returning, int at) throws SQLException {
        connection.pins.counted(e);
        Statement target = returning == null ? plain : keyStatement();
        results.reset();
        delegate = target;
        try {
            target.execute(e.wrap(sql.sql(), returning, at));
        } catch (SQLException ex) {
            connection.pins.failed(e, ex);
            throw ex;
        }
        startNavigation(e, sql.pgjdbcQueryCount(), returning != null);
    }

    private Statement keyStatement() throws SQLException {
        Statement s = keyStatement;
        if (s == null) {
            // Scrollable, so that the update count can be read from the RETURNING rows.
            s = connection.delegate.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
            copySettings(plain, s);
            keyStatement = s;
            variants.add(s);
        }
        return s;
    }

    // ------------------------------------------------------------------ result navigation (ResultNavigator)

    /** After the string carrying {@code e} ran: the pin holds; the envelope's own results are skipped. */
    final void startNavigation(Envelope e, int userCount, boolean keyed) throws SQLException {
        connection.pins.pinned(e); // the string ran: a session SET it carried holds
        results.start(delegate, e.skip, userCount, keyed);
    }

    final void batchDone(ResultSet batchKeys) {
        results.batchDone(batchKeys);
    }

    final void consumeResults() {
        results.consume();
    }

    final boolean isResultSetNow() throws SQLException {
        return results.isResultSetNow(delegate);
    }

    final ResultSet singleResultSet() throws SQLException {
        return wrapResultSet(results.singleResultSet(delegate));
    }

    final long updateCountOnly() throws SQLException {
        return results.updateCountOnly(delegate);
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return results.getMoreResults(delegate, Statement.CLOSE_CURRENT_RESULT);
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        return results.getMoreResults(delegate, current);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return wrapResultSet(results.getResultSet(delegate));
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return (int) results.getLargeUpdateCount(delegate);
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        return results.getLargeUpdateCount(delegate);
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return wrapResultSet(results.generatedKeys(delegate));
    }

    // ------------------------------------------------------------------ batches (TextBatch)

    @Override
    public void addBatch(String sql) throws SQLException {
        plain.getConnection(); // pgjdbc's closed check
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        plain.clearBatch();
        batch.clear();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] counts = executeLargeBatch();
        int[] result = new int[counts.length];
        for (int i = 0; i < counts.length; i++) {
            result[i] = (int) counts[i];
        }
        return result;
    }

    /** The batch's first entry decides its route (a batch is one unit in autocommit); never run twice. */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        return connection.units.inUnit(this, batch.first(), false, (s, q, u) -> s.batch.run(s));
    }

    /** @return whether the pending "around" operation can carry a session pin in its own string (a batch of SQL texts) */
    boolean carriesPin() throws SQLException {
        return batch.planning();
    }

    /** pgjdbc's switch for tests that makes even one-shot statements binary, and so described first. */
    private static final boolean PGJDBC_FORCE_BINARY = Boolean.getBoolean("org.postgresql.forceBinary");

    /**
     * Whether pgjdbc sends this statement's next execution, however many queries its string holds,
     * with a single Sync. pgjdbc syncs in the middle of a string only before a query it described
     * first, and describes first only statements it prepares on the server: never with
     * {@code prepareThreshold=0} on the connection (the variants of a prepared statement are made
     * there) and on the plain statement.
     */
    boolean sendsOneSync() throws SQLException {
        return !PGJDBC_FORCE_BINARY && connection.pgjdbc.getPrepareThreshold() == 0
                && plain instanceof PGStatement p && p.getPrepareThreshold() == 0;
    }

    /** @return whether the pending "around" operation may run inside the driver's transaction */
    boolean aroundWrappable() {
        return batch.planningLexed(connection.pgjdbc.getStandardConformingStrings(), true);
    }

    /** @return whether the SQL of the pending "around" operation ends outside any string, identifier or comment */
    boolean aroundTerminated() {
        return batch.planningLexed(connection.pgjdbc.getStandardConformingStrings(), false);
    }

    // ------------------------------------------------------------------ settings, mirrored to every variant

    /** Copies the settings of {@code from} to a new physical statement. */
    final void copySettings(Statement from, Statement to) throws SQLException {
        variants.copySettings(from, to);
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        variants.set(plain, v -> v.setMaxRows(max));
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        variants.set(plain, v -> v.setLargeMaxRows(max));
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        variants.set(plain, v -> v.setFetchSize(rows));
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        variants.set(plain, v -> v.setFetchDirection(direction));
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        variants.set(plain, v -> v.setQueryTimeout(seconds));
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        variants.set(plain, v -> v.setMaxFieldSize(max));
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        variants.set(plain, v -> v.setPoolable(poolable));
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        variants.set(plain, v -> v.setEscapeProcessing(enable));
        variants.escapeProcessing(enable);
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        variants.set(plain, Statement::closeOnCompletion);
    }

    @Override
    public void clearWarnings() throws SQLException {
        variants.set(plain, Statement::clearWarnings);
    }

    @Override
    public Connection getConnection() throws SQLException {
        plain.getConnection(); // keeps pgjdbc's closed-statement check
        return connection;
    }

    @Override
    public boolean isClosed() throws SQLException {
        return plain.isClosed();
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        currentResultSet = null;
        results.close();
        connection.untrack(this);
        closePhysicals();
    }

    /** Closes every physical statement; the first failure is thrown after all were tried. */
    void closePhysicals() throws SQLException {
        variants.closeAll(plain);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }

    /** The physical statement's text: pgjdbc shows the SQL (with bound values for prepared statements). */
    @Override
    public String toString() {
        return delegate.toString();
    }
}
