package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.benchmarks.stub.StubConnection;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.jdbc.LogicalConnections;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The wrappers' own cost: the same calls on a stub connection that does no I/O, once directly
 * ({@code raw*}) and once through citus-jdbc's wrappers ({@code wrapped*}). Compare pairs.
 * The query pair reads {@link StubConnection#ROWS} rows from the parameterized statement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StubDriverBenchmark extends JdbcPairBenchmark {

    @Setup
    public void setUp() throws SQLException {
        raw = new StubConnection();
        wrapped = LogicalConnections.wrap(new StubConnection(), DriverConfig.parse("jdbc:citus://stub/db", null), false);
        rawStatement = raw.createStatement();
        wrappedStatement = wrapped.createStatement();
        rawPrepared = raw.prepareStatement("select ?, ?");
        wrappedPrepared = wrapped.prepareStatement("select ?, ?");
        rawQuery = rawPrepared; // the stub answers every query with the same rows
        wrappedQuery = wrappedPrepared;
    }

    @Override
    protected String statementSql() {
        return "select 1";
    }
}
