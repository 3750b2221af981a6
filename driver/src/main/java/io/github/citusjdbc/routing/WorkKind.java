package io.github.citusjdbc.routing;

import io.github.citusjdbc.sql.SqlInfo;
import io.github.citusjdbc.sql.StatementInfo;
import io.github.citusjdbc.sql.StatementKind;
import java.util.List;

/**
 * What a unit of work's first statement lets routing do, derived from the statement classifier.
 * A unit of work is routed once, at its first statement; what the rest of it does cannot move it.
 */
public enum WorkKind {
    /**
     * Queries and DML ({@link StatementKind#QUERY}, {@link StatementKind#DML}) and nothing that
     * must run on the coordinator: may go anywhere, including a tenant's worker primary with
     * {@code tenantRouting=affinity}.
     */
    DATA,
    /**
     * Other statements that may run on any node but should not pick a worker primary by themselves
     * ({@code SET}, {@code COPY}, {@code CALL}, {@code DO}, {@code LOCK}, unknown text...):
     * read-only work may still go to a secondary (which rejects writes), read-write work goes to
     * the coordinator.
     */
    GENERIC,
    /**
     * Must run on the coordinator primary whatever the read-only flag (docs/facts.md, query from any node: workers reject
     * DDL): {@link StatementKind#DDL}, {@link StatementKind#CREATE_SCHEMA},
     * {@link StatementKind#NON_TRANSACTIONAL} ({@code VACUUM}, {@code CREATE DATABASE}...), and any
     * call of a Citus management function.
     */
    COORDINATOR;

    /**
     * @param kind               a statement's kind
     * @param callsCitusFunction whether it calls a Citus management function
     * @return its work kind; {@link StatementKind#TRANSACTION_CONTROL} gives {@link #GENERIC}
     */
    public static WorkKind of(StatementKind kind, boolean callsCitusFunction) {
        if (callsCitusFunction) {
            return COORDINATOR;
        }
        return switch (kind) {
            case QUERY, DML -> DATA;
            case DDL, CREATE_SCHEMA, NON_TRANSACTIONAL -> COORDINATOR;
            case TRANSACTION_CONTROL, CALL, SESSION, DO, COPY, OTHER -> GENERIC;
        };
    }

    /**
     * The kind of a whole SQL text: the most restrictive of its statements, where transaction
     * control ({@code BEGIN}, {@code COMMIT}...) is neutral, so {@code BEGIN; SELECT ...; COMMIT}
     * is {@link #DATA}. Empty text and text of transaction control only give {@link #GENERIC}.
     * No allocation; cache the result with the {@link SqlInfo} where possible.
     *
     * @param info the classifier's answer for the text
     * @return its work kind
     */
    public static WorkKind of(SqlInfo info) {
        if (info.callsCitusFunction()) {
            return COORDINATOR;
        }
        List<StatementInfo> statements = info.statements();
        WorkKind result = null;
        for (int i = 0, n = statements.size(); i < n; i++) {
            StatementKind k = statements.get(i).kind();
            if (k == StatementKind.TRANSACTION_CONTROL) {
                continue;
            }
            WorkKind w = of(k, false);
            if (result == null || w.ordinal() > result.ordinal()) {
                result = w;
            }
        }
        return result == null ? GENERIC : result;
    }
}
