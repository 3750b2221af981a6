package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlInfo;
import java.sql.BatchUpdateException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import org.postgresql.PGStatement;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * A prepared statement's batch sent with its tenant pin as envelopes: in autocommit {@code BEGIN;
 * SET LOCAL search_path TO "t"; <sql>; <sql>; ...; COMMIT}, as an explicit transaction's first
 * statement {@code SET LOCAL search_path TO "t"; <sql>; ...} (pgjdbc sends its {@code BEGIN} in
 * front; only the first envelope carries the prefix), each copy of the SQL bound to one entry's
 * parameters: one round trip per envelope as long as pgjdbc sends it in one piece (below 256
 * statements; beyond, pgjdbc syncs every 256 statements exactly as it does in its own batch, and
 * the open transaction keeps the pin). In autocommit each envelope is one transaction, so it commits
 * all its entries or none; pgjdbc's own autocommit batch commits at each of its Syncs.
 *
 * <p>Holds the physical statements of the last batch, open while its generated keys are readable.
 * One per logical prepared statement; not thread-safe.
 */
final class EnvelopeBatch {

    /**
     * Entries per envelope at most: 40 of pgjdbc's 256-statement Sync groups minus the envelope's
     * own statements, so that a full envelope ends exactly at a group's end (no extra round trip).
     */
    static final int ENVELOPE_ENTRIES = 40 * 256 - 4;

    /** pgjdbc's limit of bind parameters per statement text (extended protocol). */
    private static final int MAX_PARAMETERS = 65535;

    /** What a batch left: the update counts, the last envelope's statement, the generated keys (or null). */
    record Done(long[] counts, PreparedStatement last, ResultSet keys) {
    }

    private final LogicalPreparedStatement statement;
    private final ArrayList<PreparedStatement> physicals = new ArrayList<>(0);
    private ArrayList<ParameterLog> entries; // the parameters of each entry added while a pin was possible
    private int size; // entries added since the last run or clear (pgjdbc's batch size)

    EnvelopeBatch(LogicalPreparedStatement statement) {
        this.statement = statement;
    }

    /**
     * An entry was added to the statement's batch.
     *
     * @param parameters a copy of its parameters, or null when nothing can be pinned (not recorded)
     */
    void added(ParameterLog parameters) {
        size++;
        if (parameters != null) {
            if (entries == null) {
                entries = new ArrayList<>();
            }
            entries.add(parameters);
        }
    }

    /** Forgets the entries added (the batch was cleared or ran). */
    void clearEntries() {
        entries = null;
        size = 0;
    }

    /**
     * @return the parameters of every entry added, or null when some were added while nothing could
     *         be pinned (such a batch runs as pgjdbc's); the entries are forgotten
     */
    ArrayList<ParameterLog> takeEntries() {
        ArrayList<ParameterLog> recorded = entries != null && entries.size() == size ? entries : null;
        clearEntries();
        return recorded;
    }

    /** Runs the batch as envelopes ({@link #run}); the last envelope's statement answers for the results. */
    long[] runAsEnvelopes(Envelope e, ArrayList<ParameterLog> list) throws SQLException {
        if (holds(statement.delegate)) {
            statement.direct();
        }
        close();
        SqlInfo info = statement.info(statement.sql);
        Done done = run(e, list, info, statement.returning(info));
        statement.plain.clearBatch();
        statement.delegate = done.last(); // its warnings are the batch's
        statement.batchDone(done.keys());
        return done.counts();
    }

    /** @return whether a batch of {@code entries} can run as envelopes: one pgjdbc statement, every parameter set */
    static boolean fits(SqlInfo info, ArrayList<ParameterLog> entries) {
        if (info.pgjdbcQueryCount() != 1) {
            return false; // pgjdbc's own batch reports what is wrong with it
        }
        int k = info.parameterCount();
        for (ParameterLog entry : entries) {
            if (!entry.covers(k)) {
                return false; // pgjdbc's own batch reports the missing parameter
            }
        }
        return true;
    }

