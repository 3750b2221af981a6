package io.github.citusjdbc.cluster;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusConsistency;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Run by {@link ReadYourWritesTest} in a JVM of its own (another service: none of the writer's marks):
 * reads one row read-only without and then with the writer's token bound, and prints the value and
 * the route of each read. Arguments: URL, user, password, tenant, row id, token.
 */
public final class TokenProbe {

    private TokenProbe() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", args[1]);
        p.setProperty("password", args[2]);
        try (Connection c = DriverManager.getConnection(args[0], p)) {
            c.setSchema(args[3]);
            c.setReadOnly(true);
            int id = Integer.parseInt(args[4]);
            System.out.println("without=" + read(c, id));
            try (CitusConsistency.Scope scope = CitusConsistency.require(args[5])) {
                System.out.println("with=" + read(c, id));
            }
        }
    }

    private static String read(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM items WHERE id = ?")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) + "|" + c.unwrap(CitusConnection.class).lastServedBy().reason();
            }
        }
    }
}
