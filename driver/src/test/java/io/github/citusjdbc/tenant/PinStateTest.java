package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the driver believes about the pin must stay what the server has: after transaction control
 * sent as SQL text, across pool borrowers, after a failed {@code ROLLBACK}, and when pgjdbc's own
 * queries open a transaction. Row names tell the schema a statement ran in ({@code public.pin_items}
 * says WRONG). On Citus, which reports {@code search_path}, and where it matters also on a plain
 * PostgreSQL server, which does not.
 */
class PinStateTest {

    private static final String FIRST = "SELECT name FROM pin_items WHERE id = 1";

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
    }

    static List<Target> targets() {
        return PinFixture.targets();
    }

    private static Target direct() {
        return PinFixture.targets().get(0);
    }

    // ------------------------------------------------------------------ session mode: SQL-text rollbacks

    /**
     * Session mode sets search_path once per change; a rollback sent as SQL text undoes a SET sent
     * inside the transaction. The driver must not go on believing the server has it.
     */
    static List<Arguments> rollbacksOnEachServer() throws SQLException {
        List<Arguments> out = new ArrayList<>();
        for (Target t : List.of(direct(), PinFixture.plainPostgres())) {
            for (String rollback : List.of("ROLLBACK", "ABORT", "ROLLBACK TO SAVEPOINT s1", "ROLLBACK AND CHAIN")) {
                out.add(Arguments.of(t, rollback));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("rollbacksOnEachServer")
    void sessionModeForgetsTheServerPathAfterARollbackSentAsText(Target t, String rollback) throws Exception {
        try (Connection c = PinFixture.citus(t, null, "tenantPinning=session"); Statement s = c.createStatement()) {
            c.setSchema(A);
            assertEquals("pin_a-1", one(s, FIRST));
            s.execute("BEGIN");
            s.execute("SAVEPOINT s1");
            c.setSchema(B);
            assertEquals("pin_b-1", one(s, FIRST), "SET search_path TO pin_b inside the transaction");
            s.execute(rollback); // the server is back on pin_a
            assertEquals(B, c.getSchema());
            assertEquals("pin_b-1", one(s, FIRST), "after " + rollback + " the statement must run in pin_b");
            assertEquals(B, one(s, "SELECT current_schema()"), rollback);
            s.execute("ROLLBACK");
            assertEquals("pin_b-1", one(s, FIRST), "autocommit again");
        }
    }

    // ------------------------------------------------------------------ transaction mode: SQL-text chains and savepoints

    static List<Arguments> textControl() {
        List<Arguments> out = new ArrayList<>();
        for (Target t : PinFixture.targets()) {
            for (String control : List.of("ROLLBACK TO SAVEPOINT s1", "COMMIT AND CHAIN", "ROLLBACK AND CHAIN")) {
                out.add(Arguments.of(t, control, false));
                out.add(Arguments.of(t, control, true));
            }
        }
        return out;
    }

    /**
     * In transaction mode the pin is a SET LOCAL sent with the transaction's first statement; a
     * rollback to a savepoint sent as SQL text may undo it, and a chained transaction starts without it.
     */
    @ParameterizedTest(name = "{0} {1} autocommit={2}")
    @MethodSource("textControl")
    void transactionModeRepinsAfterChainsAndSavepointRollbacksSentAsText(Target t, String control, boolean autoCommit)
            throws Exception {
        try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement()) {
            c.setSchema(A);
            c.setAutoCommit(autoCommit);
            if (autoCommit) {
                s.execute("BEGIN");
            }
            s.execute("SAVEPOINT s1"); // the first statement carries no pin: the SET LOCAL comes after it
            assertEquals("pin_a-1", one(s, FIRST));
            s.execute(control);
            assertEquals("pin_a-1", one(s, FIRST), "after " + control);
            assertEquals(A, one(s, "SELECT current_schema()"), "after " + control);
            s.execute("SAVEPOINT s2; SELECT 1"); // more than one statement in the text
            s.execute("RELEASE SAVEPOINT s2");
            assertEquals("pin_a-1", one(s, FIRST), "after RELEASE");
            s.execute("ROLLBACK");
            assertEquals("pin_a-1", one(s, FIRST), "next transaction");
            if (!autoCommit) {
                c.rollback();
            }
        }
    }

    // ------------------------------------------------------------------ pool borrowers: a BEGIN left open

    /**
     * HikariCP rolls back only connections returned with autocommit off: a transaction opened with
     * SQL text and left open reaches the next borrower. A borrower bound to another tenant must not
     * run inside it: the driver rolls it back and refuses the statement (25001); the retry runs in
     * the borrower's tenant.
     */
    @ParameterizedTest
    @MethodSource("targets")
    void aTransactionLeftOpenByABorrowerNeverRunsTheNextBorrowersTenant(Target t) throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(t.citusUrl());
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(1);
        config.setAutoCommit(true);
        if (t.bouncer()) {
            config.addDataSourceProperty("pooler", "pgbouncer-transaction");
        }
        try (HikariDataSource pool = new HikariDataSource(config)) {
            try (CitusTenants.Scope a = CitusTenants.bind(A); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                s.execute("BEGIN");
                assertEquals(1, s.executeUpdate("INSERT INTO pin_items (name) VALUES ('left-open')"));
            } // returned with the transaction open
            try (CitusTenants.Scope b = CitusTenants.bind(B); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> one(s, FIRST),
                        "the statement must not run inside pin_a's open transaction");
                assertEquals("25001", e.getSQLState(), e::toString);
                assertTrue(e.getMessage().contains(A) && e.getMessage().contains(B), e.getMessage());
                assertEquals("pin_b-1", one(s, FIRST), "the retry runs in autocommit, in pin_b");
                assertEquals(B, c.getSchema());
            }
            try (CitusTenants.Scope a = CitusTenants.bind(A); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                assertEquals("0", one(s, "SELECT count(*) FROM pin_items WHERE name = 'left-open'"),
                        "the transaction left open was rolled back");
                s.execute("BEGIN");
                assertEquals(1, s.executeUpdate("INSERT INTO pin_items (name) VALUES ('left-open')"));
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                SQLException e = assertThrows(SQLException.class, () -> one(s, FIRST),
                        "a borrower without tenant must not run in pin_a's open transaction either");
                assertEquals("25001", e.getSQLState(), e::toString);
                assertEquals("WRONG", one(s, FIRST), "the retry runs unpinned (public), in autocommit");
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                try (CitusTenants.Scope a = CitusTenants.bind(A)) {
                    assertEquals("0", one(s, "SELECT count(*) FROM pin_items WHERE name = 'left-open'"));
                    s.execute("BEGIN");
                    assertEquals(1, s.executeUpdate("INSERT INTO pin_items (name) VALUES ('committed-unbound')"));
                }
                s.execute("COMMIT"); // transaction control outside the scope is not refused: it ends the transaction
                try (CitusTenants.Scope a = CitusTenants.bind(A)) {
                    assertEquals(1, s.executeUpdate("DELETE FROM pin_items WHERE name = 'committed-unbound'"));
                }
            }
            try (CitusTenants.Scope a = CitusTenants.bind(A); Connection c = pool.getConnection();
                 Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                assertEquals("pin_a-1", one(s, FIRST));
                try (CitusTenants.Scope b = CitusTenants.bind(B)) {
                    assertEquals("25001", assertThrows(SQLException.class, () -> one(s, FIRST)).getSQLState(),
                            "a tenant bound inside a transaction of another is refused, autocommit off too");
                }
                assertEquals("pin_a-1", one(s, FIRST), "autocommit off: the transaction is the application's, left open");
                c.rollback();
            }
        }
    }

    /** A pool that calls {@code endRequest} (JDBC 4.3) gets a transaction left open under autocommit rolled back. */
    @ParameterizedTest
    @MethodSource("targets")
    void endRequestRollsBackATransactionLeftOpenUnderAutocommit(Target t) throws Exception {
        try (Connection c = PinFixture.citus(t, null); Statement s = c.createStatement()) {
            c.setSchema(A);
            s.execute("BEGIN");
            assertEquals(1, s.executeUpdate("INSERT INTO pin_items (name) VALUES ('end-request')"));
            c.endRequest();
            c.beginRequest();
            assertEquals("0", one(s, "SELECT count(*) FROM pin_items WHERE name = 'end-request'"),
                    "rolled back, and this statement ran in autocommit");
            c.setSchema(B);
            assertEquals("pin_b-1", one(s, FIRST));
            c.setAutoCommit(false);
            assertEquals("pin_b-1", one(s, FIRST));
            c.endRequest(); // autocommit off: the transaction is the application's (a pool rolls it back)
            assertEquals("pin_b-1", one(s, FIRST));
            c.rollback();
        }
    }

    // ------------------------------------------------------------------ a failed ROLLBACK after a failed envelope

    /**
     * A failed autocommit envelope is rolled back by the driver; when the server answers that
     * ROLLBACK with an error the transaction stays aborted. The driver must retry, or give up the
     * physical connection, never leave it answering 25P02 while {@code isValid} says true.
     */
    @ParameterizedTest
    @MethodSource("targets")
    void aFailedRollbackIsRetriedOnce(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "sslmode=disable"); Statement s = c.createStatement()) {
            c.setSchema(A);
            relay.rewriteClientText("ROLLBACK", "SELECT 1", 1);
            SQLException e = assertThrows(SQLException.class, () -> one(s, "SELECT 1/0"));
            assertEquals("22012", e.getSQLState(), "the application's error is the statement's");
            assertEquals(0, relay.rewritesLeft(), "the driver's ROLLBACK was answered with an error");
            assertEquals('I', relay.lastTransactionStatus(), "the second ROLLBACK ended the transaction");
            assertEquals("pin_a-1", one(s, FIRST));
            assertTrue(c.isValid(5));
        }
    }

    @ParameterizedTest
    @MethodSource("targets")
    void aConnectionWhoseRollbackKeepsFailingIsGivenUp(Target t) throws Exception {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = PinFixture.citus(t, relay, "sslmode=disable"); Statement s = c.createStatement()) {
            c.setSchema(A);
            relay.rewriteClientText("ROLLBACK", "SELECT 1", 1000);
            SQLException e = assertThrows(SQLException.class, () -> one(s, "SELECT 1/0"));
            assertEquals("22012", e.getSQLState(), "the application's error is the statement's");
            assertTrue(relay.rewritesLeft() < 1000, "the driver's ROLLBACK was answered with an error");
            assertFalse(c.isValid(5), "a pool must evict it");
            assertTrue(c.isClosed());
            SQLException next = assertThrows(SQLException.class, () -> one(s, FIRST));
            assertEquals("08003", next.getSQLState(), next::toString);
        }
    }

    // ------------------------------------------------------------------ isolation behind a transaction pooler

    /**
     * Behind a transaction pooler the driver sends the isolation level with each transaction's first
     * statement; a query pgjdbc sends on its own (metadata, {@code getSchema()} unpinned) must not
     * open the transaction before it.
     */
    @Test
    void isolationHoldsWhenPgjdbcsOwnQueryOpensTheTransaction() throws Exception {
        Target bouncer = PinFixture.targets().get(1);
        for (String first : List.of("getTables", "getSchema", "getColumns", "getSQLKeywords")) {
            try (Connection c = PinFixture.citus(bouncer, null); Statement s = c.createStatement()) {
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setAutoCommit(false);
                switch (first) {
                    case "getTables" -> {
                        try (ResultSet rs = c.getMetaData().getTables(null, A, "pin_items", null)) {
                            assertTrue(rs.next(), first);
                        }
                    }
                    case "getColumns" -> {
                        try (ResultSet rs = c.getMetaData().getColumns(null, A, "pin_items", "name")) {
                            assertTrue(rs.next(), first);
                        }
                    }
                    case "getSQLKeywords" -> assertTrue(c.getMetaData().getSQLKeywords().contains(","), first);
                    default -> c.getSchema(); // unpinned: pgjdbc asks the server
                }
                assertEquals(Connection.TRANSACTION_SERIALIZABLE, c.getTransactionIsolation(), first);
                assertEquals("serializable", one(s, "SHOW transaction_isolation"), first);
                c.rollback();
                c.setSchema(A);
                try (ResultSet rs = c.getMetaData().getTables(null, A, "pin_items", null)) {
                    assertTrue(rs.next(), first);
                }
                assertEquals("serializable", one(s, "SHOW transaction_isolation"), first + ", pinned");
                assertEquals(A, one(s, "SELECT current_schema()"), first + ", pinned");
                c.commit();
            }
        }
    }
}
