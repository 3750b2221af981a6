package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.ClusterMetrics;
import io.github.citusjdbc.metrics.ExtraRoundTrip;
import io.github.citusjdbc.metrics.PinForm;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.core.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the driver sends around an execution on round trips of its own, each counted by why
 * ({@link ExtraRoundTrip}): the pin of an "around" execution before it, its {@code COMMIT} after,
 * the {@code ROLLBACK} that cleans the connection after a failed envelope, and the {@code RESET} after
 * a failed implicit envelope that pgjdbc split. Not thread-safe (one
 * per {@link TenantPins}).
 */
final class ExtraRoundTrips {

    private static final Logger LOG = LoggerFactory.getLogger(ExtraRoundTrips.class);

    private final LogicalConnection connection;
    private final ClusterMetrics metrics; // null when not on Citus
    private final Pinning pinning;

    ExtraRoundTrips(LogicalConnection connection, ClusterMetrics metrics, Pinning pinning) {
        this.connection = connection;
        this.metrics = metrics;
        this.pinning = pinning;
    }

    /** Sends {@code sql} on the physical connection's internal statement. */
    void send(String sql, ExtraRoundTrip why) throws SQLException {
        if (metrics != null) {
            metrics.extraRoundTrip(why);
        }
        Statement internal = connection.internal();
        internal.execute(sql);
        internal.clearWarnings();
    }

    /** Sends the pin of an "around" execution ({@link TenantPins#planAround}) before the operation. */
    void before(Envelope e) throws SQLException {
        try {
            send(e.pinOnly, ExtraRoundTrip.PIN);
        } catch (SQLException ex) {
            if (e.session) {
                pinning.serverValueLost();
            }
            throw ex;
        }
        if (e.session) {
            pinning.ran(e);
        }
    }

    /** Commits an autocommit "around" execution. */
    void after(Envelope e) throws SQLException {
        if (e.commit) {
            send("COMMIT", ExtraRoundTrip.COMMIT);
        }
    }

    /**
     * After an execution failed: an autocommit envelope left its transaction open or failed, so
     * one {@code ROLLBACK} cleans the connection (tried twice); explicit transactions are left to
     * the application (25P02 preserved). When the transaction cannot be ended the physical
     * connection is closed: left aborted it would answer 25P02 to every later statement while
     * {@code isValid} passes (and keep a pooler's server connection). Session pinning forgets what
     * the server has.
     *
     * @param e     the envelope used, or null
     * @param cause the application's error, to which a failing ROLLBACK is added as suppressed
     */
    void failed(Envelope e, SQLException cause) {
        pinning.serverValueLost();
        if (e != null && e.form == PinForm.STATEMENT && pinning.pinLeftAfterFailure()) {
            try {
                send("RESET search_path", ExtraRoundTrip.RESET);
            } catch (SQLException reset) {
                cause.addSuppressed(reset);
            }
            return;
        }
        if (e == null || !e.commit) {
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (connection.pgjdbc.getTransactionState() == TransactionState.IDLE) {
                    return;
                }
                send("ROLLBACK", ExtraRoundTrip.ROLLBACK);
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
}
