package io.github.citusjdbc.benchmarks;

import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.SQLException;
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

    private static final String TENANT = PinnedPair.TENANT;

    @Param({"direct", "pgbouncer"})
    public String target;

    @Param({"0", "1"})
    public int delayMs;

    @Param({"10", "100"})
    public int entries;

    private PinnedPair pair;
    private PreparedStatement rawBatch;
    private PreparedStatement pinnedBatch;
    private int id;

    @Setup(Level.Trial)
    public void setUp() throws SQLException, IOException {
        pair = new PinnedPair(target, delayMs, "CREATE TABLE IF NOT EXISTS " + TENANT
                + ".batch_items (id int PRIMARY KEY, name text, v bigint DEFAULT 0)");
        String upsert = "INSERT INTO %sbatch_items (id, name) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = batch_items.v + 1";
        rawBatch = pair.raw().prepareStatement(String.format(upsert, TENANT + "."));
        pinnedBatch = pair.pinned().prepareStatement(String.format(upsert, ""));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        pair.close();
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
