package io.github.citusjdbc.routing;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import org.postgresql.util.PSQLException;

/**
 * Tells what a failure means for routing: is the node we talked to unavailable, did a node behind
 * it fail, did a write meet a read-only server, or is it the application's own error.
 *
 * <p>Rules, applied to the exception and every exception reachable through
 * {@link SQLException#getNextException()} and {@link Throwable#getCause()} (the most significant
 * finding wins: {@link Kind#NODE_UNAVAILABLE}, then {@link Kind#READ_ONLY_VIOLATION}, then
 * {@link Kind#REMOTE_NODE_UNAVAILABLE}):
 * <ul>
 *   <li>{@code 57P01} admin shutdown, {@code 57P02} crash shutdown, {@code 57P03} cannot connect now
 *       (starting up, shutting down, in recovery): the node is unavailable.</li>
 *   <li>Class {@code 08} raised by the client (pgjdbc: refused, timed out, unknown host, connection
 *       lost, socket timeout), or a {@link ConnectException}, {@link NoRouteToHostException} or
 *       {@link UnknownHostException} among the causes, or a JDBC {@code SQL*ConnectionException}
 *       without SQLState: the node is unavailable.</li>
 *   <li>Class {@code 08} sent by a server: PgBouncer answers with {@code 08P01} for its own errors;
 *       those saying the server behind it cannot be reached ({@link #PGBOUNCER_UNAVAILABLE}) make
 *       the node unavailable, its configuration and authentication errors do not (they would
 *       recur on any node and must reach the application). Citus reports a worker it cannot reach
 *       as {@code 08xxx} from the coordinator ({@link #CITUS_REMOTE}): a remote node, not this one;
 *       a worker connection lost inside a coordinated transaction comes as {@code XX000} "failure on
 *       connection marked as essential", a remote node too.</li>
 *   <li>{@code 25006} read-only SQL transaction (also Citus's "writing to worker nodes is not
 *       currently allowed"): {@link Kind#READ_ONLY_VIOLATION}; on work routed as read-write this
 *       means the topology is stale (the node is no longer a primary).</li>
 * </ul>
 * Stateless and thread-safe; meant for the error path only.
 */
public final class SqlErrors {

    /** SQLState of {@code read_only_sql_transaction}. */
    public static final String READ_ONLY_SQL_TRANSACTION = "25006";

    /**
     * Texts of PgBouncer errors (lower case, matched as substrings, all sent as {@code 08P01})
     * meaning the PostgreSQL server behind it cannot be reached or accepts no more clients. Observed
     * with PgBouncer 1.18 and a stopped server ({@code SqlErrorsClusterTest}): the first client waits
     * {@code query_wait_timeout} and gets "query_wait_timeout", later ones get "server login has been
     * failing, try again later (server_login_retry)" at once; a client inside a transaction at the
     * stop gets the server's {@code 57P01}. "pgbouncer cannot connect to server" is what newer
     * versions send; the others are from the 1.18 binary's strings.
     */
    static final String[] PGBOUNCER_UNAVAILABLE = {
            "pgbouncer cannot connect to server",
            "server login has been failing",
            "server conn crashed",
            "client_login_timeout (server down)",
            "query_wait_timeout",
            "no more connections allowed",
            "database removed",
    };

    /** Texts (lower case) with which Citus reports that a node behind the one we talk to failed. */
    static final String[] CITUS_REMOTE = {
            "connection to the remote node",
            "could not establish any connections to the node",
    };

    private static final String CITUS_WORKER_WRITES = "writing to worker nodes is not currently allowed";
    /**
     * How Citus 12.1 reports a worker connection lost inside a coordinated transaction (a COPY, a
     * multi-statement transaction): {@code ereport(ERROR)} without a code, so {@code XX000}.
     */
    private static final String CITUS_ESSENTIAL_LOST = "failure on connection marked as essential";
    private static final int MAX_CHAIN = 32;

    /** What a failure means for routing. */
    public enum Kind {
        /**
         * The node dialled refused, timed out, shut down, or (through its PgBouncer) cannot be
         * reached: mark it down and refresh the topology early.
         */
        NODE_UNAVAILABLE,
        /** A write met a server in read-only mode: stale topology when the work was routed as read-write. */
        READ_ONLY_VIOLATION,
        /** The node answered, but a node behind it (a worker, for the coordinator) is unreachable: refresh early. */
        REMOTE_NODE_UNAVAILABLE,
        /** Anything else: the application's error; routing does nothing. */
        OTHER;

        /**
         * @param readWriteUnit whether the failed work was routed as read-write
         * @return whether the failure should make the topology refresh early (rate-limited by the
         *         topology): an unavailable node or remote node always, a read-only violation on
         *         read-write work (the node we took for a primary is not one any more)
         */
        public boolean triggersEarlyRefresh(boolean readWriteUnit) {
            return this == NODE_UNAVAILABLE || this == REMOTE_NODE_UNAVAILABLE
                    || (this == READ_ONLY_VIOLATION && readWriteUnit);
        }
    }

