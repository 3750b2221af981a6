package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.citusjdbc.tenant.PinFixture.Target;
import io.github.citusjdbc.testkit.LocalCluster;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import javax.sql.rowset.serial.SerialBlob;
import javax.sql.rowset.serial.SerialClob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stream, Reader, Blob and Clob parameters with a tenant pinned: the value the server stores is the
 * one pgjdbc stores, although the driver sets the parameters again on the pinned physical statement
 * (the envelope) and on every batch entry; a large object is created once per value, not once per
 * physical statement. Setters pgjdbc does not implement fail as they do with pgjdbc.
 */
class PinnedStreamParameterTest {

    private static final String INSERT = "INSERT INTO sp_docs (id, t, b, o) VALUES (?, ?, ?, ?)";
    private static final byte[] BYTES = {1, 2, 3, 4, 5};

    /** The coordinator as its superuser, for setup and to read what was stored. */
    private static Connection admin;

    @AfterAll
    static void closeAdmin() throws SQLException {
        if (admin != null) {
            admin.close();
        }
    }

    @BeforeAll
    static void tables() throws SQLException {
        PinFixture.create();
        LocalCluster c = LocalCluster.shared();
        admin = c.admin(c.coordinator());
        try (Statement s = admin.createStatement()) {
            for (String schema : List.of(A, B, "public")) {
                String t = schema + ".sp_docs";
                s.execute("DROP TABLE IF EXISTS " + t);
                s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, t text, b bytea, o oid)");
                s.execute("GRANT ALL ON " + t + " TO " + c.user());
            }
        }
    }

    /** Transaction pinning directly and through PgBouncer 1.18, and the default ({@code auto}) on each path. */
    static List<Target> targets() {
        List<Target> all = new ArrayList<>(PinFixture.targets());
        all.addAll(PinFixture.autoTargets());
        return all;
    }

    /** How one case sets parameters 2 to 4 (text, bytea, oid) from a fresh stream each call. */
    interface Setter {
        void set(PreparedStatement ps) throws SQLException;
    }

    /** A case: its setter and what the server must store ("t" text, "b" bytes as hex, "o" large object as hex). */
    record Case(String name, Setter setter, String t, String b, String o, boolean largeObject) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static InputStream bytes() {
        return new ByteArrayInputStream(BYTES);
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void rest(PreparedStatement ps, int from) throws SQLException {
        for (int i = from; i <= 4; i++) {
            ps.setNull(i, i == 3 ? Types.BINARY : i == 4 ? Types.BIGINT : Types.VARCHAR);
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("setCharacterStream(Reader)", ps -> {
            ps.setCharacterStream(2, new StringReader("hello"));
            rest(ps, 3);
        }, "hello", null, null, false));
        cases.add(new Case("setCharacterStream(Reader,int)", ps -> {
            ps.setCharacterStream(2, new StringReader("hello world"), 5);
            rest(ps, 3);
        }, "hello", null, null, false));
        cases.add(new Case("setAsciiStream(InputStream,int)", ps -> {
            ps.setAsciiStream(2, text("ascii text"), 5);
            rest(ps, 3);
        }, "ascii", null, null, false));
        cases.add(new Case("setUnicodeStream(InputStream,int)", ps -> {
            setUnicode(ps, 2, text("h\u00e9llo w\u00f6rld"), 7);
            rest(ps, 3);
        }, "h\u00e9llo w", null, null, false));
        cases.add(new Case("setObject(InputStream,LONGVARCHAR)", ps -> {
            ps.setObject(2, text("object text"), Types.LONGVARCHAR);
            rest(ps, 3);
        }, "object text", null, null, false));
        cases.add(new Case("setBinaryStream(InputStream)", ps -> {
            ps.setNull(2, Types.VARCHAR);
            ps.setBinaryStream(3, bytes());
            ps.setNull(4, Types.BIGINT);
        }, null, "0102030405", null, false));
        cases.add(new Case("setBinaryStream(InputStream,int)", ps -> {
            ps.setNull(2, Types.VARCHAR);
            ps.setBinaryStream(3, bytes(), 3);
            ps.setNull(4, Types.BIGINT);
        }, null, "010203", null, false));
        cases.add(new Case("setBinaryStream(InputStream,long)", ps -> {
            ps.setNull(2, Types.VARCHAR);
            ps.setBinaryStream(3, bytes(), 4L);
            ps.setNull(4, Types.BIGINT);
        }, null, "01020304", null, false));
        cases.add(new Case("setBlob(InputStream)", ps -> {
            rest(ps, 2);
            ps.setBlob(4, bytes());
        }, null, null, "0102030405", true));
        cases.add(new Case("setBlob(InputStream,long)", ps -> {
            rest(ps, 2);
            ps.setBlob(4, bytes(), 2L);
        }, null, null, "0102", true));
        cases.add(new Case("setBlob(Blob)", ps -> {
            rest(ps, 2);
            ps.setBlob(4, new SerialBlob(BYTES));
        }, null, null, "0102030405", true));
        cases.add(new Case("setObject(Blob)", ps -> {
            rest(ps, 2);
            ps.setObject(4, new SerialBlob(BYTES));
        }, null, null, "0102030405", true));
        cases.add(new Case("setObject(InputStream,BLOB)", ps -> {
            rest(ps, 2);
            ps.setObject(4, bytes(), Types.BLOB);
        }, null, null, "0102030405", true));
        cases.add(new Case("setClob(Clob)", ps -> {
            rest(ps, 2);
            ps.setClob(4, new SerialClob("clob text".toCharArray()));
        }, null, null, hex("clob text"), true));
        cases.add(new Case("setObject(Clob)", ps -> {
            rest(ps, 2);
            ps.setObject(4, new SerialClob("clob text".toCharArray()));
        }, null, null, hex("clob text"), true));
        return cases;
    }

    @SuppressWarnings("deprecation")
    private static void setUnicode(PreparedStatement ps, int i, InputStream in, int length) throws SQLException {
        ps.setUnicodeStream(i, in, length);
    }

    private static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    static List<Object[]> targetsAndCases() {
        List<Object[]> out = new ArrayList<>();
        for (Target t : targets()) {
            for (Case c : cases()) {
                out.add(new Object[] {t, c});
            }
        }
        return out;
    }

    private static void truncate() throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute("TRUNCATE " + A + ".sp_docs, " + B + ".sp_docs, public.sp_docs");
        }
    }

    private static long largeObjects() throws SQLException {
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_largeobject_metadata")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of {@code schema}.sp_docs as "id t b o", large objects read back as hex. */
    private static List<String> stored(String schema) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = admin.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, t, encode(b, 'hex'), encode(lo_get(o), 'hex') FROM "
                     + schema + ".sp_docs ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
            }
        }
        return rows;
    }

    private static String row(int id, Case c) {
        return id + " " + c.t() + " " + c.b() + " " + c.o();
    }

    /**
     * One autocommit execution per case (in an explicit transaction for large objects, which
     * pgjdbc refuses in autocommit), pinned to tenant A, then the same with tenant B pinned by the
     * same statement (another envelope): each row holds the full value, in its tenant only.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndCases")
    void singleExecutionStoresTheWholeValue(Target t, Case c) throws SQLException {
        truncate();
        long before = largeObjects();
        try (Connection conn = PinFixture.citus(t, null)) {
            conn.setAutoCommit(!c.largeObject());
            try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
                conn.setSchema(A);
                ps.setInt(1, 1);
                c.setter().set(ps);
                assertEquals(1, ps.executeUpdate());
                if (!conn.getAutoCommit()) {
                    conn.commit();
                }
                conn.setSchema(B);
                ps.setInt(1, 2);
                c.setter().set(ps);
                assertEquals(1, ps.executeUpdate());
                if (!conn.getAutoCommit()) {
                    conn.commit();
                }
            }
        }
        assertEquals(List.of(row(1, c)), stored(A));
        assertEquals(List.of(row(2, c)), stored(B));
        assertEquals(List.of(), stored("public"));
        assertEquals(c.largeObject() ? 2 : 0, largeObjects() - before, "large objects created");
    }

    /** A pinned batch of three entries, each with its own stream: every entry stores its full value. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("targetsAndCases")
    void batchEntriesStoreTheWholeValue(Target t, Case c) throws SQLException {
        truncate();
        long before = largeObjects();
        try (Connection conn = PinFixture.citus(t, null)) {
            conn.setAutoCommit(!c.largeObject());
            conn.setSchema(A);
            try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
                for (int id = 1; id <= 3; id++) {
                    ps.setInt(1, id);
                    c.setter().set(ps);
                    ps.addBatch();
                }
                assertArrayEquals(new int[] {1, 1, 1}, ps.executeBatch());
                if (!conn.getAutoCommit()) {
                    conn.commit();
                }
            }
        }
        assertEquals(List.of(row(1, c), row(2, c), row(3, c)), stored(A));
        assertEquals(List.of(), stored("public"));
        assertEquals(c.largeObject() ? 3 : 0, largeObjects() - before, "large objects created");
    }

    /** The stream setters pgjdbc 42.7 does not implement fail alike through the driver, pinned. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void settersPgjdbcDoesNotImplementFailAsWithPgjdbc(Target t) throws SQLException {
        List<Setter> unsupported = List.of(
                ps -> ps.setAsciiStream(2, text("x")),
                ps -> ps.setAsciiStream(2, text("x"), 1L),
                ps -> ps.setCharacterStream(2, new StringReader("x"), 1L),
                ps -> ps.setNCharacterStream(2, new StringReader("x")),
                ps -> ps.setNCharacterStream(2, new StringReader("x"), 1L),
                ps -> ps.setClob(2, new StringReader("x")),
                ps -> ps.setClob(2, new StringReader("x"), 1L),
                ps -> ps.setNClob(2, new StringReader("x")),
                ps -> ps.setNClob(2, new StringReader("x"), 1L));
        try (Connection citus = PinFixture.citus(t, null); Connection raw = PinFixture.pgjdbc(t, null)) {
            citus.setSchema(A);
            try (PreparedStatement cp = citus.prepareStatement(INSERT); PreparedStatement rp = raw.prepareStatement(INSERT)) {
                for (Setter s : unsupported) {
                    SQLException expected = assertThrows(SQLException.class, () -> s.set(rp));
                    SQLException actual = assertThrows(SQLException.class, () -> s.set(cp));
                    assertInstanceOf(SQLFeatureNotSupportedException.class, expected);
                    assertEquals(expected.getClass(), actual.getClass());
                    assertEquals(expected.getSQLState(), actual.getSQLState());
                    assertEquals(expected.getMessage(), actual.getMessage());
                }
            }
        }
    }

    /** Bad lengths fail with pgjdbc's SQLState and message, before anything is read or sent. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void badLengthsFailAsWithPgjdbc(Target t) throws SQLException {
        List<Setter> bad = List.of(
                ps -> ps.setBinaryStream(3, bytes(), -1),
                ps -> ps.setBinaryStream(3, bytes(), -1L),
                ps -> ps.setBinaryStream(3, bytes(), Integer.MAX_VALUE + 1L),
                ps -> ps.setCharacterStream(2, new StringReader("x"), -1),
                ps -> ps.setAsciiStream(2, text("x"), -1),
                ps -> setUnicode(ps, 2, text("x"), -1));
        try (Connection citus = PinFixture.citus(t, null); Connection raw = PinFixture.pgjdbc(t, null)) {
            citus.setSchema(A);
            try (PreparedStatement cp = citus.prepareStatement(INSERT); PreparedStatement rp = raw.prepareStatement(INSERT)) {
                for (Setter s : bad) {
                    SQLException expected = assertThrows(SQLException.class, () -> s.set(rp));
                    SQLException actual = assertThrows(SQLException.class, () -> s.set(cp));
                    assertEquals(expected.getSQLState(), actual.getSQLState());
                    assertEquals(expected.getMessage(), actual.getMessage());
                }
            }
        }
    }

    /**
     * A stream shorter than its stated length fails at execution as with pgjdbc, and the
     * connection stays usable for the next pinned statement.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void aStreamShorterThanItsLengthFailsAsWithPgjdbc(Target t) throws SQLException {
        truncate();
        String expectedState;
        try (Connection raw = PinFixture.pgjdbc(t, null); PreparedStatement rp = raw.prepareStatement(
                "INSERT INTO " + A + ".sp_docs (id, t, b, o) VALUES (?, ?, ?, ?)")) {
            rp.setInt(1, 9);
            rest(rp, 2);
            rp.setBinaryStream(3, bytes(), 10);
            expectedState = assertThrows(SQLException.class, rp::executeUpdate).getSQLState();
        }
        try (Connection conn = PinFixture.citus(t, null)) {
            conn.setSchema(A);
            try (PreparedStatement ps = conn.prepareStatement(INSERT)) {
                ps.setInt(1, 9);
                rest(ps, 2);
                ps.setBinaryStream(3, bytes(), 10);
                assertEquals(expectedState, assertThrows(SQLException.class, ps::executeUpdate).getSQLState());
                ps.setBinaryStream(3, bytes(), 5);
                assertEquals(1, ps.executeUpdate());
            }
        }
        assertEquals(List.of("9 null 0102030405 null"), stored(A));
    }
}
