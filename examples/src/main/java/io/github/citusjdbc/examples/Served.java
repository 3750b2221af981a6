package io.github.citusjdbc.examples;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Says which node served a connection's current work, from the server's own answer (never guessed). */
final class Served {
    static final String QUERY = "SELECT inet_server_port(), pg_is_in_recovery()";

    private Served() {
    }

    /** @return e.g. {@code worker1 [primary]}, from the port the server reports */
    static String by(LocalCluster cluster, int port, boolean standby) {
        String name = "port " + port;
        for (ClusterNode n : cluster.nodes()) {
            if (n.port() == port) {
                name = n.name();
            }
        }
        return name + (standby ? " [standby]" : " [primary]");
    }

    /** Runs {@link #QUERY} on the connection (inside its current transaction, if any). */
    static String by(LocalCluster cluster, Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            rs.next();
            return by(cluster, rs.getInt(1), rs.getBoolean(2));
        }
    }

    /** @return the {@code jdbc:citus:} form of a {@code jdbc:postgresql:} URL: the whole URL swap */
    static String citus(String pgjdbcUrl) {
        return "jdbc:citus:" + pgjdbcUrl.substring("jdbc:postgresql:".length());
    }
}
