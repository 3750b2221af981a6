package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * With {@code standard_conforming_strings = off} a backslash escapes a quote inside {@code '...'}
 * ({@code 'it\'s'} is one string). The driver lexes SQL as the server does for the connection's
 * current setting (which the server reports), so such SQL runs pinned; SQL the driver cannot lex
 * with a tenant pinned is refused before anything is sent, never sent without the pin.
 */
class PinnedStandardConformingStringsOffTest {

    /** One string constant with standard_conforming_strings off; unterminated when read with it on. */
    private static final String ITS = "'it\\'s'";

    @BeforeAll
    static void tables() throws SQLException {
        PinFixture.create();
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            for (String schema : List.of(A, B, "public")) {
                String t = schema + ".scs_docs";
                s.execute("DROP TABLE IF EXISTS " + t);
                s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)");
                s.execute("GRANT ALL ON " + t + " TO " + c.user());
            }
        }
    }

    static List<Target> targets() {
        return PinFixture.targets();
    }

    private static void truncate() throws SQLException {
        LocalCluster c = LocalCluster.shared();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement()) {
            s.execute("TRUNCATE " + A + ".scs_docs, " + B + ".scs_docs, public.scs_docs");
        }
    }

    private static List<String> stored(String schema) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        List<String> rows = new ArrayList<>();
        try (Connection admin = c.admin(c.coordinator()); Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, v FROM " + schema + ".scs_docs ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }

    /** A citus-jdbc connection whose session has standard_conforming_strings off (set by SQL; PgBouncer tracks it). */
    private static Connection scsOff(Target t, RoundTripRelay relay) throws SQLException {
        Connection c = relay == null ? PinFixture.citus(t, null) : PinFixture.citus(t, relay, "sslmode=disable");
        try (Statement s = c.createStatement()) {
            s.execute("SET standard_conforming_strings = off");
            s.execute("SET escape_string_warning = off");
            assertEquals("off", PinFixture.one(s, "SHOW standard_conforming_strings"));
        }
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void statementsWithBackslashEscapedQuotesRunPinned(Target t) throws SQLException {
        try (Connection c = scsOff(t, null); Statement s = c.createStatement()) {
            c.setSchema(A);
            assertEquals("pin_a-1", PinFixture.one(s, "SELECT name FROM pin_items WHERE id = 1 AND " + ITS + " = 'it''s'"));
            c.setSchema(B);
            assertEquals("pin_b-2", PinFixture.one(s, "SELECT name FROM pin_items WHERE id = 2 AND " + ITS + " <> ''"));
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name || " + ITS + " FROM pin_items WHERE id = ? AND 'what\\'s ?' <> ?")) {
                ps.setInt(1, 3);
                ps.setString(2, "x"); // the ? inside the string is no placeholder
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("pin_b-3it's", rs.getString(1));
                }
                c.setSchema(A);
                ps.setInt(1, 4);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals("pin_a-4it's", rs.getString(1));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void anExplicitTransactionStartingWithSuchAStatementIsPinned(Target t) throws SQLException {
        try (Connection c = scsOff(t, null); Statement s = c.createStatement()) {
            c.setSchema(A);
            c.setAutoCommit(false);
            assertEquals("pin_a-5", PinFixture.one(s, "SELECT name FROM pin_items WHERE id = 5 AND " + ITS + " <> ''"));
            assertEquals(A, PinFixture.one(s, "SELECT current_schema()"));
            c.commit();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void batchesOfSuchStatementsRunPinned(Target t) throws SQLException {
        truncate();
        try (Connection c = scsOff(t, null)) {
            c.setSchema(A);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO scs_docs (id, v) VALUES (?, " + ITS + " || ?)")) {
                for (int id = 1; id <= 3; id++) {
                    ps.setInt(1, id);
                    ps.setString(2, " #" + id);
                    ps.addBatch();
                }
                assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
            }
            c.setSchema(B);
            try (Statement s = c.createStatement()) {
                s.addBatch("INSERT INTO scs_docs (id, v) VALUES (7, " + ITS + ")");
                s.addBatch("INSERT INTO scs_docs (id, v) VALUES (8, 'a\\\\b')");
                assertArrayEquals(new int[] {1, 1}, s.executeBatch());
            }
        }
        assertEquals(List.of("1 it's #1", "2 it's #2", "3 it's #3"), stored(A));
        assertEquals(List.of("7 it's", "8 a\\b"), stored(B));
        assertEquals(List.of(), stored("public"));
    }

    /**
     * SQL that ends inside a string (as the server reads it) is refused with a tenant pinned, with
     * nothing sent; without a tenant it goes to pgjdbc as it is. (pgjdbc refuses such text itself
     * when it prepares a statement, so only {@code Statement} texts reach the driver's check.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void unlexableSqlIsRefusedUnsentWhenATenantIsPinned(Target t) throws SQLException, IOException {
        try (RoundTripRelay relay = RoundTripRelay.forUrl(t.pgjdbcUrl(), Duration.ZERO);
             Connection c = scsOff(t, relay); Statement s = c.createStatement()) {
            c.setSchema(A);
            for (String sql : List.of("SELECT 'it\\'s", "SELECT 'abc")) {
                relay.reset();
                SQLException e = assertThrows(SQLException.class, () -> s.executeQuery(sql));
                assertEquals("42601", e.getSQLState());
                assertTrue(e.getMessage().startsWith("citus-jdbc:"), e.getMessage());
                assertTrue(e.getMessage().contains("standard_conforming_strings = off"), e.getMessage());
                assertEquals(0, relay.roundTrips(), "nothing sent");
                s.addBatch("SELECT 1");
                s.addBatch(sql);
                SQLException b = assertThrows(SQLException.class, s::executeBatch);
                assertEquals("42601", b.getSQLState());
                assertTrue(b.getMessage().startsWith("citus-jdbc:"), b.getMessage());
                assertEquals(0, relay.roundTrips(), "nothing sent");
                s.clearBatch();
            }
            c.setAutoCommit(false); // the first statement of a transaction would carry the pin
            assertEquals("42601", assertThrows(SQLException.class, () -> s.executeQuery("SELECT 'abc")).getSQLState());
            assertEquals(0, relay.roundTrips(), "nothing sent");
            assertEquals("pin_a-1", PinFixture.one(s, "SELECT name FROM pin_items WHERE id = 1"));
            c.rollback();
            c.setAutoCommit(true);
            c.setSchema(null);
            SQLException server = assertThrows(SQLException.class, () -> s.executeQuery("SELECT 'abc"));
            assertEquals("42601", server.getSQLState());
            assertTrue(!server.getMessage().startsWith("citus-jdbc:"), "unpinned: the server's own error");
        }
    }
}
