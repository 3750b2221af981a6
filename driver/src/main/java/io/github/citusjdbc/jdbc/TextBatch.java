package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.sql.SqlClassifier;
import io.github.citusjdbc.sql.SqlInfo;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SQL texts of a {@code Statement.addBatch} batch, kept by the logical statement so that the
 * tenant pin can join them: the pin's statements go first and {@code COMMIT} last in pgjdbc's own
 * batch (one round trip), and the counts of the added statements are removed from the result.
 */
final class TextBatch {

    private ArrayList<String> entries;
    private ArrayList<String> pending; // the entries being planned: the pin asks about them

    /**
     * Runs the batch on {@code statement}'s plain physical statement. With a tenant pinned the pin
     * joins the batch ({@code BEGIN}, {@code SET LOCAL} before and {@code COMMIT} after in autocommit;
     * {@code SET LOCAL} first in an explicit transaction): still one round trip; the counts of the
     * added entries are removed, also from a {@link BatchUpdateException}. A batch holding an entry
     * that cannot be wrapped runs unpinned.
     */
    long[] run(LogicalStatement statement) throws SQLException {
        Statement plain = statement.direct();
        ArrayList<String> taken = take();
        if (taken == null) {
            return plain.executeLargeBatch();
        }
        TenantPins pins = statement.connection.pins;
        Envelope e;
        pending = taken;
        try {
            e = pins.planAround(statement);
        } finally {
            pending = null;
        }
        int skip = fill(plain, e, taken);
        try {
            long[] counts = plain.executeLargeBatch();
            pins.pinned(e);
            return e == null ? counts : Arrays.copyOfRange(counts, skip, skip + taken.size());
        } catch (BatchUpdateException ex) {
            pins.failed(e, ex);
            throw e == null ? ex : stripped(ex, skip, taken.size());
        } catch (SQLException ex) {
            pins.failed(e, ex);
            throw ex;
        }
    }

    /** @return whether a batch is being planned (its own string can carry a session pin) */
    boolean planning() {
        return pending != null;
    }

    /**
     * @return whether every entry of the batch being planned is safe to wrap ({@code wrappable}) or
     *         ends outside quotes and comments; true when no batch is being planned
     */
    boolean planningLexed(boolean standardConformingStrings, boolean wrappable) {
        return pending == null || allLexed(pending, standardConformingStrings, wrappable);
    }

    void add(String sql) {
        if (entries == null) {
            entries = new ArrayList<>();
        }
        entries.add(sql);
    }

    void clear() {
        if (entries != null) {
            entries.clear();
        }
    }

    /** @return the first entry's SQL (it decides the batch's route), or "" */
    String first() {
        return entries == null || entries.isEmpty() ? "" : entries.get(0);
    }

    /** @return the entries, now owned by the caller; the batch is empty after (null when it was) */
    ArrayList<String> take() {
        ArrayList<String> taken = entries;
        entries = null;
        return taken == null || taken.isEmpty() ? null : taken;
    }

    /**
     * Adds the pin's statements (or nothing), the entries and, for an autocommit envelope,
     * {@code COMMIT} to pgjdbc's batch of {@code physical}.
     *
     * @return how many leading update counts are the pin's
     */
    static int fill(Statement physical, Envelope e, List<String> entries) throws SQLException {
        int skip = 0;
        if (e != null) {
            for (String s : e.pinOnly.split("; ")) {
                physical.addBatch(s);
                skip++;
            }
        }
        for (String s : entries) {
            physical.addBatch(s);
        }
        if (e != null && e.commit) {
            physical.addBatch("COMMIT");
        }
        return skip;
    }

    /** @return whether every entry is safe to wrap ({@code wrappable}) or ends outside quotes and comments */
    static boolean allLexed(List<String> entries, boolean standardConformingStrings, boolean wrappable) {
        for (String s : entries) {
            SqlInfo info = SqlClassifier.classify(s, standardConformingStrings);
            if (wrappable ? !info.isSafeToWrap() : !info.isTerminated()) {
                return false;
            }
        }
        return true;
    }

    /** The failure of a pinned batch with the pin's counts removed, as if only the entries had run. */
    static BatchUpdateException stripped(BatchUpdateException ex, int skip, int size) {
        long[] all = ex.getLargeUpdateCounts();
        long[] user = all == null ? new long[0]
                : Arrays.copyOfRange(all, Math.min(skip, all.length), Math.min(skip + size, all.length));
        BatchUpdateException out = new BatchUpdateException(ex.getMessage(), ex.getSQLState(), ex.getErrorCode(), user,
                ex.getCause());
        if (ex.getNextException() != null) {
            out.setNextException(ex.getNextException());
        }
        out.setStackTrace(ex.getStackTrace());
        return out;
    }
}
