package io.github.citusjdbc.sql;

import java.util.List;

/**
 * What {@link SqlClassifier#classify(String)} found in a SQL text: its statements and the
 * decisions derived from them. Immutable and thread-safe; meant to be cached per SQL string. One made
 * by {@link SqlClassifier#deferred} lexes the text at the first question about it, so that a text
 * nothing asks about (routing off, nothing pinned) is never lexed.
 */
public final class SqlInfo {
    private final String sql;
    private final boolean standardConformingStrings;
    // Null until the first question about the text ({@link SqlClassifier#deferred}): lexed then, once.
    // Facts is immutable (final fields), so a thread that reads it unsafely sees it whole or null, and
    // at worst lexes the text again.
    private Facts facts;

    SqlInfo(String sql, boolean standardConformingStrings, Facts facts) {
        this.sql = sql;
        this.standardConformingStrings = standardConformingStrings;
        this.facts = facts;
    }

    /** What lexing the text found; read through {@link #facts()}. */
    static final class Facts {
        private final List<StatementInfo> statements;
        private final boolean terminated;
        private final int pgjdbcQueryCount;
        private final int parameterCount;
        private final boolean safeToWrap;
        private final boolean transactionControl;
        private final boolean nonTransactional;
        private final boolean citusFunction;
        private final boolean searchPath;
        private final boolean rollbackOrChain;
        private final boolean createSchema;
        private final boolean ddl;

        Facts(List<StatementInfo> statements, boolean terminated, int pgjdbcQueryCount) {
            this.statements = List.copyOf(statements);
            this.terminated = terminated;
            this.pgjdbcQueryCount = pgjdbcQueryCount;
            int params = 0;
            boolean wrappable = true;
            boolean tc = false;
            boolean nonTx = false;
            boolean citus = false;
            boolean path = false;
            boolean rewind = false;
            boolean schema = false;
            boolean anyDdl = false;
            for (StatementInfo st : this.statements) {
                schema |= st.kind() == StatementKind.CREATE_SCHEMA;
                anyDdl |= st.kind() == StatementKind.DDL;
                params += st.parameterCount();
                wrappable &= st.kind().wrappable();
                tc |= st.kind() == StatementKind.TRANSACTION_CONTROL;
                nonTx |= st.kind() == StatementKind.NON_TRANSACTIONAL;
                citus |= st.callsCitusFunction();
                path |= st.touchesSearchPath();
                rewind |= st.rollsBackOrChains();
            }
            this.parameterCount = params;
            this.safeToWrap = terminated && !this.statements.isEmpty() && wrappable;
            this.transactionControl = tc;
            this.nonTransactional = nonTx;
            this.citusFunction = citus;
            this.searchPath = path;
            this.rollbackOrChain = rewind;
            this.createSchema = schema;
            this.ddl = anyDdl;
        }
    }

    /** @return what lexing the text found, lexing it now if nothing asked before */
    private Facts facts() {
        Facts f = facts;
        if (f == null) {
            f = SqlClassifier.lex(sql, standardConformingStrings);
            facts = f;
        }
        return f;
    }

    /** @return the text that was classified */
    public String sql() {
        return sql;
    }

    /** @return the non-empty statements in text order (comment-only and blank pieces are left out); unmodifiable */
    public List<StatementInfo> statements() {
        return facts().statements;
    }

    /** @return the number of non-empty statements */
    public int statementCount() {
        return facts().statements.size();
    }

    /** @return whether the text holds no statement at all (blank, only comments or semicolons) */
    public boolean isEmpty() {
        return facts().statements.isEmpty();
    }

    /** @return whether the text holds more than one statement */
    public boolean isMultiStatement() {
        return facts().statements.size() > 1;
    }

    /** @return the kind of the first statement, {@link StatementKind#OTHER} when there is none */
    public StatementKind firstKind() {
        List<StatementInfo> statements = facts().statements;
        return statements.isEmpty() ? StatementKind.OTHER : statements.get(0).kind();
    }

    /**
     * @return false when the text ends inside a string, quoted identifier, dollar quote or block
     *     comment: anything appended to it would be swallowed, so it must be sent as it is (the
     *     server reports the error)
     */
    public boolean isTerminated() {
        return facts().terminated;
    }

    /**
     * Whether the text may be run inside a transaction the driver opens around it
     * ({@code BEGIN; ...; <text>\n; COMMIT}) with unchanged meaning: it is terminated, holds at
     * least one statement, and every statement is {@linkplain StatementKind#wrappable() wrappable}
     * (no transaction control, nothing that refuses a transaction block, no {@code CALL} or
     * {@code DO}, which may commit).
     *
     * <p>A suffix must start on a new line: the text may end in a {@code --} comment.
     *
     * @return whether wrapping is safe
     */
    public boolean isSafeToWrap() {
        return facts().safeToWrap;
    }

    /** @return whether any statement is {@link StatementKind#TRANSACTION_CONTROL} */
    public boolean hasTransactionControl() {
        return facts().transactionControl;
    }

    /** @return whether any statement is {@link StatementKind#NON_TRANSACTIONAL} */
    public boolean hasNonTransactional() {
        return facts().nonTransactional;
    }

    /**
     * @return whether the text may change the cluster's topology: a {@code CREATE SCHEMA} (a new
     *         tenant with schema-based sharding) or a call of a Citus management function
     *         ({@code citus_schema_move}, {@code citus_schema_distribute}, {@code citus_add_node}...)
     */
    public boolean mayChangeTopology() {
        Facts f = facts();
        return f.citusFunction || f.createSchema;
    }

    /** @return whether any statement is DDL ({@link StatementKind#DDL}, e.g. the first table of a new tenant) */
    public boolean hasDdl() {
        return facts().ddl;
    }

    /** @return whether any statement calls a Citus management function (see {@link StatementInfo#callsCitusFunction()}) */
    public boolean callsCitusFunction() {
        return facts().citusFunction;
    }

    /** @return whether any statement may change {@code search_path} (see {@link StatementInfo#touchesSearchPath()}) */
    public boolean touchesSearchPath() {
        return facts().searchPath;
    }

    /** @return whether any statement rolls back or chains a transaction (see {@link StatementInfo#rollsBackOrChains()}) */
    public boolean rollsBackOrChains() {
        return facts().rollbackOrChain;
    }

    /** @return the number of JDBC {@code ?} placeholders in the whole text, counted as pgjdbc does */
    public int parameterCount() {
        return facts().parameterCount;
    }

    /**
     * The number of queries pgjdbc's parser makes of this text when it splits at semicolons: the
     * statements plus every piece that holds only comments (pgjdbc sends those; the server
     * answers each with EmptyQueryResponse). Blank pieces are not sent. Differs from
     * {@link #statementCount()} only for comment-only pieces; a result-navigating wrapper needs it.
     *
     * @return the number of queries pgjdbc sends for this text
     */
    public int pgjdbcQueryCount() {
        return facts().pgjdbcQueryCount;
    }

    @Override
    public String toString() {
        Facts f = facts();
        return "SqlInfo" + f.statements + (f.terminated ? "" : " unterminated") + (f.safeToWrap ? " wrappable" : "");
    }
}
