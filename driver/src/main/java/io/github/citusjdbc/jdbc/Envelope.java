package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.PinForm;

/**
 * What the driver adds around one execution of user SQL, decided by {@link TenantPins}; immutable
 * and cached per tenant path and isolation, so identity comparison tells variants apart.
 *
 * <p>The shapes: the autocommit <i>envelope</i> {@code BEGIN[ ISOLATION LEVEL x]; SET LOCAL
 * search_path TO "t"; <sql>\n; COMMIT} (one transaction of the driver's own, which also holds
 * PgBouncer's server connection if pgjdbc splits the pipeline), and the explicit-transaction
 * <i>prefix</i> {@code [SET TRANSACTION ISOLATION LEVEL x; ][SET LOCAL search_path TO "t"; ]<sql>}
 * on the first statement of an application transaction; in session pinning the prefix
 * {@code SET search_path TO "t"; <sql>} on a statement whose tenant differs from the server's; in
 * statement pinning the <i>implicit</i> form {@code SET search_path TO "t"; <sql>\n/* "t" *&#47;; RESET search_path},
 * one implicit transaction when pgjdbc sends it with a single Sync ({@link StatementPinning}).
 */
final class Envelope {

    /** Text sent before the user SQL. */
    final String prefix;
    /** Results the prefix produces (update counts 0), skipped before the user's first result. */
    final int skip;
    /** Whether {@code \n; COMMIT} follows the user SQL (its result is hidden). */
    final boolean commit;
    /** The prefix statements alone, for paths that cannot carry the user SQL in one string (null: no prefix). */
    final String pinOnly;
    /** What tells envelopes apart, for the cache of prepared variants: the prefix, and the suffix where it varies. */
    final String key;
    /** Whether the prefix is a session {@code SET search_path} (session pinning), which the server keeps on success. */
    final boolean session;
    /** Session pinning: the normalized value the server has once the prefix ran, or null for its default. */
    final String sessionValue;
    /** Text sent after the user SQL (its result hidden), or null: {@code \n; COMMIT} when {@link #commit}. */
    private final String suffix;
    /** The shape, as metrics count it; null for a {@link #tagged} text, which carries no pin. */
    final PinForm form;

    Envelope(String prefix, int skip, boolean commit, String key) {
        this(prefix, skip, commit, key, false, null, commit ? "\n; COMMIT" : null,
                commit ? PinForm.ENVELOPE : PinForm.TRANSACTION);
    }

    private Envelope(String prefix, int skip, boolean commit, String key, boolean session, String sessionValue,
                     String suffix, PinForm form) {
        this.form = form;
        this.prefix = prefix;
        this.skip = skip;
        this.commit = commit;
        this.suffix = suffix;
        this.pinOnly = prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 2); // without the trailing "; "
        this.key = key;
        this.session = session;
        this.sessionValue = sessionValue;
    }

    /**
     * @param set   the session {@code SET search_path ...} statement
     * @param value the normalized value it sets, or null for the default
     * @return the prefix {@code SET search_path ...; } carried by the statement that needs it
     */
    static Envelope session(String set, String value) {
        String prefix = set + "; ";
        return new Envelope(prefix, 1, false, prefix, true, value, null, PinForm.SESSION);
    }

    /**
     * @param set the session {@code SET search_path TO <schemas>} statement
     * @return {@code SET search_path TO <schemas>; <sql>\n/* <schemas> *&#47;; RESET search_path}: one
     *         implicit transaction, so the server keeps nothing of it, whether the statement succeeds
     *         (the {@code RESET}) or fails (the transaction's rollback undoes the {@code SET}). The
     *         comment makes the statement's text differ per tenant, so that a server-side prepared
     *         statement is never shared by tenants: PostgreSQL plans a prepared statement again
     *         whenever it runs under another {@code search_path} than it was planned with, and behind
     *         PgBouncer with {@code max_prepared_statements} every client's statements of the same text
     *         are one statement per server connection (docs/facts.md, "Prepared statements and
     *         search_path"). At the end, so that a leading hint comment stays first.
     */
    static Envelope implicit(String set) {
        return implicit(set, RESET);
    }

    /** {@code RESET search_path}: what gives a session with no pin of the driver's its value back. */
    static final String RESET = "RESET search_path";

    /**
     * @param set     the session {@code SET search_path TO <schemas>} statement
     * @param restore the statement after the SQL that gives the session its value back:
     *                {@link #RESET}, or the driver's own {@code SET search_path} of the tenant the
     *                session has (so that its value, and what the server reports, does not change)
     * @return {@code SET search_path TO <schemas>; <sql>\n/* <schemas> *&#47;; <restore>}, as {@link #implicit(String)}
     */
    static Envelope implicit(String set, String restore) {
        String prefix = set + "; ";
        return new Envelope(prefix, 1, false, prefix + restore, false, null,
                "\n/* " + schemasOf(set) + " */; " + restore, PinForm.STATEMENT);
    }

    /**
     * @param set the session {@code SET search_path TO <schemas>} the server already has
     * @return {@code <sql>\n/* <schemas> *&#47;}: nothing sent but the statement, its text made to
     *         differ per tenant by the comment, for session pinning behind PgBouncer tracking
     *         {@code search_path}. There every client's statements of one text are one server-side
     *         prepared statement per server connection, which PostgreSQL plans again whenever it runs
     *         under another {@code search_path} than it was planned with (as {@link #implicit(String)}
     *         explains). No prefix, so {@link #pinOnly} is null and nothing is skipped.
     */
    static Envelope tagged(String set) {
        String suffix = "\n/* " + schemasOf(set) + " */";
        return new Envelope("", 0, false, suffix, false, null, suffix, null);
    }

    /** @return the quoted schema list of {@code SET search_path TO <schemas>} (validated names: no {@code *&#47;}) */
    private static String schemasOf(String set) {
        return set.substring(set.indexOf(" TO ") + 4);
    }

    /**
     * @param userSql   the application's SQL, already judged safe to wrap
     * @param returning a {@code RETURNING} clause and the offset to insert it at, or null
     * @param at        where to insert {@code returning}: the end of the user's statement
     * @return the text to send
     */
    String wrap(String userSql, String returning, int at) {
        StringBuilder sb = new StringBuilder(prefix.length() + userSql.length() + 32).append(prefix);
        if (returning == null) {
            sb.append(userSql);
        } else {
            sb.append(userSql, 0, at).append(returning).append(userSql, at, userSql.length());
        }
        if (suffix != null) {
            sb.append(suffix); // on a new line: the user SQL may end in a -- comment
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Envelope[" + prefix + "..." + (suffix == null ? "" : suffix.substring(3)) + "]";
    }
}
