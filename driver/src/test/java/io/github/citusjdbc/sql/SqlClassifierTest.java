package io.github.citusjdbc.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.github.citusjdbc.sql.StatementKind.CALL;
import static io.github.citusjdbc.sql.StatementKind.COPY;
import static io.github.citusjdbc.sql.StatementKind.CREATE_SCHEMA;
import static io.github.citusjdbc.sql.StatementKind.DDL;
import static io.github.citusjdbc.sql.StatementKind.DML;
import static io.github.citusjdbc.sql.StatementKind.DO;
import static io.github.citusjdbc.sql.StatementKind.NON_TRANSACTIONAL;
import static io.github.citusjdbc.sql.StatementKind.OTHER;
import static io.github.citusjdbc.sql.StatementKind.QUERY;
import static io.github.citusjdbc.sql.StatementKind.SESSION;
import static io.github.citusjdbc.sql.StatementKind.TRANSACTION_CONTROL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SqlClassifierTest {

    private static List<StatementKind> kinds(String sql) {
        return SqlClassifier.classify(sql).statements().stream().map(StatementInfo::kind).toList();
    }

    private static List<String> texts(String sql) {
        return SqlClassifier.classify(sql).statements().stream().map(StatementInfo::text).toList();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "SELECT 1 | QUERY",
        "select * from t | QUERY",
        "  (SELECT 1) UNION (SELECT 2) | QUERY",
        "((VALUES (1), (2))) | QUERY",
        "VALUES (1) | QUERY",
        "TABLE items | QUERY",
        "SHOW search_path | QUERY",
        "EXPLAIN ANALYZE SELECT 1 | QUERY",
        "FETCH 10 FROM c | QUERY",
        "WITH x AS (SELECT 1) SELECT * FROM x | QUERY",
        "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM x) SELECT n FROM x | QUERY",
        "WITH x AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM x | DML",
        "WITH x AS (SELECT 1) UPDATE t SET a = 1 | DML",
        "WITH x AS MATERIALIZED (SELECT 1) MERGE INTO t USING x ON true WHEN MATCHED THEN DO NOTHING | DML",
        "WITH x AS (SELECT 1) DELETE FROM t | DML",
        "WITH | OTHER",
        "INSERT INTO t VALUES (1) | DML",
        "update t set a = 1 | DML",
        "DELETE FROM t | DML",
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE | DML",
        "SELECT * INTO new_t FROM t | DDL",
        "COPY t FROM STDIN | COPY",
        "CREATE TABLE t (a int) | DDL",
        "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql | DDL",
        "CREATE TEMP TABLE t (a int) | DDL",
        "CREATE UNIQUE INDEX i ON t (a) | DDL",
        "CREATE INDEX i ON t (a) | DDL",
        "CREATE INDEX CONCURRENTLY i ON t (a) | NON_TRANSACTIONAL",
        "create unique index concurrently i on t (a) | NON_TRANSACTIONAL",
        "CREATE SCHEMA tenant_1 | CREATE_SCHEMA",
        "CREATE SCHEMA IF NOT EXISTS tenant_1 | CREATE_SCHEMA",
        "CREATE SCHEMA AUTHORIZATION app | CREATE_SCHEMA",
        "CREATE DATABASE d | NON_TRANSACTIONAL",
        "CREATE TABLESPACE ts LOCATION '/x' | NON_TRANSACTIONAL",
        "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p | NON_TRANSACTIONAL",
        "ALTER TABLE t ADD COLUMN b int | DDL",
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY | NON_TRANSACTIONAL",
        "ALTER SYSTEM SET work_mem = '1MB' | NON_TRANSACTIONAL",
        "ALTER DATABASE d SET TABLESPACE ts | NON_TRANSACTIONAL",
        "ALTER DATABASE d SET work_mem = '1MB' | DDL",
        "ALTER TYPE mood ADD VALUE 'meh' | DDL",
        "DROP TABLE t | DDL",
        "DROP SCHEMA s CASCADE | DDL",
        "DROP DATABASE d | NON_TRANSACTIONAL",
        "DROP TABLESPACE ts | NON_TRANSACTIONAL",
        "DROP INDEX CONCURRENTLY i | NON_TRANSACTIONAL",
        "DROP INDEX i | DDL",
        "TRUNCATE t | DDL",
        "COMMENT ON TABLE t IS 'x' | DDL",
        "GRANT SELECT ON t TO app | DDL",
        "REVOKE ALL ON t FROM app | DDL",
        "REFRESH MATERIALIZED VIEW CONCURRENTLY mv | DDL",
        "REINDEX TABLE t | DDL",
        "REINDEX INDEX CONCURRENTLY i | NON_TRANSACTIONAL",
        "REINDEX (VERBOSE, CONCURRENTLY) TABLE t | NON_TRANSACTIONAL",
        "REINDEX (VERBOSE) TABLE t | DDL",
        "REINDEX SCHEMA s | NON_TRANSACTIONAL",
        "REINDEX DATABASE d | NON_TRANSACTIONAL",
        "REINDEX SYSTEM d | NON_TRANSACTIONAL",
        "CLUSTER | NON_TRANSACTIONAL",
        "CLUSTER VERBOSE | NON_TRANSACTIONAL",
        "CLUSTER (VERBOSE) | NON_TRANSACTIONAL",
        "CLUSTER t USING i | DDL",
        "CLUSTER VERBOSE t | DDL",
        "VACUUM | NON_TRANSACTIONAL",
        "vacuum (analyze) t | NON_TRANSACTIONAL",
        "ANALYZE t | OTHER",
        "CHECKPOINT | OTHER",
        "LOCK TABLE t | OTHER",
        "BEGIN | TRANSACTION_CONTROL",
        "BEGIN ISOLATION LEVEL SERIALIZABLE | TRANSACTION_CONTROL",
        "START TRANSACTION READ ONLY | TRANSACTION_CONTROL",
        "COMMIT | TRANSACTION_CONTROL",
        "END | TRANSACTION_CONTROL",
        "ROLLBACK | TRANSACTION_CONTROL",
        "ROLLBACK TO SAVEPOINT a | TRANSACTION_CONTROL",
        "ABORT | TRANSACTION_CONTROL",
        "SAVEPOINT a | TRANSACTION_CONTROL",
        "RELEASE SAVEPOINT a | TRANSACTION_CONTROL",
        "PREPARE TRANSACTION 'x' | TRANSACTION_CONTROL",
        "COMMIT PREPARED 'x' | TRANSACTION_CONTROL",
        "ROLLBACK PREPARED 'x' | TRANSACTION_CONTROL",
        "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE | TRANSACTION_CONTROL",
        "SET LOCAL TRANSACTION READ ONLY | TRANSACTION_CONTROL",
        "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE | TRANSACTION_CONTROL",
        "SET SESSION AUTHORIZATION app | SESSION",
        "SET work_mem = '1MB' | SESSION",
        "SET LOCAL search_path TO t | SESSION",
        "SET ROLE app | SESSION",
        "RESET work_mem | SESSION",
        "DISCARD PLANS | SESSION",
        "DISCARD ALL | NON_TRANSACTIONAL",
        "LISTEN ch | SESSION",
        "UNLISTEN * | SESSION",
        "NOTIFY ch, 'x' | SESSION",
        "LOAD 'auto_explain' | SESSION",
        "PREPARE p AS SELECT 1 | SESSION",
        "EXECUTE p | SESSION",
        "DEALLOCATE ALL | SESSION",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1 | SESSION",
        "CLOSE c | SESSION",
        "MOVE NEXT IN c | SESSION",
        "CALL p(1) | CALL",
        "{call p(?)} | CALL",
        "{ ? = call f(?) } | CALL",
        "{?= call f(?)} | CALL",
        "DO $$ BEGIN PERFORM 1; END $$ | DO",
        "FOO BAR | OTHER",
        "42 | OTHER",
    })
    void classifiesByLeadingKeywords(String sql, StatementKind expected) {
        assertEquals(List.of(expected), kinds(sql), sql);
    }

    @Test
    void keywordsInsideStringsCommentsAndIdentifiersDoNotCount() {
        assertEquals(List.of(QUERY), kinds("/* VACUUM */ -- BEGIN\n SELECT 'COMMIT; VACUUM'"));
        assertEquals(List.of(QUERY), kinds("SELECT \"VACUUM\" FROM \"BEGIN\""));
        assertEquals(List.of(DML), kinds("WITH a AS (SELECT 'INSERT') UPDATE t SET \"SELECT\" = $x$ DELETE $x$"));
        assertEquals(List.of(OTHER), kinds("\"SELECT\" 1"));
    }

    @Test
    void splitsOnSemicolonsOutsideQuotesCommentsAndParentheses() {
        String sql = "SELECT ';' AS a; /* ; /* nested ; */ still ; */ SELECT \"x;y\"; SELECT $$;$$;"
                + " SELECT $tag$ $$ ; $tag$; SELECT E'\\';'; -- ; comment\nSELECT 1";
        assertEquals(List.of("SELECT ';' AS a", "SELECT \"x;y\"", "SELECT $$;$$", "SELECT $tag$ $$ ; $tag$",
                "SELECT E'\\';'", "SELECT 1"), texts(sql));
    }

    @Test
    void semicolonInsideParenthesesDoesNotSplitAsInPgjdbc() {
        assertEquals(1, SqlClassifier.classify("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))").statementCount());
        // pgjdbc's depth goes negative on a stray ')' and then never splits again: follow it.
        assertEquals(1, SqlClassifier.classify("SELECT 1); SELECT 2").statementCount());
    }

    @Test
    void emptyStatementsAreIgnored() {
        SqlInfo info = SqlClassifier.classify(" ; ;SELECT 1;;\n; ");
        assertEquals(1, info.statementCount());
        assertFalse(info.isMultiStatement());
        assertEquals(1, info.pgjdbcQueryCount());
        assertTrue(SqlClassifier.classify("").isEmpty());
        assertTrue(SqlClassifier.classify(null).isEmpty());
        assertTrue(SqlClassifier.classify(" ;; ").isEmpty());
        assertEquals(0, SqlClassifier.classify(" ;; ").pgjdbcQueryCount());
    }

    @Test
    void commentOnlyPiecesAreNoStatementsButPgjdbcSendsThem() {
        SqlInfo info = SqlClassifier.classify("SELECT 1; -- trailing\n; /* alone */");
        assertEquals(1, info.statementCount());
        assertEquals(3, info.pgjdbcQueryCount());
        assertTrue(SqlClassifier.classify("-- only a comment").isEmpty());
        assertEquals(1, SqlClassifier.classify("-- only a comment").pgjdbcQueryCount());
    }

    @Test
    void standardConformingStringsTreatBackslashAsOrdinary() {
        // 'a\' is a complete string with standard_conforming_strings on.
        assertEquals(List.of("SELECT 'a\\'", "SELECT 2"), texts("SELECT 'a\\'; SELECT 2"));
        assertEquals(List.of("SELECT 'it''s'", "SELECT 2"), texts("SELECT 'it''s'; SELECT 2"));
    }

    @Test
    void withStandardConformingStringsOffBackslashesEscapeInOrdinaryAndNationalStrings() {
        SqlInfo off = SqlClassifier.classify("SELECT 'it\\'s; ?', ?; SELECT 2", false);
        assertTrue(off.isTerminated());
        assertEquals(List.of("SELECT 'it\\'s; ?', ?", "SELECT 2"),
                off.statements().stream().map(StatementInfo::text).toList());
        assertEquals(1, off.parameterCount());
        SqlInfo on = SqlClassifier.classify("SELECT 'it\\'s; ?', ?; SELECT 2", true);
        assertFalse(on.isTerminated()); // the last quote opens a string that never ends
        assertFalse(on.isSafeToWrap());
        assertTrue(SqlClassifier.classify("SELECT N'a\\'b'", false).isTerminated());
        assertFalse(SqlClassifier.classify("SELECT N'a\\'b'", true).isTerminated());
        // B'' and X'' never have escapes; E'' always has them; dollar quotes never.
        assertTrue(SqlClassifier.classify("SELECT X'a\\'", false).isTerminated());
        assertTrue(SqlClassifier.classify("SELECT E'a\\'b'", true).isTerminated());
        assertTrue(SqlClassifier.classify("SELECT $$a\\$$", false).isTerminated());
        assertFalse(SqlClassifier.classify("SELECT 'a\\'", false).isTerminated());
        assertTrue(SqlClassifier.classify("SELECT 'a\\\\'", false).isTerminated());
    }

    @Test
    void escapeStringsHonourBackslashes() {
        assertEquals(List.of("SELECT E'a\\'; b'", "SELECT 2"), texts("SELECT E'a\\'; b'; SELECT 2"));
        assertEquals(List.of("SELECT e'x\\\\'", "SELECT 2"), texts("SELECT e'x\\\\'; SELECT 2"));
        assertEquals(List.of("SELECT E'a''b'", "SELECT 2"), texts("SELECT E'a''b'; SELECT 2"));
        // A word ending in e followed by a quote is not an escape string.
        assertEquals(List.of("SELECT some'\\'", "SELECT 2"), texts("SELECT some'\\'; SELECT 2"));
    }

    @Test
    void otherPrefixedStringsQuoteLikePlainOnes() {
        assertEquals(2, SqlClassifier.classify("SELECT B'1;0', X'1F;', N'n;', U&'d\\0061t;a'; SELECT 2").statementCount());
        assertEquals(2, SqlClassifier.classify("SELECT U&\"d;a\" FROM t; SELECT 2").statementCount());
    }

    @Test
    void dollarQuotesNeedAMatchingTag() {
        assertEquals(List.of("SELECT $a$ $b$ ; $a$", "SELECT 2"), texts("SELECT $a$ $b$ ; $a$; SELECT 2"));
        // $1 is a positional parameter, and $ inside an identifier starts nothing.
        assertEquals(List.of("SELECT $1", "SELECT a$b$", "SELECT 2"), texts("SELECT $1; SELECT a$b$; SELECT 2"));
    }

    @Test
    void quotedIdentifiersDoubleTheirQuotes() {
        assertEquals(List.of("SELECT \"a\"\";b\"", "SELECT 2"), texts("SELECT \"a\"\";b\"; SELECT 2"));
    }

    @Test
    void nestedBlockCommentsNest() {
        assertEquals(List.of("SELECT 1"), texts("/* a /* b */ ; c */ SELECT 1"));
    }

    @Test
    void placeholdersAreCountedAsPgjdbcDoes() {
        SqlInfo info = SqlClassifier.classify("SELECT ?, '?', \"?\", $$?$$, /* ? */ a ?? 'k', ?::int -- ?\n; INSERT INTO t VALUES (?)");
        assertEquals(2, info.statements().get(0).parameterCount());
        assertEquals(1, info.statements().get(1).parameterCount());
        assertEquals(3, info.parameterCount());
    }

    @Test
    void jdbcEscapesAreLeftIntact() {
        String sql = "SELECT {fn ucase('a;b')}, {d '2020-01-01'} FROM t";
        SqlInfo info = SqlClassifier.classify(sql);
        assertEquals(List.of(sql), texts(sql));
        assertEquals(QUERY, info.firstKind());
        assertTrue(info.isSafeToWrap());
    }

    @Test
    void returningIsSeenOnlyAtTopLevel() {
        assertTrue(SqlClassifier.classify("INSERT INTO t VALUES (1) RETURNING id").statements().get(0).hasReturning());
        assertTrue(SqlClassifier.classify("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x returning *").statements().get(0).hasReturning());
        assertFalse(SqlClassifier.classify("WITH x AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM x").statements().get(0).hasReturning());
        assertFalse(SqlClassifier.classify("INSERT INTO t VALUES ('RETURNING') -- RETURNING").statements().get(0).hasReturning());
        assertFalse(SqlClassifier.classify("INSERT INTO t (\"returning\") VALUES (1)").statements().get(0).hasReturning());
    }

    @Test
    void safeToWrapOnlyWhenEveryStatementIsTransactional() {
        assertTrue(SqlClassifier.classify("SELECT 1").isSafeToWrap());
        assertTrue(SqlClassifier.classify("INSERT INTO t VALUES (1); UPDATE t SET a = 2; SET work_mem = '4MB'").isSafeToWrap());
        assertTrue(SqlClassifier.classify("CREATE SCHEMA s; CREATE TABLE s.t (a int)").isSafeToWrap());
        assertFalse(SqlClassifier.classify("BEGIN; SELECT 1; COMMIT").isSafeToWrap());
        assertFalse(SqlClassifier.classify("SELECT 1; VACUUM t").isSafeToWrap());
        assertFalse(SqlClassifier.classify("CALL p()").isSafeToWrap());
        assertFalse(SqlClassifier.classify("DO $$ BEGIN COMMIT; END $$").isSafeToWrap());
        assertFalse(SqlClassifier.classify("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").isSafeToWrap());
        assertFalse(SqlClassifier.classify("").isSafeToWrap());
        assertFalse(SqlClassifier.classify("SELECT 'unterminated").isSafeToWrap());
        assertTrue(SqlClassifier.classify("BEGIN; SELECT 1; COMMIT").hasTransactionControl());
        assertTrue(SqlClassifier.classify("SELECT 1; VACUUM").hasNonTransactional());
        assertTrue(SqlClassifier.classify("SELECT 1; VACUUM").isMultiStatement());
    }

    @Test
    void sqlThatMayChangeTheTopologyIsRecognised() {
        assertTrue(SqlClassifier.classify("CREATE SCHEMA tenant_7").mayChangeTopology());
        assertTrue(SqlClassifier.classify("SET x TO 1; create schema if not exists t").mayChangeTopology());
        assertTrue(SqlClassifier.classify("SELECT citus_schema_move('t', 'h', 5432)").mayChangeTopology());
        assertFalse(SqlClassifier.classify("CREATE TABLE t.items (id int)").mayChangeTopology());
        assertTrue(SqlClassifier.classify("CREATE TABLE t.items (id int)").hasDdl(), "DDL: an early refresh only");
        assertFalse(SqlClassifier.classify("SELECT 'CREATE SCHEMA x'").mayChangeTopology());
        assertFalse(SqlClassifier.classify("SELECT * FROM items").hasDdl());
    }

    @Test
    void citusManagementFunctionsAreRecognisedWhenCalled() {
        assertTrue(SqlClassifier.classify("SELECT create_distributed_table('t', 'id')").callsCitusFunction());
        assertTrue(SqlClassifier.classify("SELECT citus_add_node('h', 5432)").callsCitusFunction());
        assertTrue(SqlClassifier.classify("select pg_catalog.CITUS_SCHEMA_MOVE ('s', 'h', 1)").callsCitusFunction());
        assertTrue(SqlClassifier.classify("SELECT master_get_active_worker_nodes()").callsCitusFunction());
        assertTrue(SqlClassifier.classify("SELECT * FROM undistribute_table('t')").callsCitusFunction());
        assertTrue(SqlClassifier.classify("SELECT \"create_reference_table\"('t')").callsCitusFunction());
        assertTrue(SqlClassifier.classify("SELECT alter_distributed_table('t', shard_count := 8)").callsCitusFunction());
        assertTrue(SqlClassifier.classify("CALL citus_cleanup_orphaned_resources()").callsCitusFunction());
        assertFalse(SqlClassifier.classify("SELECT * FROM citus_shards").callsCitusFunction(), "a view, not a call");
        assertFalse(SqlClassifier.classify("SELECT 'citus_add_node(1)'").callsCitusFunction());
        assertFalse(SqlClassifier.classify("SELECT my_citus_fn()").callsCitusFunction());
        assertFalse(SqlClassifier.classify("SELECT \"CITUS_ADD_NODE\"()").callsCitusFunction(), "quoted names are case-sensitive");
        assertFalse(SqlClassifier.classify("SELECT citus_()").callsCitusFunction(), "the bare prefix is no function");
    }

    @Test
    void rollbacksAndChainsAreFlagged() {
        for (String sql : List.of("ROLLBACK", "rollback work", "ABORT", "ROLLBACK TO SAVEPOINT s", "ROLLBACK TO s",
                "ROLLBACK AND CHAIN", "COMMIT AND CHAIN", "commit work and chain", "END TRANSACTION AND CHAIN",
                "SELECT 1; ROLLBACK", "/* x */ ROLLBACK;")) {
            assertTrue(SqlClassifier.classify(sql).rollsBackOrChains(), sql);
        }
        for (String sql : List.of("COMMIT", "COMMIT AND NO CHAIN", "END", "BEGIN", "START TRANSACTION", "SAVEPOINT s",
                "RELEASE SAVEPOINT s", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", "SELECT 'ROLLBACK'",
                "PREPARE TRANSACTION 'x'", "SELECT chain FROM t")) {
            assertFalse(SqlClassifier.classify(sql).rollsBackOrChains(), sql);
        }
    }

    @Test
    void searchPathChangesAreFlagged() {
        for (String sql : List.of("SET search_path TO a", "set session SEARCH_PATH = a", "SET LOCAL search_path TO a",
                "SET SCHEMA 'a'", "RESET search_path", "RESET ALL", "DISCARD ALL",
                "SELECT set_config('search_path', 'a', false)", "SELECT 1; SELECT pg_catalog.set_config('x', 'y', true)")) {
            assertTrue(SqlClassifier.classify(sql).touchesSearchPath(), sql);
        }
        for (String sql : List.of("SET work_mem = '1MB'", "SHOW search_path", "SELECT 'set_config(x)'", "RESET work_mem")) {
            assertFalse(SqlClassifier.classify(sql).touchesSearchPath(), sql);
        }
    }

    @Test
    void statementOffsetsPointIntoTheText() {
        String sql = "  SELECT 1 ;\n  -- c\n  INSERT INTO t VALUES (?) RETURNING id  ;";
        SqlInfo info = SqlClassifier.classify(sql);
        assertEquals(2, info.statementCount());
        StatementInfo ins = info.statements().get(1);
        assertEquals("INSERT INTO t VALUES (?) RETURNING id", sql.substring(ins.start(), ins.end()));
        assertEquals(DML, ins.kind());
        assertEquals(List.of(QUERY, DML), kinds(sql));
    }

    @Test
    void mixedKindsKeepTheirOrder() {
        assertEquals(List.of(CREATE_SCHEMA, DDL, DML, QUERY, SESSION, COPY, CALL, DO, TRANSACTION_CONTROL, NON_TRANSACTIONAL),
                kinds("CREATE SCHEMA s; CREATE TABLE s.t(a int); INSERT INTO s.t VALUES (1); SELECT 1; LISTEN x;"
                        + " COPY t TO STDOUT; CALL p(); DO 'BEGIN END'; COMMIT; VACUUM"));
    }

    /** A deferred classification, lexed at the first question, answers every question as the eager one. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "SELECT 1|true", "BEGIN; SET search_path TO t; INSERT INTO a VALUES (?, ?); COMMIT|true",
            "SELECT 'it\\'s'|false", "SELECT 'open|true", "CREATE SCHEMA s; SELECT citus_schema_move('s', 1)|true",
            "VACUUM a; ROLLBACK AND CHAIN|true", "-- only a comment|true", "CREATE TABLE t (a int)|true"})
    void deferredAnswersAsClassify(String sql, boolean std) {
        SqlInfo eager = SqlClassifier.classify(sql, std);
        SqlInfo deferred = SqlClassifier.deferred(sql, std);
        assertEquals(eager.sql(), deferred.sql());
        assertEquals(eager.toString(), deferred.toString()); // the statements, terminated, wrappable
        assertEquals(eager.pgjdbcQueryCount(), deferred.pgjdbcQueryCount());
        assertEquals(eager.parameterCount(), deferred.parameterCount());
        assertEquals(eager.isTerminated(), deferred.isTerminated());
        assertEquals(eager.isSafeToWrap(), deferred.isSafeToWrap());
        assertEquals(eager.hasTransactionControl(), deferred.hasTransactionControl());
        assertEquals(eager.hasNonTransactional(), deferred.hasNonTransactional());
        assertEquals(eager.mayChangeTopology(), deferred.mayChangeTopology());
        assertEquals(eager.hasDdl(), deferred.hasDdl());
        assertEquals(eager.touchesSearchPath(), deferred.touchesSearchPath());
        assertEquals(eager.rollsBackOrChains(), deferred.rollsBackOrChains());
        assertEquals(eager.firstKind(), deferred.firstKind());
    }
}
