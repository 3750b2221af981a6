package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.benchmarks.stub.StubConnection;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.jdbc.LogicalConnections;
import java.sql.Connection;
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
 * The wrappers' own cost: the same calls on a stub connection that does no I/O, once directly
 * ({@code raw*}) and once through citus-jdbc's wrappers ({@code wrapped*}). Compare pairs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StubDriverBenchmark {

    private Connection raw;
    private Connection wrapped;
    private Statement rawStatement;
    private Statement wrappedStatement;
    private PreparedStatement rawPrepared;
    private PreparedStatement wrappedPrepared;
    private int value;

    @Setup
    public void setUp() throws SQLException {
        raw = new StubConnection();
        wrapped = LogicalConnections.wrap(new StubConnection(), DriverConfig.parse("jdbc:citus://stub/db", null), false);
        rawStatement = raw.createStatement();
        wrappedStatement = wrapped.createStatement();
        rawPrepared = raw.prepareStatement("select ?, ?");
        wrappedPrepared = wrapped.prepareStatement("select ?, ?");
    }

    @TearDown
    public void tearDown() throws SQLException {
        raw.close();
        wrapped.close();
    }

    @Benchmark
    public boolean rawStatementExecute() throws SQLException {
        return rawStatement.execute("select 1");
    }

    @Benchmark
    public boolean wrappedStatementExecute() throws SQLException {
        return wrappedStatement.execute("select 1");
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
        iterate(rawPrepared, bh);
    }

    @Benchmark
    public void wrappedResultSetNextGet(Blackhole bh) throws SQLException {
        iterate(wrappedPrepared, bh);
    }

    private boolean setExecute(PreparedStatement ps) throws SQLException {
        ps.setInt(1, ++value);
        ps.setString(2, "tenant");
        return ps.execute();
    }

    /** One query, {@link StubConnection#ROWS} rows, two getters per row. */
    private static void iterate(PreparedStatement ps, Blackhole bh) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                bh.consume(rs.getInt(1));
                bh.consume(rs.getString(2));
            }
        }
    }
}
