package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The same calls as {@link StubDriverBenchmark}, on the test kit's coordinator over loopback:
 * raw pgjdbc ({@code jdbc:postgresql:}) against citus-jdbc ({@code jdbc:citus:}). The test kit
 * starts local servers, or attaches to the cluster named by {@code CITUS_TESTKIT_URL}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RealServerBenchmark {

    private static final String QUERY = "SELECT g, 'tenant' FROM generate_series(1, 10) g";

    private Connection raw;
    private Connection wrapped;
    private Statement rawStatement;
    private Statement wrappedStatement;
    private PreparedStatement rawPrepared;
    private PreparedStatement wrappedPrepared;
    private PreparedStatement rawQuery;
    private PreparedStatement wrappedQuery;
    private int value;

    @Setup
    public void setUp() throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        String url = cluster.jdbcUrl(cluster.coordinator());
        raw = DriverManager.getConnection(url, cluster.user(), cluster.password());
        wrapped = DriverManager.getConnection("jdbc:citus:" + url.substring("jdbc:postgresql:".length()),
                cluster.user(), cluster.password());
        rawStatement = raw.createStatement();
        wrappedStatement = wrapped.createStatement();
        rawPrepared = raw.prepareStatement("SELECT ?::int, ?::text");
        wrappedPrepared = wrapped.prepareStatement("SELECT ?::int, ?::text");
        rawQuery = raw.prepareStatement(QUERY);
        wrappedQuery = wrapped.prepareStatement(QUERY);
    }

    @TearDown
    public void tearDown() throws SQLException {
        raw.close();
        wrapped.close();
    }

    @Benchmark
    public boolean rawStatementExecute() throws SQLException {
        return rawStatement.execute("SELECT 1");
    }

    @Benchmark
    public boolean wrappedStatementExecute() throws SQLException {
        return wrappedStatement.execute("SELECT 1");
    }

    @Benchmark
    public boolean rawPreparedSetExecute() throws SQLException {
        return setExecute(rawPrepared);
    }

    @Benchmark
    public boolean wrappedPreparedSetExecute() throws SQLException {
        return setExecute(wrappedPrepared);
    }

    @Benchmark
    public void rawResultSetNextGet(Blackhole bh) throws SQLException {
        iterate(rawQuery, bh);
    }

    @Benchmark
    public void wrappedResultSetNextGet(Blackhole bh) throws SQLException {
        iterate(wrappedQuery, bh);
    }

    private boolean setExecute(PreparedStatement ps) throws SQLException {
        ps.setInt(1, ++value);
        ps.setString(2, "tenant");
        return ps.execute();
    }

    private static void iterate(PreparedStatement ps, Blackhole bh) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
            }
        }
    }
}
