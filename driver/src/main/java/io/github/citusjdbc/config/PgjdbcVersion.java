package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusSqlState;
import java.sql.SQLException;

/**
 * The pgjdbc versions the driver supports. Pinning and the one-round-trip CallableStatement use
 * classes of {@code org.postgresql.core} ({@code Parser}, {@code QueryExecutor},
 * {@code BaseConnection}), which pgjdbc does not promise to keep, so the driver refuses to connect
 * over a pgjdbc outside the range its tests run against (the build tests the newest and the oldest).
 */
public final class PgjdbcVersion {

    /** The oldest supported pgjdbc 42.7 patch release; tested by the build's {@code pgjdbc-oldest} run. */
    public static final int OLDEST_PATCH = 6;

    /** The supported range, as messages and docs/configuration.md state it. */
    public static final String SUPPORTED = "42.7." + OLDEST_PATCH + " to 42.7.x";

    private static final String FOUND = org.postgresql.Driver.getVersion(); // read from pgjdbc's jar at run time
    private static final String PROBLEM = problem(FOUND);

    private PgjdbcVersion() {
    }

    /** @return pgjdbc's version string on the class path, e.g. {@code PostgreSQL JDBC Driver 42.7.14} */
    public static String found() {
        return FOUND;
    }

    /** @return the patch number of the pgjdbc 42.7 on the class path, or -1 for another line */
    public static int patch() {
        String v = FOUND.substring(FOUND.lastIndexOf(' ') + 1);
        String[] parts = v.split("[.-]");
        return parts.length > 2 && parts[0].equals("42") && parts[1].equals("7") ? number(parts[2]) : -1;
    }

    /**
     * @throws SQLException SQLState {@code 08001} when the pgjdbc on the class path is not supported
     */
    public static void requireSupported() throws SQLException {
        if (PROBLEM != null) {
            throw new SQLException(PROBLEM, CitusSqlState.UNABLE_TO_CONNECT.getState());
        }
    }

    /**
     * @param version a pgjdbc version string ({@code org.postgresql.Driver.getVersion()})
     * @return why it is not supported, or null when it is
     */
    static String problem(String version) {
        String v = version == null ? "" : version.substring(version.lastIndexOf(' ') + 1);
        String[] parts = v.split("[.-]");
        int major = parts.length > 0 ? number(parts[0]) : -1;
        int minor = parts.length > 1 ? number(parts[1]) : -1;
        int patch = parts.length > 2 ? number(parts[2]) : -1;
        if (major == 42 && minor == 7 && patch >= OLDEST_PATCH) {
            return null;
        }
        return "citus-jdbc supports pgjdbc " + SUPPORTED + " (it relies on pgjdbc internals that other versions may"
                + " change); found " + (version == null ? "no version" : version) + " on the class path";
    }

    private static int number(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
