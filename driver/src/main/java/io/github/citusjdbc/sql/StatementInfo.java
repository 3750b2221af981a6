package io.github.citusjdbc.sql;

/**
 * One statement of a SQL text: its kind, where it lies in the text, and the facts the driver needs
 * about it. Immutable and thread-safe.
 */
public final class StatementInfo {
    static final int RETURNING = 1;
    static final int CITUS_FUNCTION = 2;
    static final int SEARCH_PATH = 4;
    static final int ROLLBACK_OR_CHAIN = 8;

    private final String sql;
    private final StatementKind kind;
    private final int start;
    private final int end;
    private final int parameterCount;
    private final int flags;

    StatementInfo(String sql, StatementKind kind, int start, int end, int parameterCount, int flags) {
        this.sql = sql;
        this.kind = kind;
        this.start = start;
        this.end = end;
        this.parameterCount = parameterCount;
        this.flags = flags;
    }

    /** @return the statement's kind */
    public StatementKind kind() {
        return kind;
    }

    /** @return offset of the statement's first token in the whole text */
    public int start() {
        return start;
    }

    /** @return offset just after the statement's last token (before any {@code ;}) */
    public int end() {
        return end;
    }

    /** @return the statement's text, from its first to its last token (a new string on each call) */
    public String text() {
        return sql.substring(start, end);
    }

    /** @return the number of JDBC {@code ?} placeholders in this statement, counted as pgjdbc does ({@code ??} is not one) */
    public int parameterCount() {
        return parameterCount;
    }

    /** @return whether a {@code RETURNING} keyword stands at the top level (outside parentheses), as in {@code INSERT ... RETURNING id} */
    public boolean hasReturning() {
        return (flags & RETURNING) != 0;
    }

    /**
     * @return whether the statement calls a Citus management function ({@code citus_*},
     *     {@code master_*}, {@code create_distributed_table}, {@code create_reference_table},
     *     {@code undistribute_table}, {@code alter_distributed_table}, ...), which must run on the coordinator
     */
    public boolean callsCitusFunction() {
        return (flags & CITUS_FUNCTION) != 0;
    }

    /**
     * @return whether the statement may change {@code search_path}: {@code SET [SESSION|LOCAL] search_path},
     *     {@code SET SCHEMA}, {@code RESET search_path}, {@code RESET ALL}, {@code DISCARD ALL}, or any
     *     call of {@code set_config}
     */
    public boolean touchesSearchPath() {
        return (flags & SEARCH_PATH) != 0;
    }

    /**
     * @return whether the statement rolls back ({@code ROLLBACK}, {@code ABORT}, also {@code TO SAVEPOINT}
     *     or {@code AND CHAIN}; settings made since are undone) or chains a new transaction
     *     ({@code COMMIT|END AND CHAIN}; {@code SET LOCAL} of the ended one is gone)
     */
    public boolean rollsBackOrChains() {
        return (flags & ROLLBACK_OR_CHAIN) != 0;
    }

    @Override
    public String toString() {
        return kind + "[" + start + ".." + end + (hasReturning() ? ", returning" : "")
                + (parameterCount > 0 ? ", " + parameterCount + " params" : "") + "]";
    }
}
