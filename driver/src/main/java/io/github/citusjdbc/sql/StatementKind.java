package io.github.citusjdbc.sql;

/**
 * What one SQL statement is, judged from its leading keywords. The kind decides whether the
 * statement may be wrapped in a driver-made transaction ({@link #wrappable()}) and where it may be
 * routed.
 */
public enum StatementKind {
    /** Returns rows and changes nothing: {@code SELECT}, {@code WITH ... SELECT}, {@code VALUES}, {@code TABLE}, {@code SHOW}, {@code EXPLAIN}, {@code FETCH}. */
    QUERY(true),
    /** {@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}, also behind {@code WITH}. */
    DML(true),
    /**
     * Schema changes that may run in a transaction block: {@code CREATE}, {@code ALTER},
     * {@code DROP}, {@code TRUNCATE}, {@code COMMENT}, {@code GRANT}, {@code REVOKE},
     * {@code REFRESH}, {@code SECURITY LABEL}, {@code IMPORT FOREIGN SCHEMA}, {@code REASSIGN},
     * {@code REINDEX} of a table or index, {@code CLUSTER} of a table, and {@code SELECT ... INTO}
     * (it creates a table).
     */
    DDL(true),
    /** {@code CREATE SCHEMA}: a new tenant on Citus; transactional. */
    CREATE_SCHEMA(true),
    /**
     * Starts, ends or shapes a transaction: {@code BEGIN}, {@code START TRANSACTION}, {@code COMMIT},
     * {@code END}, {@code ROLLBACK}, {@code ABORT}, {@code SAVEPOINT}, {@code RELEASE},
     * {@code PREPARE TRANSACTION}, {@code COMMIT/ROLLBACK PREPARED}, {@code SET [LOCAL|SESSION] TRANSACTION},
     * {@code SET SESSION CHARACTERISTICS}.
     */
    TRANSACTION_CONTROL(false),
    /**
     * Refuses to run inside a transaction block: {@code VACUUM}, {@code CREATE/DROP DATABASE},
     * {@code CREATE/DROP TABLESPACE}, {@code ALTER SYSTEM}, {@code ALTER DATABASE ... SET TABLESPACE},
     * {@code CREATE/DROP INDEX CONCURRENTLY}, {@code REINDEX ... CONCURRENTLY},
     * {@code REINDEX SCHEMA/DATABASE/SYSTEM}, {@code ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY},
     * {@code CLUSTER} without a table, {@code DISCARD ALL}, and (conservatively)
     * {@code CREATE/ALTER/DROP SUBSCRIPTION}.
     */
    NON_TRANSACTIONAL(false),
    /** {@code CALL} or the JDBC escape {@code {call ...}} / {@code {? = call ...}}: a procedure may commit. */
    CALL(false),
    /**
     * Session state: other {@code SET}, {@code RESET}, {@code LISTEN}, {@code UNLISTEN},
     * {@code NOTIFY}, {@code DISCARD} (not {@code ALL}), {@code LOAD}, {@code DEALLOCATE},
     * {@code PREPARE}, {@code EXECUTE}, {@code DECLARE}, {@code CLOSE}, {@code MOVE}. All may run in
     * a transaction block; their effects outlive it and so leak behind a transaction pooler.
     */
    SESSION(true),
    /** {@code DO}: an anonymous block, which may {@code COMMIT} like a procedure. */
    DO(false),
    /** {@code COPY}: transactional, but pgjdbc runs {@code FROM STDIN}/{@code TO STDOUT} only through its CopyManager. */
    COPY(true),
    /** Anything else, including {@code ANALYZE}, {@code LOCK}, {@code CHECKPOINT} and unknown or empty text. */
    OTHER(true);

    private final boolean wrappable;

    StatementKind(boolean wrappable) {
        this.wrappable = wrappable;
    }

    /**
     * @return whether a statement of this kind keeps its meaning when the driver runs it inside a
     *     {@code BEGIN ... COMMIT} of its own: false for transaction control, statements that
     *     cannot run in a transaction block, and {@code CALL}/{@code DO} (which may commit)
     */
    public boolean wrappable() {
        return wrappable;
    }
}
