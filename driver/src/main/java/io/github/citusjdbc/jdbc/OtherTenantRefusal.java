package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.ExtraRoundTrip;
import io.github.citusjdbc.tenant.TenantPath;
import io.github.citusjdbc.tenant.TenantSettings;
import io.github.citusjdbc.sql.SqlInfo;
import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A transaction runs in one tenant: a later statement of another tenant is refused (25001) rather
 * than run in the transaction's schema. The check asks the resolver once per statement and allocates
 * nothing while the tenant is the transaction's. Not thread-safe (one per {@link TenantPins}).
 */
final class OtherTenantRefusal {

    private final TenantPins pins;
    private final TenantSettings settings;
    private final ExtraRoundTrips roundTrips;

    OtherTenantRefusal(TenantPins pins, TenantSettings settings, ExtraRoundTrips roundTrips) {
        this.pins = pins;
        this.settings = settings;
        this.roundTrips = roundTrips;
    }

    /**
     * Inside a transaction whose tenant is decided: a statement of another tenant must not run in
     * it. Another tenant is a different answer of the resolver; with autocommit on also a different
     * tenant of the connection when the resolver is silent. With autocommit on the transaction was
     * opened with SQL text and left open (typically by a previous borrower of a pooled connection;
     * pools roll back only with autocommit off): it is rolled back, as nobody else will end it.
     * Either way the statement is refused, unless it is transaction control.
     *
     * @param u         the transaction's unit of work
     * @param sql       the statement's SQL, or null (around paths)
     * @param explicit  the connection's own tenant ({@code setSchema}), or null
     */
    void check(UnitOfWork u, SqlInfo sql, TenantPath explicit) throws SQLException {
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
        if (sql != null && sql.hasTransactionControl()) {
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
                roundTrips.send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
            } catch (SQLException e) {
                rollbackFailure = e;
            }
            pins.onRollback();
        } else {
            msg.append("; a transaction runs in one tenant: end it before binding another");
        }
        PSQLException refused = new PSQLException(msg.toString(), PSQLState.ACTIVE_SQL_TRANSACTION);
        if (rollbackFailure != null) {
            refused.addSuppressed(rollbackFailure);
        }
        throw refused;
    }
}
