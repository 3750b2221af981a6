package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An autocommit {@code PreparedStatement.executeBatch} of {@code entries} upserts: raw pgjdbc's
 * batch with schema-qualified names against citus-jdbc's pinned envelope (one copy of the SQL per
 * entry, unnamed statements), on the test kit's coordinator, directly or through its PgBouncer,
 * through a {@link RoundTripRelay} adding {@code delayMs} per direction. Both send the same number
 * of round trips (1 up to 252 entries); the envelope makes the server parse every copy, where
 * pgjdbc's direct batch parses a named statement once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PinnedBatchBenchmark {

    private static final String TENANT = "bench_pin";

    @Param({"direct", "pgbouncer"})
    public String target;

    @Param({"0", "1"})
    public int delayMs;

    @Param({"10", "100"})
    public int entries;

    private RoundTripRelay relay;
    private Connection raw;
    private Connection pinned;
    private PreparedStatement rawBatch;
    private PreparedStatement pinnedBatch;
    private int id;

    @Setup(Level.Trial)
    public void setUp() throws SQLException, IOException {
        LocalCluster cluster = LocalCluster.shared();
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement s = admin.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + TENANT);
            s.execute("CREATE TABLE IF NOT EXISTS " + TENANT + ".batch_items (id int PRIMARY KEY, name text, v bigint DEFAULT 0)");
            s.execute("GRANT USAGE ON SCHEMA " + TENANT + " TO " + cluster.user());
            s.execute("GRANT ALL ON ALL TABLES IN SCHEMA " + TENANT + " TO " + cluster.user());
        }
        boolean bouncer = target.equals("pgbouncer");
        String url = bouncer ? cluster.bouncerJdbcUrl(cluster.coordinator()) : cluster.jdbcUrl(cluster.coordinator());
        relay = RoundTripRelay.forUrl(url, Duration.ofMillis(delayMs));
        String viaRelay = relay.jdbcUrl(url);
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        if (bouncer) {
            p.setProperty("prepareThreshold", "0");
        }
        raw = DriverManager.getConnection(viaRelay, p);
        if (bouncer) {
            p.setProperty("pooler", "pgbouncer-transaction");
        }
        pinned = DriverManager.getConnection("jdbc:citus:" + viaRelay.substring("jdbc:postgresql:".length()), p);
        pinned.setSchema(TENANT);
        String upsert = "INSERT INTO %sbatch_items (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = batch_items.v + 1";
        rawBatch = raw.prepareStatement(String.format(upsert, TENANT + "."));
        pinnedBatch = pinned.prepareStatement(String.format(upsert, ""));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        for (Connection c : new Connection[] {raw, pinned}) {
            if (c != null) {
                c.close();
            }
        }
        relay.close();
    }

    @Benchmark
    public int[] rawBatch() throws SQLException {
        return batch(rawBatch);
    }

    @Benchmark
    public int[] pinnedBatch() throws SQLException {
        return batch(pinnedBatch);
    }

    private int[] batch(PreparedStatement ps) throws SQLException {
        for (int i = 0; i < entries; i++) {
            int k = ++id % 1000;
            ps.setInt(1, k);
            ps.setString(2, "n" + k);
            ps.addBatch();
        }
        return ps.executeBatch();
    }
}
