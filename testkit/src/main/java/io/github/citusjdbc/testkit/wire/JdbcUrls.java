package io.github.citusjdbc.testkit.wire;

/** Rewrites the address of single-host {@code jdbc:postgresql://host:port/...} URLs. */
public final class JdbcUrls {
    private static final String PREFIX = "jdbc:postgresql://";

    private JdbcUrls() {
    }

    /** A host and port taken from a URL. */
    public record HostPort(String host, int port) {
    }

    /**
     * @param jdbcUrl {@code jdbc:postgresql://host[:port]/...} with one host
     * @return its host and port (5432 when absent)
     * @throws IllegalArgumentException for any other shape
     */
    public static HostPort hostPort(String jdbcUrl) {
        String authority = authority(jdbcUrl);
        int colon = authority.lastIndexOf(':');
        if (colon < 0 || authority.endsWith("]")) {
            return new HostPort(authority, 5432);
        }
        return new HostPort(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
    }

    /**
     * @param jdbcUrl {@code jdbc:postgresql://host[:port]/db?props} with one host
     * @param host the new host
     * @param port the new port
     * @return the same URL (database and properties kept) with the new address
     */
    public static String withHostPort(String jdbcUrl, String host, int port) {
        String authority = authority(jdbcUrl);
        return PREFIX + host + ":" + port + jdbcUrl.substring(PREFIX.length() + authority.length());
    }

    private static String authority(String jdbcUrl) {
        if (!jdbcUrl.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a jdbc:postgresql:// URL: " + jdbcUrl);
        }
        int end = jdbcUrl.length();
        for (int i = PREFIX.length(); i < jdbcUrl.length(); i++) {
            char c = jdbcUrl.charAt(i);
            if (c == '/' || c == '?') {
                end = i;
                break;
            }
        }
        String authority = jdbcUrl.substring(PREFIX.length(), end);
        if (authority.isEmpty() || authority.contains(",")) {
            throw new IllegalArgumentException("need exactly one host in " + jdbcUrl);
        }
        return authority;
    }
}
