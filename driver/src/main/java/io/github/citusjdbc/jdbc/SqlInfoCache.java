package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlClassifier;
import io.github.citusjdbc.sql.SqlInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The classifications of the SQL texts a connection ran lately, so that a statement prepared again
 * for each use (as with a pool: prepare, execute, close) is not lexed again each time; pgjdbc keeps
 * its parsed queries per connection the same way. Bounded: the 256 texts used last, each under 8,000
 * characters (a longer text is classified each time). A text is lexed only when something asks about
 * it ({@link SqlClassifier#deferred}): with routing off and no tenant pinned nothing does, and the text
 * goes to pgjdbc unread. Not thread-safe (one per connection).
 */
final class SqlInfoCache {

    private static final int ENTRIES = 256;
    private static final int MAX_LENGTH = 8_000;

    private boolean standardConformingStrings = true;
    private final LinkedHashMap<String, SqlInfo> infos = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SqlInfo> eldest) {
            return size() > ENTRIES;
        }
    };

    /**
     * @param sql the text
     * @param std the connection's {@code standard_conforming_strings} now (it changes how text is lexed)
     * @return its classification
     */
    SqlInfo classify(String sql, boolean std) {
        if (sql.length() > MAX_LENGTH) {
            return SqlClassifier.deferred(sql, std);
        }
        if (std != standardConformingStrings) {
            infos.clear();
            standardConformingStrings = std;
        }
        SqlInfo info = infos.get(sql);
        if (info == null) {
            info = SqlClassifier.deferred(sql, std);
            infos.put(sql, info);
        }
        return info;
    }
}