    private SqlErrors() {
    }

    /**
     * Classifies a failure.
     *
     * @param e the exception thrown by pgjdbc (or by the driver around it); null gives {@link Kind#OTHER}
     * @return what it means for routing
     */
    public static Kind classify(SQLException e) {
        Kind best = Kind.OTHER;
        int steps = 0;
        // Both chains: a batch reports the real cause through getNextException, pgjdbc's I/O errors through getCause.
        for (SQLException s = e; s != null && steps < MAX_CHAIN; s = s.getNextException(), steps++) {
            for (Throwable t = s; t != null && steps < MAX_CHAIN; t = t.getCause(), steps++) {
                best = stronger(best, classifyOne(t));
                if (best == Kind.NODE_UNAVAILABLE) {
                    return best;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
        }
        return best;
    }

    private static Kind classifyOne(Throwable t) {
        if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
            return Kind.NODE_UNAVAILABLE;
        }
        if (!(t instanceof SQLException s)) {
            return Kind.OTHER;
        }
        String state = s.getSQLState();
        String message = s.getMessage() == null ? "" : s.getMessage().toLowerCase(Locale.ROOT);
        boolean fromServer = s instanceof PSQLException p && p.getServerErrorMessage() != null;
        if (READ_ONLY_SQL_TRANSACTION.equals(state) || message.contains(CITUS_WORKER_WRITES)) {
            return Kind.READ_ONLY_VIOLATION;
        }
        if ("57P01".equals(state) || "57P02".equals(state) || "57P03".equals(state)) {
            return Kind.NODE_UNAVAILABLE;
        }
        if ("XX000".equals(state) && fromServer && message.contains(CITUS_ESSENTIAL_LOST)) {
            return Kind.REMOTE_NODE_UNAVAILABLE;
        }
        if (state != null && state.startsWith("08")) {
            if (!fromServer) {
                return Kind.NODE_UNAVAILABLE; // pgjdbc's own: refused, timed out, connection lost
            }
            if (containsAny(message, CITUS_REMOTE)) {
                return Kind.REMOTE_NODE_UNAVAILABLE;
            }
            return containsAny(message, PGBOUNCER_UNAVAILABLE) ? Kind.NODE_UNAVAILABLE : Kind.OTHER;
        }
        if (state == null && (s instanceof SQLTransientConnectionException || s instanceof SQLNonTransientConnectionException)) {
            return Kind.NODE_UNAVAILABLE;
        }
        return Kind.OTHER;
    }

    private static boolean containsAny(String message, String[] needles) {
        for (String n : needles) {
            if (message.contains(n)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the failure certainly happened before the statement reached a server that could have
     * applied any of it, so that running it again cannot apply it twice: the driver could not connect
     * (refused, unknown host; pgjdbc's {@code 08001}), the server refused the connection at start-up
     * ({@code 57P03}), PgBouncer could not reach its server, or Citus could not <i>establish</i> a
     * connection to a worker (its message then carries libpq's "Connection refused", or "could not
     * establish any connections"). A connection lost after the statement was sent ("server closed the
     * connection unexpectedly", {@code 57P01}, Citus's "failure on connection marked as essential")
     * is not: the statement may have been applied.
     *
     * @param e the failure
     * @return whether nothing of the statement reached a server
     */
    public static boolean notSent(SQLException e) {
        int steps = 0;
        for (SQLException s = e; s != null && steps < MAX_CHAIN; s = s.getNextException(), steps++) {
            for (Throwable t = s; t != null && steps < MAX_CHAIN; t = t.getCause(), steps++) {
                if (notSentOne(t)) {
                    return true;
                }
                if (t.getCause() == t) {
                    break;
                }
            }
        }
        return false;
    }

    private static boolean notSentOne(Throwable t) {
        if (t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException) {
            return true;
        }
        if (!(t instanceof SQLException s) || s.getSQLState() == null) {
            return false;
        }
        String state = s.getSQLState();
        String message = s.getMessage() == null ? "" : s.getMessage().toLowerCase(Locale.ROOT);
        boolean fromServer = s instanceof PSQLException p && p.getServerErrorMessage() != null;
        if ("57P03".equals(state)) {
            return true;
        }
        if (!fromServer) {
            return "08001".equals(state) || "08004".equals(state); // pgjdbc: unable to connect, rejected
        }
        if (!state.startsWith("08")) {
            return false;
        }
        if (message.contains("could not establish any connections to the node")) {
            return true;
        }
        if (message.contains("connection to the remote node")) {
            return message.contains("connection refused") && !message.contains("server closed the connection");
        }
        return message.contains("pgbouncer cannot connect to server") || message.contains("server login has been failing");
    }

    private static Kind stronger(Kind a, Kind b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
