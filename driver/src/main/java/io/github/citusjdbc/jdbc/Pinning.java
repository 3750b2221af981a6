package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.SQLException;
import org.postgresql.core.TransactionState;

/**
 * How the tenant's {@code search_path} travels to the server: one implementation per pinning mode,
 * chosen once per connection by {@link TenantPins} from the configuration. {@link TransactionPinning}
 * sends it with every transaction ({@code SET LOCAL}); {@link SessionPinning} sets it for the session
 * and sends it again only when the tenant changes. A new mode is a new implementation of this
 * interface, selected in {@link TenantPins}'s constructor.
 *
 * <p>Every method runs on the connection's thread, inside the call {@link TenantPins#begin} started;
 * the unit of work and pgjdbc's transaction state are read there, never again here.
 */
interface Pinning {

    /**
     * A unit of work that is a transaction began ({@code ts}: pgjdbc's transaction state at its
     * first statement). Autocommit statements need nothing remembered between them.
     */
    void transactionStarted(TransactionState ts);

    /**
     * Decides what goes with one execution of {@code sql} that can carry the pin in its own string.
     *
     * @param sql the SQL to execute, as {@link UnitRunner#inUnit} classified it (its text: {@link SqlInfo#sql()})
     * @return the envelope, or null to execute the SQL as it is
     */
    Envelope plan(UnitOfWork unit, LogicalStatement statement, SqlInfo sql) throws SQLException;

    /**
     * Decides the pin of an execution that cannot carry it in the same string (CallableStatement,
     * pgjdbc's batches, COPY, savepoints, metadata): {@link Envelope#pinOnly} is sent first and, when
     * {@link Envelope#commit}, {@code COMMIT} after; or null for nothing.
     *
     * @param statement the statement (which judges its pending operation), or null
     */
    Envelope planAround(UnitOfWork unit, LogicalStatement statement) throws SQLException;

    /** The string carrying {@code e} (null: nothing added) ran without error. */
    void ran(Envelope e);

    /** A statement ran as it is: SQL text may have changed {@code search_path} or undone the pin. */
    void afterDirect(UnitOfWork unit, SqlInfo sql);

    /** {@code setSchema} inside the open transaction: pin the new tenant with the next statement. */
    void tenantChanged();

    /** A rollback to a savepoint may have undone what was sent after it. */
    void rolledBackToSavepoint();

    /** What the server's {@code search_path} is became unknown: a rollback or an error. */
    void serverValueLost();

    /**
     * After the string carrying an envelope of this mode failed: whether a pin that must not outlive
     * it stayed on the server connection (then {@code RESET search_path} is sent).
     */
    boolean pinLeftAfterFailure();

    /** Routing moved the logical connection onto another physical connection. */
    void switchedPhysical();

    /** @return whether the pin goes with each transaction now (so a batch entry may carry it) */
    boolean perTransaction();

    /**
     * The isolation level the driver sends per transaction (behind a transaction pooler) was set
     * ({@code level}, or -1 for none), from the next transaction on. Only a mode that then pins per
     * transaction too ({@link SessionPinning}) acts on it.
     */
    default void isolationChanged(int level) {
    }
}
