package io.github.citusjdbc.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The raw/wrapped pairs shared by {@link StubDriverBenchmark} and {@link RealServerBenchmark}: the
 * same JDBC calls once on the raw connection and once through citus-jdbc. Subclasses open the
 * connections and prepare the statements in their {@code @Setup}; JMH runs these methods for each
 * concrete subclass.
 */
public abstract class JdbcPairBenchmark {

    protected Connection raw;
    protected Connection wrapped;
    protected Statement rawStatement;
    protected Statement wrappedStatement;
    /** Two parameters, an int and a text. */
    protected PreparedStatement rawPrepared;
    protected PreparedStatement wrappedPrepared;
    /** A query returning rows of (int, text). */
    protected PreparedStatement rawQuery;
    protected PreparedStatement wrappedQuery;
    private int value;

    /** @return the SQL of the {@code *StatementExecute} pair */
    protected abstract String statementSql();

    @TearDown
    public void tearDown() throws SQLException {
        raw.close();
        wrapped.close();
    }

    @Benchmark
    public boolean rawStatementExecute() throws SQLException {
        return rawStatement.execute(statementSql());
    }

    @Benchmark
    public boolean wrappedStatementExecute() throws SQLException {
        return wrappedStatement.execute(statementSql());
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
