package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.TenantActivity;
import io.github.citusjdbc.sql.SqlClassifier;
import io.github.citusjdbc.sql.SqlInfo;
import java.sql.SQLException;

/**
 * The one execution path: every statement execution, batch and COPY of a {@link LogicalConnection}
 * runs through {@link #inUnit}. The unit of work is decided once ({@link TenantPins#begin}); without
 * routing the call runs on the current physical connection (the call plans its tenant pin itself);
 * with routing ({@link RouteSession}) the unit's node is decided at its first statement and the
 * connection (and the statement) moved there, the outcome reported to the router, and a call that
 * failed before anything reached the application runs once more on the route the router chose.
 * Not thread-safe (one per logical connection).
 */
final class UnitRunner {

    /** What routes a savepoint that opens the transaction: a generic unit. */
    private static final SqlInfo SAVEPOINT = SqlClassifier.classify("SAVEPOINT", true);

    private final LogicalConnection connection;
    private final TenantPins pins;
    private final long failoverWaitNanos;

    UnitRunner(LogicalConnection connection) {
        this.connection = connection;
        this.pins = connection.pins;
        this.failoverWaitNanos = connection.config().failoverWaitNanos();
    }

    /**
     * Runs one intercepted call as (part of) a unit of work.
     *
     * @param statement the executing statement, or null (COPY)
     * @param sql       the SQL that decides the route (a batch: its first entry)
     * @param retryable whether the call may run a second time after a failure
     * @param call      the call
     * @return the call's result
     */
    <S extends LogicalStatement, T> T inUnit(S statement, String sql, boolean retryable, SqlCall<S, T> call)
            throws SQLException {
        // Classified once (cached per text): routing, the pin and the after-effects read the same answer.
        SqlInfo info = statement != null ? statement.info(sql)
                : connection.sqlInfos.classify(sql, connection.pgjdbc.getStandardConformingStrings());
        FailoverWait wait = null; // created at the first failure that may be waited out
        for (;;) {
            UnitOfWork unit = pins.begin();
            TenantActivity tenant = unit.activity(); // null unless metricsTenants
            long start = tenant == null ? 0 : System.nanoTime();
            try {
                RouteSession r = connection.routing;
                if (r == null || r.enterUnrouted(unit, statement)) {
                    T result = call.run(statement, info, unit);
                    if (r != null && r.effects.ran(unit, info)) {
                        r.refreshTopology(); // SQL that may change the topology was committed
                    }
                    return result;
                }
                return routed(r, unit, statement, info, retryable, call);
            } catch (SQLException e) {
                if (failoverWaitNanos == 0 || !retryable) {
                    throw e;
                }
                if (wait == null) {
                    wait = new FailoverWait(connection, failoverWaitNanos);
                }
                wait.pauseOrThrow(e); // then the unit runs again, decided anew
            } finally {
                if (tenant != null) {
                    tenant.statement(System.nanoTime() - start);
                }
            }
        }
    }

    /** The unit is routed ({@link RouteSession#enter}): on failure it may run once more on the route the router chose. */
    private <S extends LogicalStatement, T> T routed(RouteSession r, UnitOfWork unit, S statement, SqlInfo sql,
                                                     boolean retryable, SqlCall<S, T> call) throws SQLException {
        for (;;) {
            r.enter(unit, statement, sql);
            T result;
            try {
                result = call.run(statement, sql, unit);
            } catch (SQLException e) {
                r.failed(e, retryable);
                continue; // failed() returned: run once more on the route it switched to
            }
            r.succeeded();
            if (r.effects.ran(unit, sql)) {
                r.refreshTopology(); // SQL that may change the topology was committed
            }
            return result;
        }
    }

    /**
     * Before a unit's first statement runs again ({@link FailoverWait}): a transaction it opened is
     * rolled back, routing refreshes the topology early, and the wait is counted.
     */
    void beforeRunningAgain(SQLException failure) throws SQLException {
        if (connection.metrics != null) {
            connection.metrics.failoverWaited();
        }
        RouteSession r = connection.routing;
        if (r != null) {
            r.nodeUnreachable();
        }
        if (!connection.state.autoCommit) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                failure.addSuppressed(rollback);
                throw failure;
            }
        }
    }

    /**
     * {@code setSavepoint} opens the transaction when it is the first statement: the unit is routed and
     * the tenant pinned before it, so that rolling back to the savepoint keeps the pin.
     */
    void beforeSavepoint() throws SQLException {
        UnitOfWork unit = pins.begin();
        RouteSession r = connection.routing;
        if (r != null && !connection.state.autoCommit) {
            r.enter(unit, null, SAVEPOINT); // may open the transaction: route it first (a generic unit)
        }
        if (!connection.delegate.getAutoCommit()) {
            Envelope e = pins.planAround(null);
            if (e != null) {
                pins.before(e);
            }
        }
    }
}
