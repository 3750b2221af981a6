package io.github.citusjdbc.sql;

/**
 * Collects the tokens of one statement as the lexer produces them and classifies the statement
 * when it ends. Keeps the first {@value #MAX} tokens (enough for every leading-keyword rule) and
 * running flags for what may appear anywhere (top-level {@code RETURNING}, function calls, ...).
 * Reused for every statement of one text; not thread-safe.
 */
final class StatementScanner {
    private static final int MAX = 10;
    private static final int MAIN_NONE = 0;
    private static final int MAIN_QUERY = 1;
    private static final int MAIN_DML = 2;
    /** Citus management functions without a {@code citus_} or {@code master_} prefix. */
    private static final String[] CITUS_FUNCTIONS = {
        "create_distributed_table", "create_distributed_table_concurrently", "create_reference_table",
        "create_distributed_function", "undistribute_table", "alter_distributed_table",
        "alter_table_set_access_method", "update_distributed_table_colocation", "mark_tables_colocated",
        "rebalance_table_shards", "replicate_table_shards", "get_rebalance_table_shards_plan",
        "isolate_tenant_to_new_shard", "truncate_local_data_after_distributing_table",
        "remove_local_tables_from_metadata", "create_time_partitions", "drop_old_time_partitions",
        "alter_old_partitions_set_access_method", "run_command_on_workers", "run_command_on_all_nodes",
        "run_command_on_shards", "run_command_on_placements", "run_command_on_colocated_placements",
        "start_metadata_sync_to_node", "stop_metadata_sync_to_node", "start_metadata_sync_to_all_nodes",
        "fix_partition_shard_index_names", "fix_all_partition_shard_index_names", "replicate_reference_tables",
    };

    private final String s;
    private final int[] types = new int[MAX];
    private final int[] starts = new int[MAX];
    private final int[] ends = new int[MAX];
    private int count;
    private int total;
    private int depth;
    private int leadDepth = -1;
    private int stmtStart;
    private int stmtEnd;
    private int params;
    private int flags;
    private boolean concurrently;
    private boolean into;
    private int main;
    private int prevType;
    private int prevStart;
    private int prevEnd;

    StatementScanner(String s) {
        this.s = s;
    }

    /** Forgets the previous statement. */
    void reset() {
        count = total = depth = params = flags = main = 0;
        leadDepth = -1;
        concurrently = into = false;
        prevType = SqlLexer.EOF;
    }

    /** @return whether no token was accepted since {@link #reset()} */
    boolean isEmpty() {
        return total == 0;
    }

    /** @return the current parenthesis depth, which may go negative as in pgjdbc */
    int depth() {
        return depth;
    }

    void accept(int type, int start, int end) {
        if (total == 0) {
            stmtStart = start;
        }
        stmtEnd = end;
        total++;
        if (leadDepth < 0 && type != SqlLexer.LPAREN) {
            leadDepth = depth;
        }
        switch (type) {
            case SqlLexer.LPAREN -> {
                if (prevType == SqlLexer.WORD || prevType == SqlLexer.QUOTED_IDENT) {
                    functionCall(prevType == SqlLexer.QUOTED_IDENT);
                }
                depth++;
            }
            case SqlLexer.RPAREN -> depth--;
            case SqlLexer.PARAM -> params++;
            case SqlLexer.WORD -> word(start, end);
            default -> { }
        }
        if (count < MAX) {
            types[count] = type;
            starts[count] = start;
            ends[count] = end;
            count++;
        }
        prevType = type;
        prevStart = start;
        prevEnd = end;
    }

    private void word(int start, int end) {
        if (depth == leadDepth) {
            if (SqlLexer.isKeyword(s, start, end, "returning")) {
                flags |= StatementInfo.RETURNING;
            } else if (SqlLexer.isKeyword(s, start, end, "into")) {
                into = true;
            } else if (main == MAIN_NONE) {
                if (SqlLexer.isKeyword(s, start, end, "select") || SqlLexer.isKeyword(s, start, end, "values")
                        || SqlLexer.isKeyword(s, start, end, "table")) {
                    main = MAIN_QUERY;
                } else if (SqlLexer.isKeyword(s, start, end, "insert") || SqlLexer.isKeyword(s, start, end, "update")
                        || SqlLexer.isKeyword(s, start, end, "delete") || SqlLexer.isKeyword(s, start, end, "merge")) {
                    main = MAIN_DML;
                }
            }
        }
        // REINDEX takes CONCURRENTLY inside its option list, one level down.
        if (depth <= leadDepth + 1 && SqlLexer.isKeyword(s, start, end, "concurrently")) {
            concurrently = true;
        }
    }

