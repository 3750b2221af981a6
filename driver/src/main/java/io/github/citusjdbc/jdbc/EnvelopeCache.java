package io.github.citusjdbc.jdbc;

import java.sql.PreparedStatement;
import java.util.Arrays;

/**
 * The physical prepared statements of one logical prepared statement, one per envelope text (a
 * tenant's {@code BEGIN; SET LOCAL ...; <sql>; COMMIT}), least recently used evicted beyond
 * {@value #MAX}: each tenant's text is a different server-side statement to pgjdbc, so a statement
 * used for a few tenants keeps one prepared statement for each. One per logical statement; not
 * thread-safe.
 */
final class EnvelopeCache {

    /** Physical statements per envelope kept at most; beyond, the least recently used is evicted. */
    static final int MAX = 4;

    private final String[] keys = new String[MAX];
    private final PreparedStatement[] statements = new PreparedStatement[MAX];
    private final long[] lastUse = new long[MAX];
    private long uses;
    private int slot = -1; // where put() stores after a miss of get()

    /**
     * @param key the envelope's prefix
     * @return the statement for {@code key}, or null (then {@link #evictee()} tells what a
     *         {@link #put} would replace)
     */
    PreparedStatement get(String key) {
        int free = -1;
        int oldest = 0;
        for (int i = 0; i < MAX; i++) {
            String k = keys[i];
            if (k == null) {
                if (free < 0) {
                    free = i;
                }
            } else if (k.equals(key)) {
                lastUse[i] = ++uses;
                return statements[i];
            } else if (lastUse[i] < lastUse[oldest]) {
                oldest = i;
            }
        }
        slot = free >= 0 ? free : oldest;
        return null;
    }

    /** @return the statement the next {@link #put} replaces (the caller closes it), or null when a slot is free */
    PreparedStatement evictee() {
        return statements[slot];
    }

    /** Stores {@code statement} for {@code key} where the last missed {@link #get} found room. */
    void put(String key, PreparedStatement statement) {
        keys[slot] = key;
        statements[slot] = statement;
        lastUse[slot] = ++uses;
    }

    /** Forgets every statement (closed by their owner, or with a physical connection gone). */
    void clear() {
        Arrays.fill(statements, null);
        Arrays.fill(keys, null);
    }

    /** @return how many statements are cached */
    int size() {
        int n = 0;
        for (PreparedStatement s : statements) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }
}
