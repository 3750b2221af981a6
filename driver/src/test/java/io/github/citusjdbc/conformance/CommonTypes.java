package io.github.citusjdbc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Round trip of the common PostgreSQL types through one prepared statement. */
final class CommonTypes {

    private CommonTypes() {
    }

    /**
     * @param c    an open connection
     * @param runs executions of the same statement; with more than 5, pgjdbc's default
     *             {@code prepareThreshold} switches to a named server-side statement on the way
     */
    static void assertRoundTrip(Connection c, int runs) throws SQLException {
        OffsetDateTime instant = OffsetDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000, ZoneOffset.ofHours(5));
        LocalDateTime local = LocalDateTime.of(2001, 12, 31, 12, 0, 1);
        UUID uuid = UUID.fromString("0b9c1b7e-1c1d-4e8a-9d67-5f6f8a2b3c4d");
        byte[] bytes = {0, 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff};
        try (PreparedStatement ps = c.prepareStatement("SELECT ?::int4, ?::int8, ?::numeric,"
                + " ?::float8, ?::text, ?::bytea, ?::timestamptz, ?::timestamp, ?::date, ?::bool, ?::int4[],"
                + " ?::text[], ?::json, ?::jsonb, ?::uuid, ?::text, ?::int4")) {
            for (int run = 0; run < runs; run++) {
                ps.setInt(1, -42);
                ps.setLong(2, Long.MAX_VALUE);
                ps.setBigDecimal(3, new BigDecimal("-12345678901234567890.000123"));
                ps.setDouble(4, 0.1);
                ps.setString(5, "héllo 'quoted' \\ ünïcødé");
                ps.setBytes(6, bytes);
                ps.setObject(7, instant);
                ps.setObject(8, local);
                ps.setObject(9, LocalDate.of(1999, 1, 1));
                ps.setBoolean(10, true);
                ps.setArray(11, c.createArrayOf("int4", new Integer[] {1, null, 3}));
                ps.setArray(12, c.createArrayOf("text", new String[] {"a", "b,c", "\"d\""}));
                ps.setString(13, "{\"a\": 1}");
                ps.setObject(14, "{\"b\": [1, 2], \"a\": null}", Types.OTHER);
                ps.setObject(15, uuid);
                ps.setNull(16, Types.VARCHAR);
                ps.setObject(17, null, Types.INTEGER);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(-42, rs.getInt(1));
                    assertEquals(Long.MAX_VALUE, rs.getLong(2));
                    assertEquals(new BigDecimal("-12345678901234567890.000123"), rs.getBigDecimal(3));
                    assertEquals(0.1, rs.getDouble(4));
                    assertEquals("héllo 'quoted' \\ ünïcødé", rs.getString(5));
                    assertArrayEquals(bytes, rs.getBytes(6));
                    assertTrue(instant.isEqual(rs.getObject(7, OffsetDateTime.class)));
                    assertEquals(local, rs.getObject(8, LocalDateTime.class));
                    assertEquals(LocalDate.of(1999, 1, 1), rs.getObject(9, LocalDate.class));
                    assertTrue(rs.getBoolean(10));
                    assertArrayEquals(new Integer[] {1, null, 3}, (Integer[]) rs.getArray(11).getArray());
                    assertArrayEquals(new String[] {"a", "b,c", "\"d\""}, (String[]) rs.getArray(12).getArray());
                    assertEquals("{\"a\": 1}", rs.getString(13));
                    assertEquals("{\"a\": null, \"b\": [1, 2]}", rs.getString(14));
                    assertEquals(uuid, rs.getObject(15));
                    assertNull(rs.getString(16));
                    assertTrue(rs.wasNull());
                    assertEquals(0, rs.getInt(17));
                    assertTrue(rs.wasNull());
                    assertSame(ps, rs.getStatement());
                }
            }
        }
    }
}