    /** The previous token names a function being called. */
    private void functionCall(boolean quoted) {
        int a = quoted ? prevStart + 1 : prevStart;
        int b = quoted ? prevEnd - 1 : prevEnd;
        if (nameIs(a, b, quoted, "set_config")) {
            flags |= StatementInfo.SEARCH_PATH;
        } else if (namePrefix(a, b, quoted, "citus_") || namePrefix(a, b, quoted, "master_")) {
            flags |= StatementInfo.CITUS_FUNCTION;
        } else {
            for (String f : CITUS_FUNCTIONS) {
                if (nameIs(a, b, quoted, f)) {
                    flags |= StatementInfo.CITUS_FUNCTION;
                    return;
                }
            }
        }
    }

    private boolean nameIs(int a, int b, boolean quoted, String lower) {
        return quoted ? s.regionMatches(a, lower, 0, lower.length()) && b - a == lower.length()
                : SqlLexer.isKeyword(s, a, b, lower);
    }

    private boolean namePrefix(int a, int b, boolean quoted, String lower) {
        int len = lower.length();
        return b - a > len && (quoted ? s.regionMatches(a, lower, 0, len) : SqlLexer.isKeyword(s, a, a + len, lower));
    }

    /** @return the statement accepted since {@link #reset()}, classified */
    StatementInfo finish() {
        return new StatementInfo(s, classify(), stmtStart, stmtEnd, params, flags);
    }

    private boolean kw(int i, String lower) {
        return i < count && types[i] == SqlLexer.WORD && SqlLexer.isKeyword(s, starts[i], ends[i], lower);
    }

    private StatementKind classify() {
        int i = 0;
        while (i < count && types[i] == SqlLexer.LPAREN) {
            i++;
        }
        if (i >= count) {
            return StatementKind.OTHER;
        }
        if (types[i] == SqlLexer.LBRACE) {
            return jdbcEscape(i + 1);
        }
        if (types[i] != SqlLexer.WORD) {
            return StatementKind.OTHER;
        }
        String[] kwds = LEADS;
        for (int k = 0; k < kwds.length; k++) {
            if (kw(i, kwds[k])) {
                return lead(k, i);
            }
        }
        return StatementKind.OTHER;
    }

    private static final String[] LEADS = {
        "select", "values", "table", "show", "explain", "fetch",                                  // 0-5
        "with", "insert", "update", "delete", "merge", "copy",                                     // 6-11
        "create", "alter", "drop", "truncate", "comment", "grant", "revoke", "security", "import", // 12-20
        "reassign", "refresh", "reindex", "cluster", "vacuum",                                    // 21-25
        "begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release",            // 26-33
        "prepare", "set", "reset", "discard",                                                     // 34-37
        "listen", "unlisten", "notify", "load", "deallocate", "execute", "declare", "close", "move", // 38-46
        "call", "do",                                                                             // 47-48
    };

    private StatementKind lead(int k, int i) {
        if (k == 0) {
            // SELECT ... INTO creates a table.
            return into ? StatementKind.DDL : StatementKind.QUERY;
        } else if (k <= 5) {
            return StatementKind.QUERY;
        } else if (k == 6) {
            return main == MAIN_DML ? StatementKind.DML
                    : main == MAIN_QUERY ? (into ? StatementKind.DDL : StatementKind.QUERY) : StatementKind.OTHER;
        } else if (k <= 10) {
            return StatementKind.DML;
        } else if (k == 11) {
            return StatementKind.COPY;
        } else if (k == 12) {
            return create(i + 1);
        } else if (k == 13) {
            return alter(i + 1);
        } else if (k == 14) {
            return drop(i + 1);
        } else if (k <= 22) {
            return StatementKind.DDL;
        } else if (k == 23) {
            return reindex(i + 1);
        } else if (k == 24) {
            return cluster(i + 1);
        } else if (k == 25) {
            return StatementKind.NON_TRANSACTIONAL;
        } else if (k <= 33) {
            if (k == 30 || k == 31 || ((k == 28 || k == 29) && chains(i + 1))) {
                flags |= StatementInfo.ROLLBACK_OR_CHAIN;
            }
            return StatementKind.TRANSACTION_CONTROL;
        } else if (k == 34) {
            return kw(i + 1, "transaction") ? StatementKind.TRANSACTION_CONTROL : StatementKind.SESSION;
        } else if (k == 35) {
            return set(i + 1);
        } else if (k == 36) {
            if (kw(i + 1, "search_path") || kw(i + 1, "all")) {
                flags |= StatementInfo.SEARCH_PATH;
            }
            return StatementKind.SESSION;
        } else if (k == 37) {
            if (kw(i + 1, "all")) {
                flags |= StatementInfo.SEARCH_PATH;
                return StatementKind.NON_TRANSACTIONAL;
            }
            return StatementKind.SESSION;
        } else if (k <= 46) {
            return StatementKind.SESSION;
        } else if (k == 47) {
            return StatementKind.CALL;
        }
        return StatementKind.DO;
    }

