package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.routing.SqlErrors.Kind;
import java.net.ConnectException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Classification on constructed exceptions shaped as pgjdbc builds them; {@code SqlErrorsClusterTest}
 * checks the same on errors real servers and PgBouncer produce.
 */
class SqlErrorsTest {

    /** An ErrorResponse as a server (or PgBouncer) sends it. */
    static PSQLException server(String state, String message) {
        return new PSQLException(new ServerErrorMessage("SERROR\0C" + state + "\0M" + message + "\0"));
    }

    @Test
    void clientSideConnectionFailuresMeanTheNodeIsUnavailable() {
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(new SQLException("refused", "08001", new ConnectException())));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(new SQLException("I/O error", "08006")));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(new SQLException("x", null, new ConnectException("refused"))));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(new SQLTransientConnectionException("pool says no")));
    }

    @Test
    void shutdownStatesMeanTheNodeIsUnavailable() {
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("57P01", "terminating connection due to administrator command")));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("57P02", "terminating connection because of crash of another server process")));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("57P03", "the database system is starting up")));
    }

    @Test
    void pgbouncerSaysWhetherTheServerBehindItIsDown() {
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("08P01", "pgbouncer cannot connect to server")));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("08P01",
                "server login has been failing, try again later (server_login_retry)")));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(server("08P01", "server conn crashed?")));
        assertEquals(Kind.OTHER, SqlErrors.classify(server("08P01", "unsupported startup parameter: search_path")),
                "configuration errors must reach the application");
        assertEquals(Kind.OTHER, SqlErrors.classify(server("08P01", "login failed: db=x user=y")));
    }

    @Test
    void citusReportingAnUnreachableWorkerIsARemoteFailure() {
        assertEquals(Kind.REMOTE_NODE_UNAVAILABLE, SqlErrors.classify(server("08006",
                "connection to the remote node localhost:9702 failed with the following error: Connection refused")));
        // Seen on Citus 12.1 when a worker died under a COPY through the coordinator (FaultHarnessTest).
        assertEquals(Kind.REMOTE_NODE_UNAVAILABLE, SqlErrors.classify(server("XX000",
                "failure on connection marked as essential: 127.0.0.1:29561")));
        assertEquals(Kind.OTHER, SqlErrors.classify(server("XX000", "cache lookup failed for relation 1")),
                "other internal errors stay the application's");
    }

    @Test
    void readOnlyViolations() {
        assertEquals(Kind.READ_ONLY_VIOLATION, SqlErrors.classify(server("25006", "cannot execute INSERT in a read-only transaction")));
        assertEquals(Kind.READ_ONLY_VIOLATION, SqlErrors.classify(server("XX000", "writing to worker nodes is not currently allowed")));
    }

    @Test
    void applicationErrorsAreOther() {
        assertEquals(Kind.OTHER, SqlErrors.classify(server("42P01", "relation \"nope\" does not exist")));
        assertEquals(Kind.OTHER, SqlErrors.classify(server("28P01", "password authentication failed for user \"app\"")));
        assertEquals(Kind.OTHER, SqlErrors.classify(server("40001", "canceling statement due to conflict with recovery")));
        assertEquals(Kind.OTHER, SqlErrors.classify(null));
    }

    @Test
    void theChainsOfNextExceptionsAndCausesAreWalked() {
        BatchUpdateException batch = new BatchUpdateException("batch entry 0 failed", "42000", new int[0]);
        batch.setNextException(server("57P01", "terminating connection due to administrator command"));
        assertEquals(Kind.NODE_UNAVAILABLE, SqlErrors.classify(batch));
        SQLException wrapped = new SQLException("wrapper", "HY000", server("25006", "read-only"));
        assertEquals(Kind.READ_ONLY_VIOLATION, SqlErrors.classify(wrapped));
        SQLException loop = new SQLException("loop");
        loop.setNextException(loop);
        assertEquals(Kind.OTHER, SqlErrors.classify(loop), "a cycle terminates");
    }

    @Test
    void earlyRefreshTriggers() {
        assertTrue(Kind.NODE_UNAVAILABLE.triggersEarlyRefresh(false));
        assertTrue(Kind.REMOTE_NODE_UNAVAILABLE.triggersEarlyRefresh(false));
        assertTrue(Kind.READ_ONLY_VIOLATION.triggersEarlyRefresh(true));
        assertFalse(Kind.READ_ONLY_VIOLATION.triggersEarlyRefresh(false), "read-only work writing is the application's error");
        assertFalse(Kind.OTHER.triggersEarlyRefresh(true));
    }

    @Test
    void onlyFailuresBeforeAnythingWasSentMayRunAgain() {
        assertTrue(SqlErrors.notSent(new SQLException("refused", "08001", new ConnectException())));
        assertTrue(SqlErrors.notSent(new PSQLException("Connection to 127.0.0.1:1 refused", org.postgresql.util.PSQLState.CONNECTION_UNABLE_TO_CONNECT)));
        assertTrue(SqlErrors.notSent(server("57P03", "the database system is starting up")));
        // As FailoverWaitTest saw it on Citus 12.1 with the worker stopped:
        assertTrue(SqlErrors.notSent(server("08006",
                "connection to the remote node app@127.0.0.1:18679 failed with the following error: Connection refused")));
        assertTrue(SqlErrors.notSent(server("08006", "could not establish any connections to the node 127.0.0.1:9701")));
        assertTrue(SqlErrors.notSent(server("08P01", "pgbouncer cannot connect to server")));
        assertTrue(SqlErrors.notSent(new BatchUpdateException("batch", "08006", new int[0],
                new SQLException("refused", "08001", new ConnectException()))), "through the cause chain");

        assertFalse(SqlErrors.notSent(new SQLException("I/O error", "08006")), "lost mid-statement: maybe applied");
        assertFalse(SqlErrors.notSent(server("08006", "connection to the remote node app@127.0.0.1:9701 failed with the"
                + " following error: server closed the connection unexpectedly")));
        assertFalse(SqlErrors.notSent(server("XX000", "failure on connection marked as essential: 127.0.0.1:29561")));
        assertFalse(SqlErrors.notSent(server("57P01", "terminating connection due to administrator command")));
        assertFalse(SqlErrors.notSent(server("08P01", "query_wait_timeout")), "PgBouncer may have queued it");
        assertFalse(SqlErrors.notSent(server("23505", "duplicate key value violates unique constraint")));
        assertFalse(SqlErrors.notSent(new SQLException("no state")));
    }
}