    /**
     * Runs the batch.
     *
     * @param e    the pin
     * @param list the entries' parameters
     * @param info the statement's SQL, classified
     * @param ret  the {@code RETURNING} clause added for generated keys, or null
     */
    Done run(Envelope e, ArrayList<ParameterLog> list, SqlInfo info, String ret) throws SQLException {
        String sql = statement.sql;
        int k = info.parameterCount();
        int at = ret == null ? -1 : info.statements().get(0).end();
        int n = list.size();
        int per = k == 0 ? ENVELOPE_ENTRIES : Math.min(ENVELOPE_ENTRIES, Math.max(1, MAX_PARAMETERS / k));
        if (per < n && per > 256) {
            per = (per + 4) / 256 * 256 - 4; // end full envelopes at pgjdbc's Sync group boundaries
        }
        long[] counts = new long[n];
        ArrayList<ResultSet> keyParts = ret == null ? null : new ArrayList<>();
        PreparedStatement last = null;
        int done = 0;
        while (done < n) {
            int m = Math.min(per, n - done);
            boolean pin = done == 0 || e.commit; // in a transaction the first envelope pinned it for the rest
            PreparedStatement ps = physical(text(sql, pin ? e.prefix : "", e.commit, m, ret, at), ret != null);
            last = ps;
            try {
                for (int i = 0; i < m; i++) {
                    list.get(done + i).replay(ps, i * k);
                }
                ps.execute();
            } catch (SQLException ex) {
                statement.connection.pins.failed(e, ex);
                // In an explicit transaction nothing is committed: every entry failed, as pgjdbc reports it.
                throw failure(ex, counts, e.commit ? done : 0, done, done + m - 1);
            }
            for (int s = pin ? e.skip : 0; s > 0; s--) {
                ps.getMoreResults();
            }
            for (int i = 0; i < m; i++) {
                if (i > 0) {
                    ps.getMoreResults(ret == null ? Statement.CLOSE_CURRENT_RESULT : Statement.KEEP_CURRENT_RESULT);
                }
                ResultSet rs = ps.getResultSet();
                if (ret == null) {
                    if (rs != null) {
                        // pgjdbc's batch refuses rows where it expects none, after the server ran the batch.
                        throw failure(new PSQLException("A result was returned when none was expected.",
                                PSQLState.TOO_MANY_RESULTS), counts, e.commit ? done + i : 0, done + i, done + i);
                    }
                    counts[done + i] = ps.getLargeUpdateCount();
                } else {
                    long rows = rs != null && rs.last() ? rs.getRow() : 0;
                    counts[done + i] = rows;
                    if (rows > 0) {
                        rs.beforeFirst();
                        keyParts.add(rs);
                    }
                }
            }
            done += m;
        }
        return new Done(counts, last, keyParts == null || keyParts.isEmpty() ? null : new BatchKeys(keyParts));
    }

    /** The text of an envelope of {@code m} copies of {@code sql}. */
    private static String text(String sql, String prefix, boolean commit, int m, String ret, int at) {
        int len = sql.length() + 2 + (ret == null ? 0 : ret.length());
        StringBuilder sb = new StringBuilder(prefix.length() + m * len + 8).append(prefix);
        for (int i = 0; i < m; i++) {
            if (ret == null) {
                sb.append(sql);
            } else {
                sb.append(sql, 0, at).append(ret).append(sql, at, sql.length());
            }
            sb.append("\n;"); // on a new line: the SQL may end in a -- comment
        }
        if (commit) {
            sb.append(" COMMIT");
        }
        return sb.toString();
    }

    /** A physical statement for an envelope, prepared unnamed (never one server statement per batch size). */
    private PreparedStatement physical(String text, boolean keyed) throws SQLException {
        PreparedStatement ps = statement.envelopeStatement(text, keyed);
        try {
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(0);
            }
        } catch (SQLException ex) {
            statement.variants.remove(ps);
            ps.close();
            throw ex;
        }
        physicals.add(ps);
        return ps;
    }

    /** @return whether {@code physical} is one of the last batch's statements */
    boolean holds(Statement physical) {
        return !physicals.isEmpty() && physicals.contains(physical);
    }

    /** Closes the last batch's statements (its keys are no longer readable). */
    void close() throws SQLException {
        if (physicals.isEmpty()) {
            return;
        }
        SQLException failure = null;
        for (PreparedStatement ps : physicals) {
            statement.variants.remove(ps);
            try {
                ps.close();
            } catch (SQLException ex) {
                failure = ex;
            }
        }
        physicals.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /** Forgets the last batch's statements, closed by their owner or gone with their connection. */
    void forget() {
        physicals.clear();
    }

    /**
     * The batch failed in the envelope of entries {@code first..lastEntry}: as pgjdbc's batch,
     * entries committed before ({@code failedFrom}) keep their counts, the others are
     * {@code EXECUTE_FAILED}, the cause is also the next exception. The failing entry within a
     * (rolled back) envelope is not known, so the message names the envelope's range.
     */
    private static BatchUpdateException failure(SQLException cause, long[] counts, int failedFrom, int first,
                                                int lastEntry) {
        Arrays.fill(counts, failedFrom, counts.length, Statement.EXECUTE_FAILED);
        String which = first == lastEntry ? "Batch entry " + first : "Batch entries " + first + " to " + lastEntry
                + " (one transaction)";
        BatchUpdateException b = new BatchUpdateException(which + " <unknown> was aborted: " + cause.getMessage()
                + "  Call getNextException to see other errors in the batch.", cause.getSQLState(), 0,
                counts.clone(), cause);
        b.setNextException(cause);
        return b;
    }
}
