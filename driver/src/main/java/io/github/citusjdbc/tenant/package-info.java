/**
 * Tenant pinning: running every statement with {@code search_path} set to one tenant's schema,
 * safely behind a transaction-pooling PgBouncer.
 *
 * <p>{@link io.github.citusjdbc.tenant.TenantName} validates and quotes names;
 * {@link io.github.citusjdbc.tenant.TenantPath} builds the pin statements;
 * {@link io.github.citusjdbc.tenant.TenantSettings} holds the configuration (mode, resolver,
 * shared schemas, default tenant). The per-connection logic lives with the JDBC wrappers
 * ({@code io.github.citusjdbc.jdbc.TenantPins}, {@code Envelope}, the {@code Logical*}
 * statements), which apply the measured facts below; the README section "Tenant pinning" is the
 * user-facing contract.
 *
 * <h2>What plain pgjdbc 42.7.14 does with a pin in the same string (measured)</h2>
 * {@code PgjdbcMultiStatementFactsTest} keeps these facts true, on the Citus 12.1 coordinator directly and through
 * PgBouncer 1.18 (transaction mode, {@code prepareThreshold=0}), counting round trips with the
 * test kit's {@code RoundTripRelay}. "Envelope" means
 * {@code BEGIN; SET LOCAL search_path TO "t"; <user sql>\n; COMMIT} sent as one string.
 * <ol>
 *   <li>An autocommit envelope through {@code Statement.execute} or {@code PreparedStatement.execute}
 *       (placeholders only in the user part) is <b>1 round trip, 1 Sync</b>, no NoticeResponse,
 *       {@code getWarnings()} null, ends idle.</li>
 *   <li>Results, in order: BEGIN = update count 0, SET = update count 0, then the user statements'
 *       results, then COMMIT = update count 0; {@code execute} returns false. A comment-only piece
 *       of user SQL (e.g. a trailing {@code ; -- x}) is sent by pgjdbc as a query of its own and
 *       yields one more update count 0 ({@code SqlInfo.pgjdbcQueryCount()} counts it). So the
 *       wrapper skips 2 results, exposes {@code pgjdbcQueryCount} results, and hides the last.</li>
 *   <li>On the raw string {@code executeQuery} throws 02000 ("No results were returned"),
 *       {@code executeUpdate} of a SELECT throws 0100E, {@code executeUpdate} of an UPDATE returns
 *       0 (BEGIN's count). The wrapper must call {@code execute} and navigate itself.</li>
 *   <li>{@code RETURN_GENERATED_KEYS} (Statement and PreparedStatement) adds no RETURNING:
 *       the INSERT reports a count and {@code getGeneratedKeys()} is empty with 0 columns. The
 *       wrapper must append {@code RETURNING} itself (statement-level check with
 *       {@code StatementInfo.hasReturning()}) and expose that result set as the keys.</li>
 *   <li>A user error (e.g. 22012) inside the envelope leaves the session in a <b>failed
 *       transaction</b>: ReadyForQuery status 'E', {@code BaseConnection.getTransactionState()}
 *       FAILED while {@code getAutoCommit()} is still true, and the next statement fails with
 *       25P02. One {@code ROLLBACK} (1 round trip, error path only) cleans it; behind PgBouncer
 *       the server connection stays with the client until then.</li>
 *   <li>A bare prefix {@code SET LOCAL ...; <sql>} (no BEGIN) gets WARNING 25P01 on every
 *       execution (a NoticeResponse, visible in {@code getWarnings()}).</li>
 *   <li><b>Sync split.</b> With {@code prepareThreshold=5} and a parameter of unknown type
 *       ({@code setObject(i, x, Types.OTHER)}), from the 6th execution on pgjdbc splits the
 *       envelope into 3 Syncs = <b>3 round trips</b>; after {@code getMetaData()} on the
 *       PreparedStatement (any threshold) the next execution is split likewise. The envelope
 *       still returns the tenant's rows (the open BEGIN holds the server connection); a bare
 *       prefix split this way returns <i>public</i>'s rows. Raw pgjdbc runs the same single
 *       statement in 1 round trip, so text envelopes cost +2 round trips whenever pgjdbc
 *       describes first. With {@code prepareThreshold=0} (required behind PgBouncer 1.18) and
 *       no {@code getMetaData()}, no split was seen ({@code Types.OTHER}, {@code stringtype=unspecified}).</li>
 *   <li>Explicit transaction (autocommit off): prefixing {@code SET LOCAL ...; } to the first
 *       statement costs nothing (3 round trips for two statements and commit, as raw), no
 *       warning; the first result is the SET's count 0; the pin holds until COMMIT.</li>
 *   <li>Server-prepared statement cache ({@code prepareThreshold=1}, direct), on a server that
 *       does not report {@code search_path} (plain PostgreSQL): with the same {@code SET LOCAL}
 *       text each transaction, Parse messages per transaction go 3, 1, 1, 1; alternating tenants,
 *       3 every transaction: a changed {@code search_path} SET text makes pgjdbc re-parse its
 *       statements (inside the same pipeline, no extra round trip). On a server that reports it
 *       (Citus 12+) pgjdbc 42.7.13+ ignores the SET text and
 *       invalidates on every <i>reported</i> change instead: {@code SET LOCAL} and then COMMIT
 *       each report one, so it is 3 every transaction, same tenant or not
 *       ({@code PgjdbcMultiStatementFactsTest}; the driver's figures in {@code PinningRoundTripTest}).</li>
 * </ol>
 *
 * <h2>What the implementation must therefore do</h2>
 * <ul>
 *   <li>Classify user SQL ({@code io.github.citusjdbc.sql}) with the connection's current
 *       {@code standard_conforming_strings}; wrap only when {@code SqlInfo.isSafeToWrap()}, always
 *       putting the suffix on a new line; refuse unterminated text rather than send it unpinned.</li>
 *   <li>Autocommit: send the envelope with {@code execute}, skip BEGIN/SET results, hide COMMIT's,
 *       re-implement {@code executeQuery}/{@code executeUpdate}/generated keys on top, and on
 *       error send {@code ROLLBACK} when the state is FAILED before rethrowing the user's error.</li>
 *   <li>Avoid the split's extra round trips: do not call pgjdbc's {@code getMetaData()} on the
 *       enveloped statement (describe the user SQL separately), and expect +2 round trips when
 *       server-prepared statements meet unknown parameter types; driving
 *       {@code org.postgresql.core.QueryExecutor} directly is the way to a guaranteed single
 *       round trip.</li>
 *   <li>Explicit transactions: prefix the first statement, skip one result.</li>
 *   <li>Statements that cannot be wrapped ({@code NON_TRANSACTIONAL}, transaction control,
 *       CALL/DO) have no transaction to hold PgBouncer's server connection; they cannot be
 *       pinned safely behind a transaction pooler and need schema-qualified names.</li>
 * </ul>
 */
package io.github.citusjdbc.tenant;
