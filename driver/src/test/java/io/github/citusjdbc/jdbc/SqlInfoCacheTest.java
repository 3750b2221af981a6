package io.github.citusjdbc.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.github.citusjdbc.sql.SqlInfo;
import org.junit.jupiter.api.Test;

/** The per-connection classification cache: one lexing per text, redone when lexing rules change. */
class SqlInfoCacheTest {

    @Test
    void aTextIsClassifiedOnceWhileTheLexingRulesStay() {
        SqlInfoCache cache = new SqlInfoCache();
        SqlInfo first = cache.classify("SELECT name FROM items WHERE id = ?", true);
        assertSame(first, cache.classify(new String("SELECT name FROM items WHERE id = ?"), true), "equal text, same info");
        SqlInfo off = cache.classify("SELECT name FROM items WHERE id = ?", false);
        assertNotSame(first, off, "standard_conforming_strings changed: classified again");
        assertEquals(first.pgjdbcQueryCount(), off.pgjdbcQueryCount());
    }

    @Test
    void theCacheIsBoundedAndLongTextsAreNotKept() {
        SqlInfoCache cache = new SqlInfoCache();
        SqlInfo kept = cache.classify("SELECT 0", true);
        for (int i = 1; i <= 300; i++) {
            cache.classify("SELECT " + i, true);
        }
        assertNotSame(kept, cache.classify("SELECT 0", true), "the least recently used text was dropped");
        String huge = "SELECT '" + "x".repeat(10_000) + "'";
        assertNotSame(cache.classify(huge, true), cache.classify(huge, true), "over 8,000 characters: not kept");
    }
}
