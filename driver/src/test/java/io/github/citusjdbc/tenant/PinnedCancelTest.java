package io.github.citusjdbc.tenant;

import io.github.citusjdbc.tenant.PinFixture.Target;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.postgresql.core.BaseConnection;
import org.postgresql.core.TransactionState;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancellation inside pinned units of work ({@code setQueryTimeout}, {@code Statement.cancel} from
 * another thread, {@code setNetworkTimeout}): the statement fails as with pgjdbc (57014, or the
 * connection closed for a network timeout), nothing of the pin's transaction is left open, and the
 * next statement runs in its own tenant. Directly and through PgBouncer 1.18, in both modes.
 */
class PinnedCancelTest {
    private static final String FIRST = "SELECT name FROM pin_items WHERE id = 1";

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
    }

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Target t : PinFixture.targets()) {
            for (String mode : List.of("transaction", "session", "statement")) {
                if (!(t.bouncer() && mode.equals("session"))) { // session pinning is refused behind PgBouncer 1.18
                    for (boolean autoCommit : List.of(true, false)) {
                        out.add(Arguments.of(t, mode, autoCommit));
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1} autocommit={2}")
    @MethodSource("cases")
    void aQueryTimeoutOrCancelEndsOnlyThatStatementAndTheNextRunsInItsTenant(Target t, String mode, boolean autoCommit)
            throws Exception {
        try (Connection c = PinFixture.citus(t, null, "tenantPinning=" + mode); Statement s = c.createStatement()) {
            c.setAutoCommit(autoCommit);
            c.setSchema(A);
            s.setQueryTimeout(1);
            SQLException timeout = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10) FROM pin_items"));
            assertEquals("57014", timeout.getSQLState(), timeout.getMessage());
            if (!autoCommit) {
                c.rollback();
            }
            s.setQueryTimeout(0);
            c.setSchema(B);
            assertEquals("pin_b-1", one(s, FIRST), "after the timeout");
            if (!autoCommit) {
                c.commit();
            }

            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<?> canceller = ex.submit(() -> {
                    Thread.sleep(300);
                    s.cancel();
                    return null;
                });
                SQLException cancelled = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(10) FROM pin_items"));
                assertEquals("57014", cancelled.getSQLState(), cancelled.getMessage());
                canceller.get(10, TimeUnit.SECONDS);
            } finally {
                ex.shutdownNow();
            }
            if (!autoCommit) {
                c.rollback();
            }
            c.setSchema(A);
            assertEquals("pin_a-1", one(s, FIRST), "after the cancel");
            if (!autoCommit) {
                c.commit();
            }
            assertEquals(TransactionState.IDLE, c.unwrap(BaseConnection.class).getTransactionState(),
                    "nothing of the pin's transaction left open");
            assertTrue(c.isValid(2));
        }
    }

    @ParameterizedTest(name = "{0} {1} autocommit={2}")
    @MethodSource("cases")
    void aNetworkTimeoutClosesTheConnectionAsPgjdbcDoes(Target t, String mode, boolean autoCommit) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor();
        try (Connection c = PinFixture.citus(t, null, "tenantPinning=" + mode); Statement s = c.createStatement()) {
            c.setAutoCommit(autoCommit);
            c.setSchema(A);
            c.setNetworkTimeout(ex, 500);
            SQLException e = assertThrows(SQLException.class, () -> s.execute("SELECT pg_sleep(5) FROM pin_items"));
            assertTrue(e.getSQLState().startsWith("08"), e.getSQLState() + " " + e.getMessage());
            assertFalse(c.isValid(2), "the physical connection is gone, as with pgjdbc");
        } finally {
            ex.shutdownNow();
        }
    }
}
