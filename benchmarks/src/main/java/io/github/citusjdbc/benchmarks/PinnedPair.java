package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

/**
 * The connections of a pinning benchmark: raw pgjdbc and citus-jdbc with a tenant pinned, both to
 * the test kit's coordinator (directly or through its PgBouncer in transaction mode) through one
 * {@link RoundTripRelay} adding a delay per direction.
 */
final class PinnedPair implements AutoCloseable {

    /** The tenant: a plain schema on the coordinator, so no Citus forwarding is measured. */
    static final String TENANT = "bench_pin";

    final RoundTripRelay relay;
    private final String rawUrl;
    private final String citusUrl;
    private final Properties properties;
    private final java.util.List<Connection> opened = new java.util.ArrayList<>();

    /**
     * @param target  {@code direct} or {@code pgbouncer}
     * @param delayMs milliseconds added per direction
     * @param ddl     statements run as the admin first (the tenant schema exists already)
     */
    PinnedPair(String target, int delayMs, String... ddl) throws SQLException, IOException {
        LocalCluster cluster = LocalCluster.shared();
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement s = admin.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + TENANT);
            for (String sql : ddl) {
                s.execute(sql);
            }
            s.execute("GRANT USAGE ON SCHEMA " + TENANT + " TO " + cluster.user());
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA " + TENANT + " TO " + cluster.user());
        }
        boolean bouncer = target.equals("pgbouncer");
        String url = bouncer ? cluster.bouncerJdbcUrl(cluster.coordinator()) : cluster.jdbcUrl(cluster.coordinator());
        relay = RoundTripRelay.forUrl(url, Duration.ofMillis(delayMs));
        rawUrl = relay.jdbcUrl(url);
        citusUrl = "jdbc:citus:" + rawUrl.substring("jdbc:postgresql:".length());
        properties = new Properties();
        properties.setProperty("user", cluster.user());
        properties.setProperty("password", cluster.password());
        if (bouncer) {
            properties.setProperty("prepareThreshold", "0"); // PgBouncer 1.18: no named statements
        }
    }

    /** @return a raw pgjdbc connection (nothing pinned: its SQL names the schema) */
    Connection raw() throws SQLException {
        Connection c = DriverManager.getConnection(rawUrl, properties);
        opened.add(c);
        return c;
    }

    /** @return a citus-jdbc connection with {@link #TENANT} pinned */
    Connection pinned() throws SQLException {
        Properties p = new Properties();
        p.putAll(properties);
        if (p.containsKey("prepareThreshold")) {
            p.setProperty("pooler", "pgbouncer-transaction");
        }
        p.setProperty("tenantPinning", "transaction"); // what the recorded figures measure (no longer the default)
        Connection c = DriverManager.getConnection(citusUrl, p);
        opened.add(c);
        c.setSchema(TENANT);
        return c;
    }

    @Override
    public void close() throws SQLException {
        for (Connection c : opened) {
            c.close();
        }
        relay.close();
    }
}
