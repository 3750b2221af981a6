package io.github.citusjdbc.topology;

import io.github.citusjdbc.CitusSqlState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * Reads Citus's catalogs through any connection (any role, on the coordinator, a worker or a
 * standby: the catalogs are identical everywhere: docs/facts.md, Catalogs) into a {@link CatalogRead}.
 *
 * <p>Round trips: the first read of an instance sends a probe (is there a {@code pg_dist_node},
 * a {@code pg_dist_schema}?) and then the batch; every later read sends one multi-statement batch
 * (probe, nodes, tenants) in a single round trip. When the probe inside the batch disagrees with
 * what the reader assumed (Citus upgraded to 12, or dropped) it re-reads at once with the new
 * assumption; a batch failing with {@code 42P01} (a catalog vanished) is retried once after a
 * fresh probe.
 *
 * <p>The tenant query is equivalent to the per-schema one of docs/facts.md (Catalogs) (integration-tested against
 * it) with three deliberate differences: the schema name is {@code pg_namespace.nspname} (as
 * stored, never quoted, matching {@link io.github.citusjdbc.spi.Topology#groupOfTenant}), the
 * placement is aggregated per colocation with a hash join instead of a per-schema lateral
 * subquery (linear at 10,000 schemas even without catalog indexes), and the primary's address
 * comes from the node rows instead of a join. Never {@code citus_shards}, which lists standbys as
 * holders.
 *
 * <p>Not thread-safe: one instance per metadata connection, used by one refresh at a time.
 */
public final class TopologyReader {

    static final String PROBE = "SELECT pg_catalog.pg_is_in_recovery(),"
            + " pg_catalog.to_regclass('pg_catalog.pg_dist_node') IS NOT NULL,"
            + " pg_catalog.to_regclass('pg_catalog.pg_dist_schema') IS NOT NULL";

    static final String NODES = "SELECT nodeid, groupid, nodename, nodeport, isactive, noderole::text,"
            + " nodecluster::text, shouldhaveshards FROM pg_catalog.pg_dist_node";

    static final String TENANTS = "SELECT n.nspname::text, g.groupid"
            + " FROM pg_catalog.pg_dist_schema s"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = s.schemaid"
            + " LEFT JOIN (SELECT p.colocationid, min(pl.groupid) AS groupid"
            + "   FROM pg_catalog.pg_dist_partition p"
            + "   JOIN pg_catalog.pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
            + "   JOIN pg_catalog.pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1"
            + "   WHERE p.colocationid IN (SELECT colocationid FROM pg_catalog.pg_dist_schema)"
            + "   GROUP BY p.colocationid) g ON g.colocationid = s.colocationid";

    private static final String UNDEFINED_TABLE = "42P01";

    private final String clusterName;
    /** What the last probe found; null until the first probe. */
    private Probe assumed;
    private int lastTenantCount;

    /** @param clusterName the {@code nodecluster} whose secondaries are kept (see {@link TopologyAssembler}) */
    public TopologyReader(String clusterName) {
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName");
    }

    /**
     * Reads the catalogs.
     *
     * @param connection an open connection in autocommit mode; left open
     * @param version    the version to give the snapshot
     * @return the topology, or {@link CatalogRead.NotCitus} for a server without Citus catalogs
     * @throws SQLException when a query fails (the connection may then be unusable)
     * @throws IllegalArgumentException when the catalog rows are inconsistent
     */
    public CatalogRead read(Connection connection, long version) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            if (assumed == null) {
                assumed = probe(connection);
            }
            if (!assumed.hasNodes) {
                return new CatalogRead.NotCitus(assumed.inRecovery);
            }
            try {
                Probe expected = assumed;
                CatalogRead read = readBatch(connection, version);
                if (assumed.sameShape(expected) || attempt > 0) {
                    return read;
                }
                // The catalogs changed shape since the last probe: read again with the new shape.
            } catch (SQLException e) {
                if (!UNDEFINED_TABLE.equals(e.getSQLState()) || attempt > 0) {
                    throw e;
                }
                assumed = null; // a catalog disappeared: probe again
            }
        }
    }

    private static Probe probe(Connection connection) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(PROBE)) {
            rs.next();
            return new Probe(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3));
        }
    }

    private CatalogRead readBatch(Connection connection, long version) throws SQLException {
        Probe expected = assumed;
        String sql = PROBE + ";\n" + NODES + (expected.hasSchemas ? ";\n" + TENANTS : "");
        TopologyAssembler assembler = new TopologyAssembler(clusterName, lastTenantCount);
        try (Statement st = connection.createStatement()) {
            st.setFetchSize(0); // autocommit: the whole result is read at once anyway
            st.execute(sql);
            Probe found;
            try (ResultSet rs = st.getResultSet()) {
                rs.next();
                found = new Probe(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3));
            }
            nextResult(st);
            try (ResultSet rs = st.getResultSet()) {
                while (rs.next()) {
                    assembler.addNode(rs.getInt(1), rs.getInt(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5),
                            rs.getString(6), rs.getString(7), rs.getBoolean(8));
                }
            }
            int tenants = 0;
            if (expected.hasSchemas) {
                nextResult(st);
                try (ResultSet rs = st.getResultSet()) {
                    while (rs.next()) {
                        int group = rs.getInt(2);
                        assembler.addTenant(rs.getString(1), rs.wasNull() ? null : group);
                        tenants++;
                    }
                }
            }
            lastTenantCount = tenants;
            assumed = found;
            return new CatalogRead.Citus(assembler.build(version), expected.hasSchemas, found.inRecovery);
        }
    }

    private static void nextResult(Statement st) throws SQLException {
        if (!st.getMoreResults()) {
            throw new SQLException("topology batch returned fewer results than statements", CitusSqlState.INTERNAL_ERROR.getState());
        }
    }

    /** What the probe statement says about the server. */
    private record Probe(boolean inRecovery, boolean hasNodes, boolean hasSchemas) {
        boolean sameShape(Probe other) {
            return hasNodes == other.hasNodes && hasSchemas == other.hasSchemas;
        }
    }
}
