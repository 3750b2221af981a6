package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.CitusSqlState;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catches driver keys spelt wrongly, which would otherwise go to pgjdbc, be ignored there, and leave
 * the permissive default in force (behind PgBouncer a misspelt {@code pooler} means leaking
 * {@code SET}s). A key equal to one of ours but for case is rejected; a key within two edits of one
 * of ours (and not a pgjdbc key) is logged at WARN. Runs once per configuration parse, never per statement.
 */
final class UnknownKeys {

    private static final Logger LOG = LoggerFactory.getLogger(UnknownKeys.class);
    private static final int MAX_EDITS = 2;

    private UnknownKeys() {
    }

    /**
     * @param merged the configuration's keys (URL query and {@code Properties})
     * @throws SQLException SQLState {@code 22023} for a driver key spelt in another case
     */
    static void check(Properties merged) throws SQLException {
        List<String> others = new ArrayList<>();
        for (String key : merged.stringPropertyNames()) {
            if (CitusProperty.forName(key) != null) {
                continue;
            }
            for (CitusProperty p : CitusProperty.values()) {
                if (p.getName().equalsIgnoreCase(key)) {
                    throw new SQLException("Unknown property '" + key + "'; did you mean " + p.getName()
                            + "? citus-jdbc keys are case-sensitive", CitusSqlState.INVALID_PARAMETER_VALUE.getState());
                }
            }
            others.add(key);
        }
        for (String warning : nearMisses(others)) {
            LOG.warn("{}; it is passed to pgjdbc, which ignores keys it does not know", warning);
        }
    }

    /**
     * @param keys keys that are not ours
     * @return one message per key that is probably a misspelt key of ours (not for pgjdbc's keys)
     */
    static List<String> nearMisses(Collection<String> keys) {
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            if (isPgjdbcKey(key) || key.length() < 4) {
                continue;
            }
            String lower = key.toLowerCase(Locale.ROOT);
            for (CitusProperty p : CitusProperty.values()) {
                if (edits(lower, p.getName().toLowerCase(Locale.ROOT)) <= MAX_EDITS) {
                    out.add("'" + key + "' is not a citus-jdbc property; did you mean " + p.getName() + "?");
                    break;
                }
            }
        }
        return out;
    }

    private static boolean isPgjdbcKey(String key) {
        for (PGProperty p : PGProperty.values()) {
            if (p.getName().equalsIgnoreCase(key)) {
                return true;
            }
        }
        return false;
    }

    /** Levenshtein distance, stopping early: keys are short. */
    private static int edits(String a, String b) {
        if (Math.abs(a.length() - b.length()) > MAX_EDITS) {
            return MAX_EDITS + 1;
        }
        int[] previous = new int[b.length() + 1];
        int[] row = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            row[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                row[j] = Math.min(Math.min(row[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] t = previous;
            previous = row;
            row = t;
        }
        return previous[b.length()];
    }
}
