package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves one tenant from its holder S to a target T without losing concurrent writes.
 *
 * <p>Order, each node in its own transaction:
 * <ol>
 * <li>every other primary (T included) drops its foreign tables of the tenant: the DROP waits for
 *     the statements in flight through them (they still reach S, which is not locked yet), then
 *     holds them off; new writers queue on the dropped table's lock;</li>
 * <li>S locks the tables IN EXCLUSIVE MODE: in-flight direct writes finish, new ones queue, reads go on;</li>
 * <li>T builds regular tables and copies the rows from S (through a staging foreign schema);</li>
 * <li>every other primary creates foreign tables pointing at T; catalogs everywhere get the new placement;</li>
 * <li>commit T; then S drops its tables, creates foreign tables to T and commits; then the rest commit.</li>
 * </ol>
 * A writer queued on a dropped table re-resolves the name when the lock is granted (PostgreSQL's
 * RangeVarGetRelidExtended retry / plan-cache revalidation), so it lands on the new foreign table
 * (or, on T, the new regular table) and succeeds. Nothing is 2PC: a failure after T committed
 * leaves the tenant on both nodes (reported).
 */
final class TenantMover {
    private final AdminConnector open;
    private final Topology topology;
    private final String schema;
    private final int colocationId;
    private final ClusterNode source;
    private final ClusterNode target;

    TenantMover(AdminConnector open, Topology topology, String schema, int colocationId, ClusterNode source, ClusterNode target) {
        this.open = open;
        this.topology = topology;
        this.schema = schema;
        this.colocationId = colocationId;
        this.source = source;
        this.target = target;
    }

    void move() throws SQLException {
        int targetGroup = topology.groupOf(target);
        String targetServer = Catalog.serverName(targetGroup);
        TenantDefinition regular;
        TenantDefinition forwarding;
        try (Connection s = open.open(source)) {
            regular = TenantDefinition.read(s, schema, null);
            forwarding = TenantDefinition.read(s, schema, targetServer);
        }
        if (regular.tables.isEmpty()) {
            return;
        }
        List<Catalog.TableShard> shards = new ArrayList<>();
        List<Long> placements = new ArrayList<>();
        try (Connection coord = open.open(topology.coordinator())) {
            for (Object[] r : Sql.rows(coord, "SELECT c.relname::text, sh.shardid FROM pg_dist_partition p"
                    + " JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid JOIN pg_class c ON c.oid = p.logicalrelid"
                    + " WHERE p.colocationid = ? ORDER BY sh.shardid", colocationId)) {
                shards.add(new Catalog.TableShard((String) r[0], (Long) r[1]));
                placements.add(Sql.longValue(coord, "SELECT nextval('pg_catalog.pg_dist_placement_placementid_seq')"));
            }
        }

        Map<ClusterNode, Connection> others = new LinkedHashMap<>();
        Connection s = null;
        boolean targetCommitted = false;
        try {
            for (ClusterNode p : topology.activePrimaries()) {
                if (p != source) {
                    Connection c = open.open(p);
                    others.put(p, c);
                    c.setAutoCommit(false);
                    // 1. close this entry point; waits for statements in flight through it
                    dropForeignTables(c, regular.tables);
                }
            }
            s = open.open(source);
            s.setAutoCommit(false);
            // 2. freeze the source against writes (reads continue)
            Sql.exec(s, "LOCK TABLE " + regular.qualifiedTables() + " IN EXCLUSIVE MODE");

            // 3. the target gets regular tables with the rows
            Connection t = others.get(target);
            copyToTarget(t, regular);
            Catalog.movePlacements(t, schema, colocationId, shards, placements, targetGroup);

            // 4. the other entry points forward to the target
            for (Map.Entry<ClusterNode, Connection> e : others.entrySet()) {
                if (e.getKey() != target) {
                    forwarding.build(e.getValue());
                    Catalog.movePlacements(e.getValue(), schema, colocationId, shards, placements, targetGroup);
                }
            }
            // 5. commit order: target, source, the rest
            t.commit();
            targetCommitted = true;
            Sql.exec(s, "DROP TABLE " + regular.qualifiedTables() + " CASCADE");
            forwarding.build(s);
            Catalog.movePlacements(s, schema, colocationId, shards, placements, targetGroup);
            s.commit();
            for (Connection c : others.values()) {
                if (c != t) {
                    c.commit();
                }
            }
        } catch (SQLException e) {
            for (Connection c : others.values()) {
                Sql.rollbackQuietly(c);
            }
            Sql.rollbackQuietly(s);
            if (targetCommitted) {
                throw new SQLException("move of " + schema + " failed after the copy on " + target.name()
                        + " committed; the tenant is now stored on both nodes: " + e.getMessage(), e.getSQLState(), e);
            }
            throw e;
        } finally {
            for (Connection c : others.values()) {
                Sql.closeQuietly(c);
            }
            Sql.closeQuietly(s);
        }
    }

    private void dropForeignTables(Connection c, List<String> tables) throws SQLException {
        EmulatedCitus.dropRelations(c, schema, tables);
    }

    /** On T: regular tables from S's definition, rows copied from S, then foreign keys. */
    private void copyToTarget(Connection t, TenantDefinition regular) throws SQLException {
        String staging = "citus_emulation_move_" + colocationId;
        Sql.exec(t, "DROP SCHEMA IF EXISTS " + Sql.ident(staging) + " CASCADE");
        Sql.exec(t, "CREATE SCHEMA " + Sql.ident(staging));
        List<String> limit = new ArrayList<>();
        for (String table : regular.tables) {
            limit.add(Sql.ident(table));
        }
        Sql.exec(t, "IMPORT FOREIGN SCHEMA " + Sql.ident(schema) + " LIMIT TO (" + String.join(", ", limit) + ") FROM SERVER "
                + Sql.ident(Catalog.serverName(topology.groupOf(source))) + " INTO " + Sql.ident(staging));
        Sql.execAll(t, regular.schemaDdl);
        Sql.execAll(t, regular.sequenceDdl);
        Sql.execAll(t, regular.tableDdl);
        for (String table : regular.tables) {
            String cols = String.join(", ", Sql.strings(t, "SELECT quote_ident(attname) FROM pg_attribute"
                    + " WHERE attrelid = format('%I.%I', ?, ?)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
                    + " ORDER BY attnum", schema, table));
            Sql.exec(t, "INSERT INTO " + Sql.ident(schema) + "." + Sql.ident(table) + " (" + cols + ") SELECT " + cols
                    + " FROM " + Sql.ident(staging) + "." + Sql.ident(table));
        }
        Sql.execAll(t, regular.foreignKeyDdl);
        Sql.exec(t, "DROP SCHEMA " + Sql.ident(staging) + " CASCADE");
        TenantDefinition.adjustSequences(t, schema);
    }
}
