package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.benchmarks.stub.StubConnection;
import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.jdbc.LogicalConnections;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The wrappers' own cost: the same calls on a stub connection that does no I/O, once directly
 * ({@code raw*}) and once through citus-jdbc's wrappers ({@code wrapped*}). Compare pairs.
 * The query pair reads {@link StubConnection#ROWS} rows from the parameterized statement. The
 * {@code *StatementNewText} pair executes texts the connection has not run lately (1,024 of about 100
 * characters in turn, more than the 256 its classification cache keeps), as SQL with literals in it is:
 * with routing off (the stub is not Citus) and nothing pinned nothing reads what they hold.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StubDriverBenchmark extends JdbcPairBenchmark {

    private static final int TEXTS = 1024;
    private final String[] newTexts = new String[TEXTS];
    private int nextText;

    @Setup
    public void setUp() throws SQLException {
        for (int i = 0; i < TEXTS; i++) {
            newTexts[i] = "SELECT name, price FROM items WHERE id = " + (100_000 + i) + " AND tenant_id = 'tenant-"
                    + i + "' ORDER BY name";
        }
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

    private String newText() {
        int i = nextText;
        nextText = (i + 1) % TEXTS;
        return newTexts[i];
    }

    @Benchmark
    public boolean rawStatementNewText() throws SQLException {
        return rawStatement.execute(newText());
    }

    @Benchmark
    public boolean wrappedStatementNewText() throws SQLException {
        return wrappedStatement.execute(newText());
    }
}
