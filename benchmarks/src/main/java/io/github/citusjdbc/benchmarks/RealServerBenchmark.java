package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The same calls as {@link StubDriverBenchmark}, on the test kit's coordinator over loopback:
 * raw pgjdbc ({@code jdbc:postgresql:}) against citus-jdbc ({@code jdbc:citus:}). The test kit
 * starts local servers, or attaches to the cluster named by {@code CITUS_TESTKIT_URL}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RealServerBenchmark extends JdbcPairBenchmark {

    private static final String QUERY = "SELECT g, 'tenant' FROM generate_series(1, 10) g";

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

    @Override
    protected String statementSql() {
        return "SELECT 1";
    }
}
