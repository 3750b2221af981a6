package io.github.citusjdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Read-your-writes across processes ({@code readYourWrites=tenant} on both sides). The service that
 * wrote asks its connection for a token; the one that reads next (another JVM, a later request)
 * binds it, and its read-only units of work then run on a secondary only once the secondary has
 * replayed what the token names, else on the primary:
 * <pre>{@code
 * // writer, after its transaction committed
 * String token = CitusConsistency.token(connection);      // e.g. sent back in an HTTP header
 *
 * // reader
 * try (CitusConsistency.Scope scope = CitusConsistency.require(token)) {
 *     // read-only units on this thread see what the writer had committed when it asked
 * }
 * }</pre>
 *
 * <p>A token names, per group of workers written by the writer's JVM, a WAL position of the group's
 * primary read after the JVM's last write there. It is valid for the cluster it was made on. The
 * binding is per thread, like {@link CitusTenants#bind}; scopes nest.
 */
public final class CitusConsistency {

    private static final String PREFIX = "rw1:";
    private static final ThreadLocal<Map<Integer, Long>> BOUND = new ThreadLocal<>();

    private CitusConsistency() {
    }

    /**
     * A token naming what this JVM has written to the connection's cluster ({@link CitusConnection#readYourWritesToken}).
     *
     * @param connection a citus-jdbc connection (or a pool's proxy of one) with {@code readYourWrites=tenant}
     * @return the token; "rw1:" alone when nothing was written
     * @throws SQLException {@code 0A000} when the connection does not have {@code readYourWrites=tenant};
     *                      as the position reads throw them
     */
    public static String token(Connection connection) throws SQLException {
        return connection.unwrap(CitusConnection.class).readYourWritesToken();
    }

    /**
     * Binds {@code token} to the calling thread until the returned scope is closed: read-only units of
     * work of connections with {@code readYourWrites=tenant} run on a secondary only when it has
     * replayed the token's position for its group.
     *
     * @param token a token from {@link #token}; null binds nothing (the scope still restores)
     * @return the scope
     * @throws SQLException {@code 22023} when the token is malformed
     */
    public static Scope require(String token) throws SQLException {
        return new Scope(token == null ? null : parse(token));
    }

    /** @return group → WAL position the calling thread's bound token requires, or null when none is bound */
    public static Map<Integer, Long> required() {
        return BOUND.get();
    }

    /**
     * @param positions group → WAL position
     * @return the token text
     */
    public static String format(Map<Integer, Long> positions) {
        StringJoiner j = new StringJoiner(",", PREFIX, "");
        new TreeMap<>(positions).forEach((group, lsn) ->
                j.add(group + "=" + Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase()));
        return j.toString();
    }

    static Map<Integer, Long> parse(String token) throws SQLException {
        if (!token.startsWith(PREFIX)) {
            throw malformed();
        }
        String body = token.substring(PREFIX.length());
        Map<Integer, Long> positions = new TreeMap<>();
        if (body.isEmpty()) {
            return Collections.unmodifiableMap(positions);
        }
        for (String entry : body.split(",", -1)) {
            int eq = entry.indexOf('=');
            int slash = entry.indexOf('/');
            if (eq <= 0 || slash <= eq + 1 || slash == entry.length() - 1 || entry.length() > 40) {
                throw malformed();
            }
            try {
                int group = Integer.parseInt(entry.substring(0, eq));
                long high = Long.parseLong(entry.substring(eq + 1, slash), 16);
                long low = Long.parseLong(entry.substring(slash + 1), 16);
                if (group < 0 || high < 0 || high > 0xFFFFFFFFL || low < 0 || low > 0xFFFFFFFFL
                        || positions.put(group, (high << 32) | low) != null) {
                    throw malformed();
                }
            } catch (NumberFormatException e) {
                throw malformed();
            }
        }
        return Collections.unmodifiableMap(positions);
    }

    private static SQLException malformed() {
        // The token itself is not repeated: it came from outside.
        return new SQLException("citus-jdbc: malformed read-your-writes token; expected what CitusConsistency.token returned"
                + " (rw1:<group>=<WAL position>,...)", CitusSqlState.INVALID_PARAMETER_VALUE.getState());
    }

    /** A binding of a token to a thread; {@link #close()} restores the previous one. */
    public static final class Scope extends ThreadBinding<Map<Integer, Long>> {
        private Scope(Map<Integer, Long> positions) {
            super(BOUND, positions);
        }
    }
}
