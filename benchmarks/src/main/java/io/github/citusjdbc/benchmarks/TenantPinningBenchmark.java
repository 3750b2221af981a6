package io.github.citusjdbc.benchmarks;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 * Tenant pinning against raw pgjdbc with schema-qualified names (the no-pin baseline an
 * application would otherwise write), on the test kit's coordinator, directly or through its
 * PgBouncer (transaction mode), every connection through a {@link RoundTripRelay} that adds
 * {@code delayMs} per direction. Autocommit: a prepared point read. Transaction: read, update,
 * read, commit. The tenant is a plain schema on the coordinator, so only the driver's work and
 * the wire differ (no Citus forwarding in the measurement).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TenantPinningBenchmark {

    private static final String TENANT = PinnedPair.TENANT;

    @Param({"direct", "pgbouncer"})
    public String target;

    @Param({"0", "1"})
    public int delayMs;

    private PinnedPair pair;
    private Connection rawTx;
    private Connection pinnedTx;
    private PreparedStatement rawRead;
    private PreparedStatement pinnedRead;
    private Statement rawTxStatement;
    private Statement pinnedTxStatement;
    private int id;

    @Setup(Level.Trial)
    public void setUp() throws SQLException, IOException {
        pair = new PinnedPair(target, delayMs,
                "CREATE TABLE IF NOT EXISTS " + TENANT + ".items (id int PRIMARY KEY, name text, v bigint DEFAULT 0)",
                "INSERT INTO " + TENANT + ".items (id, name) SELECT g, 'n' || g FROM generate_series(1, 100) g"
                        + " ON CONFLICT DO NOTHING");
        rawRead = pair.raw().prepareStatement("SELECT name FROM " + TENANT + ".items WHERE id = ?");
        pinnedRead = pair.pinned().prepareStatement("SELECT name FROM items WHERE id = ?");
        rawTx = pair.raw();
        pinnedTx = pair.pinned();
        rawTx.setAutoCommit(false);
        pinnedTx.setAutoCommit(false);
        rawTxStatement = rawTx.createStatement();
        pinnedTxStatement = pinnedTx.createStatement();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        pair.close();
    }

    @Benchmark
    public String rawAutocommit() throws SQLException {
        return read(rawRead);
    }

    @Benchmark
    public String pinnedAutocommit() throws SQLException {
        return read(pinnedRead);
    }

    @Benchmark
    public String rawTransaction() throws SQLException {
        return transaction(rawTx, rawTxStatement, TENANT + ".");
    }

    @Benchmark
    public String pinnedTransaction() throws SQLException {
        return transaction(pinnedTx, pinnedTxStatement, "");
    }

    private String read(PreparedStatement ps) throws SQLException {
        ps.setInt(1, 1 + (++id % 100));
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    private String transaction(Connection c, Statement s, String qualifier) throws SQLException {
        int k = 1 + (++id % 100);
        String name;
        try (ResultSet rs = s.executeQuery("SELECT name FROM " + qualifier + "items WHERE id = " + k)) {
            rs.next();
            name = rs.getString(1);
        }
        s.executeUpdate("UPDATE " + qualifier + "items SET v = v + 1 WHERE id = " + k);
        try (ResultSet rs = s.executeQuery("SELECT v FROM " + qualifier + "items WHERE id = " + k)) {
            rs.next();
            name += rs.getLong(1);
        }
        c.commit();
        return name;
    }
}
