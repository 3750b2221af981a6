package io.github.citusjdbc.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;

/**
 * The physical statements a logical statement holds besides its plain one: per-tenant envelope
 * variants of a prepared statement, the scrollable statement of keyed envelopes, the statements of an
 * envelope batch. Each is created with the plain statement's settings ({@link #copySettings}), and a
 * setting the application changes later reaches every one ({@link #set}); they close with the
 * logical statement. One per logical statement; not thread-safe.
 */
final class StatementVariants {

    /** A setting applied to one physical statement. */
    @FunctionalInterface
    interface Setting {
        void apply(Statement physical) throws SQLException;
    }

    private final ArrayList<Statement> variants = new ArrayList<>(0);
    private boolean escapeProcessing = true; // pgjdbc has no getter for it

    void add(Statement variant) {
        variants.add(variant);
    }

    void remove(Statement variant) {
        variants.remove(variant);
    }

    /** Applies a setting the application changed to the plain statement and every variant. */
    void set(Statement plain, Setting setting) throws SQLException {
        setting.apply(plain);
        for (int i = 0; i < variants.size(); i++) {
            setting.apply(variants.get(i));
        }
    }

    /** Remembers {@code setEscapeProcessing}, which new variants get too. */
    void escapeProcessing(boolean enable) {
        escapeProcessing = enable;
    }

    /** Copies the settings of {@code from} (the plain statement) to a new physical statement. */
    void copySettings(Statement from, Statement to) throws SQLException {
        to.setMaxRows(from.getMaxRows()); // pgjdbc implements no *LargeMaxRows
        to.setFetchSize(from.getFetchSize());
        to.setFetchDirection(from.getFetchDirection());
        to.setQueryTimeout(from.getQueryTimeout());
        to.setMaxFieldSize(from.getMaxFieldSize());
        to.setPoolable(from.isPoolable());
        to.setEscapeProcessing(escapeProcessing);
        if (from.isCloseOnCompletion()) {
            to.closeOnCompletion();
        }
    }

    /** Closes every variant and then {@code plain}; the first failure is thrown after all were tried. */
    void closeAll(Statement plain) throws SQLException {
        SQLException failure = null;
        for (Statement variant : variants) {
            try {
                variant.close();
            } catch (SQLException e) {
                failure = e;
            }
        }
        variants.clear();
        try {
            plain.close();
        } catch (SQLException e) {
            if (failure != null) {
                e.addSuppressed(failure);
            }
            throw e;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
