package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.citusjdbc.sql.SqlClassifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the classifier's answer lets routing do. */
class WorkKindTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "SELECT * FROM items WHERE id = ?                 | DATA",
            "WITH x AS (SELECT 1) SELECT * FROM x             | DATA",
            "INSERT INTO items VALUES (1)                     | DATA",
            "update items set name = 'x'                      | DATA",
            "BEGIN; SELECT 1; COMMIT                          | DATA",
            "SELECT 1; CREATE TABLE t (id int)                | COORDINATOR",
            "CREATE TABLE t (id int)                          | COORDINATOR",
            "ALTER TABLE t ADD COLUMN x int                   | COORDINATOR",
            "CREATE SCHEMA tenant_9                           | COORDINATOR",
            "VACUUM items                                     | COORDINATOR",
            "SELECT citus_move_shard_placement(1, 'a', 1, 'b', 2) | COORDINATOR",
            "SELECT create_distributed_table('t', 'id')       | COORDINATOR",
            "SET statement_timeout = 1000                     | GENERIC",
            "SET LOCAL statement_timeout = 1; SELECT 1        | GENERIC",
            "COPY items TO STDOUT                             | GENERIC",
            "CALL p()                                         | GENERIC",
            "DO $$ BEGIN END $$                               | GENERIC",
            "LOCK TABLE items                                 | GENERIC",
            "COMMIT                                           | GENERIC",
            "'   '                                            | GENERIC",
    })
    void kindOfSqlText(String sql, WorkKind expected) {
        assertEquals(expected, WorkKind.of(SqlClassifier.classify(sql)));
    }
}
