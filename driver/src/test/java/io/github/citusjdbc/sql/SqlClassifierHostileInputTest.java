package io.github.citusjdbc.sql;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed, truncated and random text never makes the classifier throw, hang or guess optimistically. */
class SqlClassifierHostileInputTest {

    @Test
    void unterminatedConstructsAreReportedAndNotSafeToWrap() {
        for (String sql : new String[] {
            "SELECT 'abc", "SELECT E'abc\\'", "SELECT \"abc", "SELECT $$abc", "SELECT $t$abc $$",
            "SELECT 1 /* abc", "SELECT 1 /* a /* b */", "SELECT U&'x", "SELECT U&\"x", "SELECT B'01",
        }) {
            SqlInfo info = SqlClassifier.classify(sql);
            assertFalse(info.isTerminated(), sql);
            assertFalse(info.isSafeToWrap(), sql);
            assertEquals(1, info.statementCount(), sql);
        }
    }

    @Test
    void trailingLineCommentIsTerminatedButSwallowsASameLineSuffix() {
        SqlInfo info = SqlClassifier.classify("SELECT 1 -- note");
        assertTrue(info.isTerminated());
        assertTrue(info.isSafeToWrap());
        // Which is why a wrapper must start its suffix on a new line:
        assertEquals(1, SqlClassifier.classify("SELECT 1 -- note; COMMIT").statementCount());
        assertEquals(2, SqlClassifier.classify("SELECT 1 -- note\n; COMMIT").statementCount());
    }

    @Test
    void danglingFragmentsDoNotThrow() {
        for (String sql : new String[] {
            "$", "$$", "$a", "$1", "?", "??", "'", "\"", "E", "E'", "U&", "U&'", "/*", "*/", "-", "--", "/", "(", ")",
            "))((", "{", "}", "{call", "{?=", "{ ? = call", ";", "WITH", "CREATE", "ALTER DATABASE", "REINDEX (",
            "CLUSTER (", "SET", "SET SESSION", "RESET", "DISCARD", "PREPARE", "\u0000", "\uD800", "é'", "1e'x'",
            "SELECT f(", "citus_add_node(", "\"citus_x\"(",
        }) {
            SqlInfo info = SqlClassifier.classify(sql);
            assertTrue(info.statementCount() <= 1, sql);
        }
    }

    @Test
    void randomTextNeverThrows() {
        SplittableRandom rnd = new SplittableRandom(20240611L);
        String alphabet = "'\"$-/*;(){}?E e\\\nU&tagSELECTBEGINvacuum1_\u00e9\r\t";
        StringBuilder sb = new StringBuilder();
        for (int round = 0; round < 20_000; round++) {
            sb.setLength(0);
            int len = rnd.nextInt(60);
            for (int i = 0; i < len; i++) {
                sb.append(rnd.nextInt(10) == 0 ? (char) rnd.nextInt(0x10000) : alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String sql = sb.toString();
            SqlInfo info = SqlClassifier.classify(sql);
            for (StatementInfo st : info.statements()) {
                assertTrue(st.start() >= 0 && st.start() < st.end() && st.end() <= sql.length(), sql);
                st.text();
            }
            assertTrue(info.pgjdbcQueryCount() >= info.statementCount(), sql);
        }
    }

    @Test
    void hugeInputIsLinear() {
        String big = "SELECT '" + "x".repeat(2_000_000) + "'; SELECT 2 " + "/*".repeat(100_000) + "$a".repeat(100_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            SqlInfo info = SqlClassifier.classify(big);
            assertFalse(info.isTerminated());
            assertEquals(2, info.statementCount());
        });
        String many = "SELECT 1;".repeat(200_000);
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> assertEquals(200_000, SqlClassifier.classify(many).statementCount()));
    }
}
