package io.github.citusjdbc.conformance;

/**
 * Where a conformance suite connects: a {@code jdbc:postgresql:} URL and the application role.
 *
 * @param pgjdbcUrl {@code jdbc:postgresql://host:port/db}
 * @param user      the application role (not a superuser)
 * @param password  its password
 */
record Target(String pgjdbcUrl, String user, String password) {

    /** @return the same server as a {@code jdbc:citus:} URL */
    String citusUrl() {
        return "jdbc:citus:" + pgjdbcUrl.substring("jdbc:postgresql:".length());
    }
}
