package io.github.citusjdbc.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.testkit.LocalCluster;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Example (a): moving an application from pgjdbc to citus-jdbc is a URL change, with
 * {@code DriverManager} and with HikariCP. Run: see the README, "Examples".
 */
public final class UrlSwapExample {
    private UrlSwapExample() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            run(cluster, System.out);
        }
    }

    static void run(LocalCluster cluster, PrintStream out) throws SQLException {
        String before = cluster.jdbcUrl(cluster.coordinator());
        String after = Served.citus(before); // the whole migration
        out.println("== URL swap ==");
        for (String url : new String[] {before, after}) {
            try (Connection c = DriverManager.getConnection(url, cluster.user(), cluster.password());
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_dist_node")) {
                rs.next();
                out.printf("DriverManager %-45s citus-jdbc=%-5s nodes=%d served by %s%n", url,
                        c.isWrapperFor(CitusConnection.class), rs.getInt(1), Served.by(cluster, c));
            }
        }
        // HikariCP: only jdbcUrl changes; behind PgBouncer in transaction mode, tell the driver so.
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(Served.citus(cluster.bouncerJdbcUrl(cluster.coordinator())));
        config.setUsername(cluster.user());
        config.setPassword(cluster.password());
        config.setMaximumPoolSize(2);
        config.addDataSourceProperty("pooler", "pgbouncer-transaction");
        try (HikariDataSource pool = new HikariDataSource(config); Connection c = pool.getConnection()) {
            out.printf("HikariCP      %-45s citus-jdbc=%-5s served by %s (through PgBouncer)%n", config.getJdbcUrl(),
                    c.isWrapperFor(CitusConnection.class), Served.by(cluster, c));
            out.println("Citus detected: " + c.unwrap(CitusConnection.class).isCitus());
        }
        out.println("== URL swap done ==");
    }
}