    /** {@code COMMIT|END [WORK|TRANSACTION] AND CHAIN} (not {@code AND NO CHAIN}). */
    private boolean chains(int i) {
        for (int j = i; j < count; j++) {
            if (kw(j, "chain")) {
                return !kw(j - 1, "no");
            }
        }
        return false;
    }

    private StatementKind create(int i) {
        while (kw(i, "or") || kw(i, "replace") || kw(i, "temp") || kw(i, "temporary") || kw(i, "unlogged")
                || kw(i, "global") || kw(i, "local") || kw(i, "unique") || kw(i, "trusted") || kw(i, "procedural")
                || kw(i, "default") || kw(i, "constraint") || kw(i, "recursive") || kw(i, "materialized")) {
            i++;
        }
        if (kw(i, "schema")) {
            return StatementKind.CREATE_SCHEMA;
        }
        if (kw(i, "database") || kw(i, "tablespace") || kw(i, "subscription")
                || (kw(i, "index") && kw(i + 1, "concurrently"))) {
            return StatementKind.NON_TRANSACTIONAL;
        }
        return StatementKind.DDL;
    }

    private StatementKind alter(int i) {
        if (kw(i, "system") || kw(i, "subscription")
                || (kw(i, "database") && kw(i + 2, "set") && kw(i + 3, "tablespace"))
                || (kw(i, "table") && concurrently)) {
            return StatementKind.NON_TRANSACTIONAL;
        }
        return StatementKind.DDL;
    }

    private StatementKind drop(int i) {
        if (kw(i, "database") || kw(i, "tablespace") || kw(i, "subscription")
                || (kw(i, "index") && kw(i + 1, "concurrently"))) {
            return StatementKind.NON_TRANSACTIONAL;
        }
        return StatementKind.DDL;
    }

    private StatementKind reindex(int i) {
        if (concurrently) {
            return StatementKind.NON_TRANSACTIONAL;
        }
        int d = 0;
        for (int j = i; j < count; j++) {
            if (types[j] == SqlLexer.LPAREN) {
                d++;
            } else if (types[j] == SqlLexer.RPAREN) {
                d--;
            } else if (d == 0) {
                return kw(j, "schema") || kw(j, "database") || kw(j, "system")
                        ? StatementKind.NON_TRANSACTIONAL : StatementKind.DDL;
            }
        }
        return StatementKind.DDL;
    }

    /** {@code CLUSTER [VERBOSE]} or {@code CLUSTER (options)} without a table cannot run in a transaction block. */
    private StatementKind cluster(int i) {
        if (total > count) {
            return StatementKind.DDL;
        }
        int d = 0;
        for (int j = i; j < count; j++) {
            if (types[j] == SqlLexer.LPAREN) {
                d++;
            } else if (types[j] == SqlLexer.RPAREN) {
                d--;
            } else if (d == 0 && !kw(j, "verbose")) {
                return StatementKind.DDL;
            }
        }
        return StatementKind.NON_TRANSACTIONAL;
    }

    private StatementKind set(int i) {
        if (kw(i, "session") && kw(i + 1, "characteristics")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        if (kw(i, "session") || kw(i, "local")) {
            i++;
        }
        if (kw(i, "transaction")) {
            return StatementKind.TRANSACTION_CONTROL;
        }
        if (kw(i, "search_path") || kw(i, "schema")) {
            flags |= StatementInfo.SEARCH_PATH;
        }
        return StatementKind.SESSION;
    }

    /** {@code {call ...}} and {@code {? = call ...}} are procedure or function calls; other escapes are left to pgjdbc. */
    private StatementKind jdbcEscape(int i) {
        if (i < count && types[i] == SqlLexer.PARAM) {
            i++;
            if (i < count && types[i] == SqlLexer.OP && s.charAt(starts[i]) == '=') {
                i++;
            }
        }
        return kw(i, "call") ? StatementKind.CALL : StatementKind.OTHER;
    }
}
