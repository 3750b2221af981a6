package io.github.citusjdbc.tenant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.SQLException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TenantNameTest {

    @ParameterizedTest
    @ValueSource(strings = {"t", "tenant_7", "Tenant_7", "_x", "a$b", "a1", "T$", "\u00e9cole", "\u043a\u043b\u0438\u0435\u043d\u0442",
        "\u79df\u6237", "\uD840\uDC0B", "\u01C5x"})
    void acceptsLettersDigitsUnderscoreAndDollar(String name) throws SQLException {
        assertEquals(name, TenantName.validate(name));
        assertTrue(TenantName.isValid(name));
    }

    @Test
    void acceptsExactly63BytesAndRejects64() throws SQLException {
        TenantName.validate("a".repeat(63));
        assertInvalid("a".repeat(64), "64 bytes");
        // 'é' is 2 bytes in UTF-8: 31 of them plus one ASCII letter is 63 bytes, 32 are 64.
        TenantName.validate("\u00e9".repeat(31) + "a");
        assertInvalid("\u00e9".repeat(32), "64 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1abc", "$abc", "a b", "a,b", "a;b", "a\"b", "a'b", "a\\b", "a.b", "a-b", " a", "a\t",
        "a\nb", "a\u0000b", "a\u001bb", "e\u0301", "\u0661", "a\u0661", "a\u200bb", "a\u202eb", "a\u00a0b", "\uD800",
        "a\uDC00", "a)b", "a*b", "search_path TO x"})
    void rejectsEverythingElse(String name) {
        SQLException e = assertThrows(SQLException.class, () -> TenantName.validate(name));
        assertEquals("42602", e.getSQLState());
        assertFalse(TenantName.isValid(name));
    }

    @Test
    void rejectsNullAndEmpty() {
        assertInvalid(null, "null");
        assertInvalid("", "empty");
    }

    @Test
    void messageNamesTheProblemWithoutEchoingControlCharacters() {
        SQLException e = assertThrows(SQLException.class, () -> TenantName.validate("ab\u001b[31m\ncd"));
        assertFalse(e.getMessage().chars().anyMatch(Character::isISOControl), e.getMessage());
        assertTrue(e.getMessage().contains("\\u001B"), e.getMessage());
        assertTrue(e.getMessage().contains("U+001B at position 2"), e.getMessage());
        SQLException rtl = assertThrows(SQLException.class, () -> TenantName.validate("a\u202eb"));
        assertTrue(rtl.getMessage().contains("\\u202E"), rtl.getMessage());
        assertTrue(assertThrows(SQLException.class, () -> TenantName.validate("1a")).getMessage().contains("starts with a letter"));
        assertTrue(assertThrows(SQLException.class, () -> TenantName.validate("a;b")).getMessage().contains("';' at position 1"));
        String longBad = ";" + "x".repeat(10_000);
        assertTrue(assertThrows(SQLException.class, () -> TenantName.validate(longBad)).getMessage().length() < 300);
    }

    @Test
    void quotesAsIdentifier() {
        assertEquals("\"Tenant_7\"", TenantName.quote("Tenant_7"));
        assertEquals("\"a\"\"b\"", TenantName.quote("a\"b"));
    }

    @Test
    void pinStatementsQuoteEverySchemaInOrder() throws SQLException {
        TenantPath p = TenantPath.of("Tenant_7", List.of("public", "shared$1"));
        assertEquals("SET LOCAL search_path TO \"Tenant_7\", \"public\", \"shared$1\"", p.setLocalSql());
        assertEquals("SET search_path TO \"Tenant_7\", \"public\", \"shared$1\"", p.setSessionSql());
        assertEquals(List.of("Tenant_7", "public", "shared$1"), p.schemas());
        assertEquals("SET LOCAL search_path TO \"t\"", TenantPath.of("t").setLocalSql());
        assertEquals(TenantPath.of("t", List.of("public")), TenantPath.of("t", List.of("public")));
    }

    @Test
    void pathRejectsBadOrRepeatedSchemas() {
        assertEquals("42602", assertThrows(SQLException.class, () -> TenantPath.of("t", List.of("pub lic"))).getSQLState());
        assertEquals("42602", assertThrows(SQLException.class, () -> TenantPath.of("t", List.of("t"))).getSQLState());
        assertEquals("42602", assertThrows(SQLException.class, () -> TenantPath.of("t;DROP", List.of())).getSQLState());
    }

    private static void assertInvalid(String name, String fragment) {
        SQLException e = assertThrows(SQLException.class, () -> TenantName.validate(name));
        assertEquals("42602", e.getSQLState());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
