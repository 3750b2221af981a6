package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusDriver;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How far one statement travels through the driver: the warm path of docs/architecture.md ("One
 * statement, from the API to pgjdbc"), counted by instrumenting every driver method
 * ({@link MethodTrace}) while one {@code PreparedStatement.executeQuery()} runs on real Citus in
 * autocommit, read routing on, a tenant pinned with {@code setSchema}: with the default pinning
 * ({@code auto}: session pinning on a direct connection) and with per-transaction pinning (the
 * {@code BEGIN} envelope). Every driver method and constructor entered is recorded; the steps are
 * those that are not a value's field read (a no-argument method of {@code UnitOfWork},
 * {@code SqlInfo}, {@code TenantPath}, {@code TenantSettings} or {@code Envelope}).
 */
class WarmPathTest {

    // The most steps each warm query may take: what the driver takes today (docs/architecture.md lists
    // them), so that a change adding a step to every statement fails here and is looked at.
    static final int DEFAULT_STEPS = 15;
    static final int TRANSACTION_STEPS = 27;
    static final int UNPINNED_STEPS = 15;

    private static final Set<String> VALUES = Set.of("UnitOfWork", "SqlInfo", "TenantPath", "TenantSettings", "Envelope");

    private static MethodTrace trace;

    @BeforeAll
    static void install() throws SQLException {
        PinFixture.create();
        trace = MethodTrace.install(CitusDriver.class);
    }

    @AfterAll
    static void uninstall() {
        if (trace != null) {
            trace.close();
        }
    }

    private static Connection open(String pinning) throws SQLException {
        return open(pinning, "secondary");
    }

    private static Connection open(String pinning, String readRouting) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        // Its own topology and metrics (clusterName is part of the registry key): per-tenant counting
        // switched on by another test's connection in this JVM would add a step to every statement.
        return PinFixture.citus(new PinFixture.Target("direct", c.jdbcUrl(c.coordinator()), false, pinning, null), null,
                "readRouting=" + readRouting, "clusterName=warm-path");
    }

    /**
     * @return the driver calls of one {@code Statement.executeQuery} of a text the connection never
     *         ran, nothing pinned (the SQL reads {@code public.pin_items})
     */
    private static List<String> newText(String readRouting) throws SQLException {
        try (Connection c = open(null, readRouting); Statement st = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                try (ResultSet rs = st.executeQuery("SELECT name FROM pin_items WHERE id = " + (i + 1))) {
                    assertTrue(rs.next());
                }
            }
            trace.start();
            ResultSet rs = st.executeQuery("SELECT name FROM pin_items WHERE id = 1 AND 7 = 7");
            List<String> calls = trace.stop();
            assertTrue(rs.next());
            assertEquals("WRONG", rs.getString(1));
            rs.close();
            return calls;
        }
    }

    private static boolean lexes(List<String> calls) {
        return calls.stream().anyMatch(c -> c.contains(".SqlClassifier.lex(") || c.contains(".SqlLexer."));
    }

    /** @return the driver calls of one warm {@code executeQuery}, as {@code Class.method(descriptor)} */
    private static List<String> warmQuery(String pinning, String tenant, String expected) throws SQLException {
        try (Connection c = open(pinning);
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
            if (tenant != null) {
                c.setSchema(tenant);
            }
            ps.setInt(1, 1);
            for (int i = 0; i < 3; i++) { // warm: the pin, its physical statement, the classification cached
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                }
            }
            trace.start();
            ResultSet rs = ps.executeQuery();
            List<String> calls = trace.stop();
            assertTrue(rs.next());
            assertEquals(expected, rs.getString(1));
            rs.close();
            List<String> shown = new ArrayList<>();
            for (String call : calls) { // without the package
                String head = call.substring(0, call.indexOf('('));
                shown.add(call.substring(head.lastIndexOf('.', head.lastIndexOf('.') - 1) + 1));
            }
            return shown;
        }
    }

    private static String className(String call) {
        return call.substring(0, call.indexOf('.'));
    }

    /** @return whether {@code call} reads a value's field: a no-argument method of a value type */
    private static boolean valueRead(String call) {
        return VALUES.contains(className(call)) && call.contains("()") && !call.contains("<init>");
    }

    private static List<String> steps(List<String> calls) {
        return calls.stream().filter(c -> !valueRead(c) && !c.startsWith("PgConnection.")).toList();
    }

    private static String shown(String title, List<String> calls) {
        return calls.stream().map(c -> (valueRead(c) ? "    (" : "  ") + c.substring(0, c.indexOf('('))
                        + (valueRead(c) ? ")" : ""))
                .collect(Collectors.joining("\n", title + ": " + steps(calls).size() + " steps, " + calls.size()
                        + " calls\n", ""));
    }

    private static void check(String title, List<String> calls, int most) {
        String shown = shown(title, calls);
        System.out.println("WarmPathTest " + shown);
        assertEquals(1, calls.stream().filter(c -> c.startsWith("ThreadTenantResolver.currentTenant")).count(),
                "the resolver is asked once\n" + shown);
        assertTrue(calls.stream().filter(c -> c.startsWith("PgConnection.getTransactionState")).count() <= 1,
                "pgjdbc's transaction state is read at most once\n" + shown);
        assertTrue(steps(calls).size() <= most, "at most " + most + " steps\n" + shown);
    }

    @Test
    void defaultPinning() throws SQLException {
        check("default pinning (session)", warmQuery(null, A, A + "-1"), DEFAULT_STEPS);
    }

    @Test
    void transactionPinning() throws SQLException {
        check("tenantPinning=transaction", warmQuery("transaction", A, A + "-1"), TRANSACTION_STEPS);
    }

    /**
     * With routing off and nothing pinned nothing asks what a text holds: a text the connection never
     * ran goes to pgjdbc without being lexed. With routing on the after-effects ask (may the SQL
     * change the topology?), and the same text is lexed: the trace sees the lexer.
     */
    @Test
    void aNewTextNothingAsksAboutIsNotLexed() throws SQLException {
        List<String> unrouted = newText("primary");
        assertFalse(lexes(unrouted), "lexed with routing off and nothing pinned:\n" + String.join("\n", unrouted));
        List<String> routed = newText("secondary");
        assertTrue(lexes(routed), "not lexed with routing on:\n" + String.join("\n", routed));
    }

    @Test
    void nothingPinned() throws SQLException {
        check("nothing pinned", warmQuery(null, null, "WRONG"), UNPINNED_STEPS); // public.pin_items, the SQL as it is
    }
}
