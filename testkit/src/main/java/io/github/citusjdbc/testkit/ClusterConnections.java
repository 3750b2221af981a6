package io.github.citusjdbc.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * How tests reach a test cluster: the roles and database it serves, the JDBC URLs of each node
 * (straight to the server, through its PgBouncer 1.18, through its PgBouncer 1.25) and new
 * connections as the superuser or the application role. Every connection is made with raw pgjdbc
 * through {@link DriverManager}, never with the driver under test.
 *
 * <p>Immutable and thread-safe.
 */
final class ClusterConnections {
    private final String adminUser;
    private final String adminPassword;
    private final String appUser;
    private final String appPassword;
    private final String database;

    /**
     * @param adminUser     a superuser: the kit's own operations log in as it
     * @param appUser       the application role tests and the driver log in as
     * @param database      the database every node serves
     */
    ClusterConnections(String adminUser, String adminPassword, String appUser, String appPassword, String database) {
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.appUser = appUser;
        this.appPassword = appPassword;
        this.database = database;
    }

    String user() {
        return appUser;
    }

    String password() {
        return appPassword;
    }

    String adminUser() {
        return adminUser;
    }

    String adminPassword() {
        return adminPassword;
    }

    String database() {
        return database;
    }

    /** @return {@code jdbc:postgresql://127.0.0.1:PORT/DB} straight to the node */
    String jdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database;
    }

    /** @return the URL of the node's PgBouncer (transaction pooling) */
    String bouncerJdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.bouncerAddress() + "/" + database;
    }

    /** @return the URL of the node's PgBouncer 1.25 (transaction pooling, tracks {@code search_path}) */
    String trackingBouncerJdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.trackingBouncerAddress() + "/" + database;
    }

    /** @return a new superuser connection straight to the node */
    Connection admin(ClusterNode node) throws SQLException {
        return connect(node.host(), node.port(), database, adminUser, adminPassword);
    }

    /** @return a new connection as the application role straight to the node */
    Connection appConnection(ClusterNode node) throws SQLException {
        return connect(node.host(), node.port(), database, appUser, appPassword);
    }

    /** @return a new connection as the application role through the node's PgBouncer ({@code prepareThreshold=0}) */
    Connection bouncerConnection(ClusterNode node) throws SQLException {
        Properties p = appCredentials();
        p.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection(bouncerJdbcUrl(node), p);
    }

    /**
     * @return a new connection as the application role through the node's PgBouncer 1.25; named
     *         prepared statements are safe there ({@code max_prepared_statements}), so pgjdbc's defaults stay
     */
    Connection trackingBouncerConnection(ClusterNode node) throws SQLException {
        return DriverManager.getConnection(trackingBouncerJdbcUrl(node), appCredentials());
    }

    private Properties appCredentials() {
        Properties p = new Properties();
        p.setProperty("user", appUser);
        p.setProperty("password", appPassword);
        return p;
    }

    /** @return a new connection to a server on loopback, e.g. the template before any node exists */
    static Connection connect(int port, String db, String user, String password) throws SQLException {
        return connect("127.0.0.1", port, db, user, password);
    }

    /**
     * @return a new connection straight to a server, with a 10 s connect timeout so that a server
     *         that does not answer fails the caller instead of hanging it; an IPv6 host is bracketed
     */
    static Connection connect(String host, int port, String db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + h + ":" + port + "/" + db, p);
    }
}
