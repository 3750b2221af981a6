package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.topology.CatalogRead;
import io.github.citusjdbc.topology.TopologyReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A whole topology read against a real server whose catalogs hold 100 nodes and 10,000 tenant
 * schemas (each with one table, shard and placement): the query, the transfer and the snapshot
 * build, as the application role, in the steady state (one round trip). {@code factsQuery} runs
 * the per-schema tenant query of docs/facts.md (Catalogs) alone, for comparison with the set-based one the reader uses.
 * Starts a private Citus cluster (no standbys, no PgBouncer) and fills its catalogs directly as superuser
 * (not re-measured since the kit moved from its emulation to real Citus).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TopologyReadBenchmark {

    private static final int TENANTS = 10_000;
    private static final String PER_SCHEMA_QUERY = "SELECT s.schemaid::regnamespace::text AS schema_name, pl.groupid,"
            + " n.nodename AS primary_host, n.nodeport AS primary_port, n.isactive FROM pg_dist_schema s"
            + " LEFT JOIN LATERAL (SELECT DISTINCT pl.groupid FROM pg_dist_partition p"
            + " JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
            + " JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1"
            + " WHERE p.colocationid = s.colocationid) pl ON true"
            + " LEFT JOIN pg_dist_node n ON n.groupid = pl.groupid AND n.noderole = 'primary' ORDER BY 1";

    private LocalCluster cluster;
    private Connection app;
    private TopologyReader reader;
    private long version;

    /** Starts the cluster and fills the catalogs. */
    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults().withStandbys(false, false).withBouncers(false));
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement st = admin.createStatement()) {
            st.execute("SET allow_system_table_mods = on");
            for (int from = 1; from <= TENANTS; from += 1000) {
                // Batches of 1,000: one transaction creating 10,000 tables would exhaust the lock table.
                st.execute("DO $$ BEGIN FOR i IN " + from + ".." + (from + 999) + " LOOP"
                        + " EXECUTE format('CREATE SCHEMA bench_t%1$s; CREATE TABLE bench_t%1$s.items (id int)', i);"
                        + " END LOOP; END $$");
            }
            String series = " FROM generate_series(1, " + TENANTS + ") i";
            st.execute("INSERT INTO pg_dist_colocation SELECT 900000 + i, 1, 1, 0, 0" + series);
            st.execute("INSERT INTO pg_dist_schema SELECT format('bench_t%s', i)::regnamespace, 900000 + i" + series);
            st.execute("INSERT INTO pg_dist_partition SELECT format('bench_t%s.items', i)::regclass, 'n', NULL, 900000 + i,"
                    + " 's', false" + series);
            st.execute("INSERT INTO pg_dist_shard SELECT format('bench_t%s.items', i)::regclass, 9000000 + i, 't', NULL, NULL"
                    + series);
            st.execute("INSERT INTO pg_dist_placement (placementid, shardid, shardstate, shardlength, groupid)"
                    + " SELECT 9000000 + i, 9000000 + i, 1, 0, 1 + i % 2" + series);
            // 3 real nodes + 97 registered ones = 100 rows (groups 3..51, a primary and mostly a secondary each).
            st.execute("INSERT INTO pg_dist_node (nodeid, groupid, nodename, nodeport, noderole, isactive, hasmetadata,"
                    + " metadatasynced) SELECT 1000 + i, 3 + i / 2, 'fake-' || i, 5432,"
                    + " (CASE WHEN i % 2 = 0 THEN 'primary' ELSE 'secondary' END)::noderole, true, true, true"
                    + " FROM generate_series(0, 96) i");
            st.execute("ANALYZE");
        }
        app = cluster.appConnection(cluster.coordinator());
        reader = new TopologyReader("default");
        CatalogRead.Citus first = (CatalogRead.Citus) reader.read(app, ++version);
        if (first.topology().nodes().size() != 100 || first.topology().tenantGroups().size() < TENANTS) {
            throw new IllegalStateException("unexpected catalog: " + first.topology());
        }
    }

    /** Stops the cluster. */
    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        if (app != null) {
            app.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** @return one steady-state refresh read: nodes and tenants in one round trip, snapshot built */
    @Benchmark
    public CatalogRead readTopology() throws SQLException {
        return reader.read(app, ++version);
    }

    /** @return rows of the per-schema tenant query (lateral subquery, docs/facts.md), read but not built */
    @Benchmark
    public int factsQuery() throws SQLException {
        int rows = 0;
        try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery(PER_SCHEMA_QUERY)) {
            while (rs.next()) {
                rs.getString(1);
                rs.getInt(2);
                rows++;
            }
        }
        return rows;
    }
}
