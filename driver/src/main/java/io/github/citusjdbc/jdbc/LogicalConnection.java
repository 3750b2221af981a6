package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.sockets.BoundedValidation;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.core.BaseConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection handed to the application. It owns the current physical pgjdbc connection
 * ({@link #delegate}), the statements created on it, the tenant pin ({@link #pins}) and, on a
 * Citus cluster with something to route, the routing session ({@link #routing}).
 *
 * <p>Every statement execution, batch and COPY runs through {@link UnitRunner#inUnit}: the unit of work is
 * decided once ({@link TenantPins#begin}), routing moves the connection to the unit's node when
 * it must, and the call runs. The methods of {@link Connection} that change session or
 * transaction state ({@code setAutoCommit}, {@code commit}, {@code rollback}, {@code setSchema},
 * {@code setReadOnly}, {@code setTransactionIsolation}, savepoints) tell the pin and routing;
 * everything else is delegated by the generated final {@link WrappedConnection}.
 *
 * <p>Not thread-safe, like pgjdbc's connection, except {@link #abort}, {@link #isClosed} and
 * {@link #isCitus}.
 */
abstract class LogicalConnection implements CitusConnection {

    private static final Logger LOG = LoggerFactory.getLogger(LogicalConnection.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** The current physical connection; routing may swap it between transactions. */
    Connection delegate;
    private final DriverConfig config;
    private final boolean citus;
    private final long id = IDS.incrementAndGet();
    final OpenStatements statements = new OpenStatements(); // closed with the connection
    private LogicalDatabaseMetaData metaData;
    private volatile boolean closed;
    /** The tenant pin (and per-transaction isolation behind a transaction pooler). */
    final TenantPins pins;
    /** pgjdbc's interface of {@link #delegate}: its transaction state and the server's reported settings, read without a query. */
    BaseConnection pgjdbc;
    /** Session state re-applied to every physical connection routing switches to. */
    final SessionState state = new SessionState();
    /** The classifications of the SQL texts run lately, shared by the connection's statements. */
    final SqlInfoCache sqlInfos = new SqlInfoCache();
    /** The cluster's counters, shared by its connections; null when not connected to Citus. */
    final ClusterMetrics metrics;
    /** The one execution path of statements, batches and COPY. */
    final UnitRunner units;
    /** The routing of units of work; null when nothing is routed (plain PostgreSQL, or nothing to route). */
    RouteSession routing;
    private Statement internal; // for the driver's own commands: ROLLBACK, pins sent separately

    /** @return the configuration this connection was opened with */
    DriverConfig config() {
        return config;
    }

    LogicalConnection(Connection physical, DriverConfig config, boolean citus) {
        this.delegate = physical;
        this.config = config;
        this.citus = citus;
        this.metrics = citus ? ClusterMetrics.of(config.cluster()) : null;
        if (metrics != null && config.metricsTenants() > 0) {
            metrics.countTenants(config.metricsTenants()); // synchronized: only for connections that ask
        }
        this.pgjdbc = LogicalConnections.pgjdbcOf(physical);
        this.pins = new TenantPins(this, config.tenants(), config.pooler(), metrics, config.metricsTenants() > 0);
        this.units = new UnitRunner(this);
        state.readOnly = config.readOnly() != null && config.readOnly();
        state.networkTimeoutMillis = io.github.citusjdbc.sockets.BoundedLogin.socketTimeoutMillis(config.pgjdbcProperties().getProperty("socketTimeout"));
    }

    /** Routing moves the connection onto another physical connection (never inside a transaction). */
    void switchTo(Connection physical) {
        delegate = physical;
        pgjdbc = LogicalConnections.pgjdbcOf(physical);
        internal = null; // lives on the previous physical connection, closed with it
        pins.switchedPhysical();
    }

    /** @return a statement on the physical connection for the driver's own commands */
    Statement internal() throws SQLException {
        Statement s = internal;
        if (s == null || s.isClosed()) {
            s = delegate.createStatement();
            internal = s;
        }
        return s;
    }

    @Override
    public boolean isCitus() {
        return citus;
    }

    @Override
    public io.github.citusjdbc.ServedBy lastServedBy() {
        return RouteReport.lastServedBy(this);
    }

    @Override
    public io.github.citusjdbc.ServedBy explain(String tenant, boolean readOnly) throws SQLException {
        checkOpen();
        if (tenant != null) {
            io.github.citusjdbc.tenant.TenantName.validate(tenant);
        }
        return RouteReport.explain(this, tenant, readOnly);
    }

    @Override
    public void refreshTopology() throws SQLException {
        checkOpen();
        RouteSession r = routing;
        if (r != null) {
            r.refreshTopology();
        }
    }

    @Override
    public String readYourWritesToken() throws SQLException {
        checkOpen();
        RouteSession r = routing;
        if (r == null || r.ownWrites == null) {
            throw new SQLException("citus-jdbc: read-your-writes tokens need readYourWrites=tenant (and a connection"
                    + " that routes: Citus, readRouting=secondary)", io.github.citusjdbc.CitusSqlState.FEATURE_NOT_SUPPORTED.getState());
        }
        return r.ownWrites.token();
    }

    @Override
    public io.github.citusjdbc.CitusMetrics metrics() throws SQLException {
        checkOpen();
        return metrics;
    }

    @Override
    public long topologyVersion() {
        RouteSession r = routing;
        return r == null ? 0 : r.topologyVersion();
    }

    private <S extends LogicalStatement> S track(S statement) {
        return statements.add(statement);
    }

    void untrack(LogicalStatement statement) {
        statements.remove(statement);
    }

    @Override
    public Statement createStatement() throws SQLException {
        return track(new WrappedStatement(this, delegate.createStatement()));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return track(new WrappedStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency)));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return track(new WrappedStatement(this,
                delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability)));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return track(new WrappedPreparedStatement(this, delegate.prepareStatement(sql), sql, null, 0, 0, 0));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return track(new WrappedPreparedStatement(this, delegate.prepareStatement(sql, autoGeneratedKeys), sql,
                autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS ? LogicalStatement.STAR : null, 0, 0, 0));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        // pgjdbc refuses keys by index unless the array is empty.
        return track(new WrappedPreparedStatement(this, delegate.prepareStatement(sql, columnIndexes), sql, null, 0, 0, 0));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return track(new WrappedPreparedStatement(this, delegate.prepareStatement(sql, columnNames), sql,
                columnNames == null || columnNames.length == 0 ? null : columnNames.clone(), 0, 0, 0));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return track(new WrappedPreparedStatement(this,
                delegate.prepareStatement(sql, resultSetType, resultSetConcurrency), sql, null, resultSetType,
                resultSetConcurrency, 0));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
                                              int resultSetHoldability) throws SQLException {
        return track(new WrappedPreparedStatement(this,
                delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql, null,
                resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return track(new WrappedCallableStatement(this, delegate.prepareCall(sql), sql, 0, 0, 0));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return track(new WrappedCallableStatement(this, delegate.prepareCall(sql, resultSetType, resultSetConcurrency),
                sql, resultSetType, resultSetConcurrency, 0));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
                                         int resultSetHoldability) throws SQLException {
        return track(new WrappedCallableStatement(this,
                delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql,
                resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    // ------------------------------------------------------------------ tenant and transaction state

    /**
     * Pins {@code schema} as this connection's tenant, or unpins with null. Validated here, before
     * anything is sent (SQLState 42602); nothing is sent now. Applies from the next transaction,
     * or from the next statement of the open one. A tenant bound with
     * {@code CitusTenants.bind} (or answered by the configured resolver) wins over it.
     */
    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        pins.setSchema(schema);
    }

    /** @return the pinned tenant without a round trip; pgjdbc's answer when none is pinned */
    @Override
    public String getSchema() throws SQLException {
        checkOpen();
        String tenant = pins.currentTenant();
        if (tenant != null) {
            return tenant;
        }
        pins.beforeInternalQuery(); // pgjdbc's query may open the transaction
        return delegate.getSchema();
    }

    /**
     * A pool returning the connection: a transaction opened with SQL text ({@code BEGIN}) and left
     * open with autocommit on is rolled back, so that it never reaches the next borrower.
     */
    @Override
    public void endRequest() throws SQLException {
        checkOpen();
        if (pins.endRequest() && routing != null) {
            routing.transactionEnded();
        }
        delegate.endRequest();
    }

    @Override
    public void commit() throws SQLException {
        try {
            delegate.commit();
        } catch (SQLException e) {
            if (routing != null) {
                routing.commitFailed(); // the outcome is unknown: count the writes as committed
            }
            throw e;
        }
        pins.onTransactionEnd();
        if (routing != null) {
            routing.committed();
        }
    }

    @Override
    public void rollback() throws SQLException {
        try {
            delegate.rollback();
        } finally {
            pins.onRollback();
            if (routing != null) {
                routing.rolledBack();
            }
        }
    }

    @Override
    public void rollback(java.sql.Savepoint savepoint) throws SQLException {
        delegate.rollback(savepoint);
        pins.onRollbackToSavepoint();
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        delegate.setAutoCommit(autoCommit);
        pins.onTransactionEnd();
        if (state.autoCommit != autoCommit) {
            state.autoCommit = autoCommit;
            sessionChanged();
            if (routing != null && autoCommit) {
                routing.committed(); // switching autocommit on commits
            }
        }
    }

    /**
     * As pgjdbc's (which refuses a change inside a transaction); with routing, read-only units of work
     * go to secondaries from the next unit on.
     */
    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        delegate.setReadOnly(readOnly);
        if (state.readOnly != readOnly) {
            state.readOnly = readOnly;
            sessionChanged();
        }
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        delegate.setNetworkTimeout(executor, milliseconds);
        state.networkTimeoutMillis = milliseconds;
        sessionChanged();
    }

    @Override
    public void setClientInfo(String name, String value) throws java.sql.SQLClientInfoException {
        delegate.setClientInfo(name, value);
        state.clientInfo(name, value);
        sessionChanged();
    }

    @Override
    public void setClientInfo(java.util.Properties properties) throws java.sql.SQLClientInfoException {
        delegate.setClientInfo(properties);
        state.clientInfo(properties);
        sessionChanged();
    }

    /** Routes and pins before the savepoint when it opens the transaction ({@link UnitRunner#beforeSavepoint}). */
    @Override
    public java.sql.Savepoint setSavepoint() throws SQLException {
        units.beforeSavepoint();
        return delegate.setSavepoint();
    }

    @Override
    public java.sql.Savepoint setSavepoint(String name) throws SQLException {
        units.beforeSavepoint();
        return delegate.setSavepoint(name);
    }

    /**
     * Behind a transaction pooler, kept by the driver and applied to each transaction (pgjdbc's
     * {@code SET SESSION CHARACTERISTICS} would leak to other clients); otherwise pgjdbc's.
     */
    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        if (pins.ownsIsolation()) {
            pins.setIsolation(level);
        } else {
            delegate.setTransactionIsolation(level);
            state.isolation = level;
            sessionChanged();
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        int level = pins.isolation();
        return level >= 0 ? level : delegate.getTransactionIsolation();
    }

    /** The session state changed: routing re-applies it to the physical connections it switches to. */
    private void sessionChanged() {
        state.changed();
        if (routing != null) {
            routing.stateApplied();
        }
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw ClosedConnection.closed();
        }
    }

    // ------------------------------------------------------------------ pinned COPY (PinnedCopy)

    @Override
    public long copyIn(String sql, java.io.Reader from) throws SQLException, java.io.IOException {
        checkOpen();
        return PinnedCopy.run(this, sql, from, null, null, null);
    }

    @Override
    public long copyIn(String sql, java.io.InputStream from) throws SQLException, java.io.IOException {
        checkOpen();
        return PinnedCopy.run(this, sql, null, from, null, null);
    }

    @Override
    public long copyOut(String sql, java.io.Writer to) throws SQLException, java.io.IOException {
        checkOpen();
        return PinnedCopy.run(this, sql, null, null, to, null);
    }

    @Override
    public long copyOut(String sql, java.io.OutputStream to) throws SQLException, java.io.IOException {
        checkOpen();
        return PinnedCopy.run(this, sql, null, null, null, to);
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        DatabaseMetaData physical = delegate.getMetaData();
        LogicalDatabaseMetaData current = metaData;
        if (current == null || current.delegate != physical) {
            current = new WrappedDatabaseMetaData(this, physical); // pgjdbc caches it: keep identity stable
            metaData = current;
        }
        return current;
    }

    /** @return true once closed, or when the URL's physical connection (the coordinator's) is closed or broken */
    @Override
    public boolean isClosed() throws SQLException {
        return closed || (routing != null ? routing.url.connection : delegate).isClosed();
    }

    /**
     * Validates the URL's physical connection (the coordinator primary's, which read-write work and
     * DDL need); connections to routed nodes are validated by the driver itself before reuse after
     * {@code nodeIdleValidation} idle, and replaced when broken. Bounded without a socket timeout
     * ({@link BoundedValidation}): pgjdbc's own {@code isValid(n)} would leave the socket non-blocking,
     * which costs every later read, and a pool validates its idle connections this way.
     */
    @Override
    public boolean isValid(int timeout) throws SQLException {
        return !closed && BoundedValidation.isValid(routing != null ? routing.url.connection : delegate, timeout);
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        Connection physical = routing != null ? routing.url.connection : delegate;
        statements.closeAll(this);
        delegate = ClosedConnection.INSTANCE;
        metaData = null;
        internal = null; // closed with the physical connection
        LOG.debug("{} closed", this);
        if (routing != null) {
            routing.close(); // the routed physical connections and the topology lease
        }
        physical.close();
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (closed) {
            return; // JDBC: abort on a closed connection is a no-op
        }
        if (routing != null) {
            routing.abort(executor);
            routing.url.connection.abort(executor);
        } else {
            delegate.abort(executor);
        }
        closed = true;
        delegate = ClosedConnection.INSTANCE;
        metaData = null;
        internal = null;
        statements.forgetAll(); // unusable once the socket is gone
        LOG.debug("{} aborted", this);
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

    @Override
    public String toString() {
        return "CitusConnection#" + id + "[hosts=" + config.hosts() + ", database=" + config.database()
                + ", user=" + config.user() + ", citus=" + citus + (closed ? ", closed" : "") + "]";
    }
}
