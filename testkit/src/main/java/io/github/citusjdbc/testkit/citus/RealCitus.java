package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * {@link CitusOps} on servers with the {@code citus} extension (which needs
 * {@code shared_preload_libraries = 'citus'} on every server), written from the Citus 12
 * documentation: {@code citus_set_coordinator_host}, {@code citus_add_node},
 * {@code citus_add_secondary_node}, schema-based sharding, {@code citus_schema_move} (block_writes),
 * {@code citus_disable_node} / {@code citus_activate_node} / {@code citus_remove_node} /
 * {@code citus_update_node}. Everything runs on the coordinator except {@code CREATE EXTENSION}.
 */
public final class RealCitus implements CitusOps {
    private final AdminConnector admin;
    private final CitusOpsFactory.Credentials credentials;
    private ClusterNode coordinator;
    private final List<ClusterNode> primaries = new ArrayList<>();
    private final List<ClusterNode> standbys = new ArrayList<>();
    private String version = "";

    /**
     * @param admin       opens superuser connections to the nodes
     * @param coordinator the coordinator (may be null until {@link #install})
     * @param credentials the superuser and application role
     */
    public RealCitus(AdminConnector admin, ClusterNode coordinator, CitusOpsFactory.Credentials credentials) {
        this.admin = admin;
        this.coordinator = coordinator;
        this.credentials = credentials;
    }

    @Override
    public String describe() {
        return "real Citus" + (version.isEmpty() ? "" : " " + version);
    }

    @Override
    public boolean isRealCitus() {
        return true;
    }

    @Override
    public synchronized void install(List<ClusterNode> primaryNodes, List<ClusterNode> standbyNodes) throws SQLException {
        coordinator = primaryNodes.get(0);
        primaries.addAll(primaryNodes);
        standbys.addAll(standbyNodes);
        for (ClusterNode p : primaryNodes) {
            try (Connection c = admin.open(p)) {
                Sql.exec(c, "CREATE EXTENSION IF NOT EXISTS citus");
            }
        }
        try (Connection c = coord()) {
            // Citus connects between nodes as the calling user: the passwords come from each server's
            // PGPASSFILE (ClusterBoot writes it), as an operator's ~/.pgpass would give them.
            Sql.exec(c, "SELECT citus_set_coordinator_host(?, ?)", coordinator.host(), coordinator.port());
            for (ClusterNode w : primaryNodes.subList(1, primaryNodes.size())) {
                Sql.exec(c, "SELECT citus_add_node(?, ?)", w.host(), w.port());
            }
            for (ClusterNode s : standbyNodes) {
                ClusterNode p = primaryOf(s);
                Sql.exec(c, "SELECT citus_add_secondary_node(?, ?, ?, ?)", s.host(), s.port(), p.host(), p.port());
            }
            // citus_version(): "Citus 12.1.12 on x86_64-pc-linux-gnu, compiled by ..."
            version = Sql.strings(c, "SELECT split_part(citus_version(), ' on ', 1)").get(0).replaceFirst("^Citus ", "");
        }
        awaitStandbys();
    }

    @Override
    public synchronized void createTenant(String schema, ClusterNode holder, List<String> ddl, String grantTo) throws SQLException {
        try (Connection c = coord()) {
            Sql.exec(c, "SET citus.enable_schema_based_sharding TO on");
            Sql.exec(c, "CREATE SCHEMA " + Sql.ident(schema));
            Sql.exec(c, "RESET citus.enable_schema_based_sharding");
            runDdl(c, schema, ddl, grantTo);
        }
        if (holder != null && !ddl.isEmpty()) {
            moveTenant(schema, holder);
        }
        awaitStandbys();
    }

    private static void runDdl(Connection c, String schema, List<String> ddl, String grantTo) throws SQLException {
        Sql.exec(c, "SET search_path TO " + Sql.ident(schema) + ", public");
        Sql.execAll(c, ddl);
        Sql.exec(c, "RESET search_path");
        if (grantTo != null) {
            Sql.exec(c, "GRANT USAGE ON SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
            Sql.exec(c, "GRANT ALL ON ALL TABLES IN SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
            Sql.exec(c, "GRANT ALL ON ALL SEQUENCES IN SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
        }
    }

    @Override
    public synchronized void tenantDdl(String schema, List<String> ddl) throws SQLException {
        try (Connection c = coord()) {
            runDdl(c, schema, ddl, null);
        }
        awaitStandbys();
    }

    @Override
    public synchronized void moveTenant(String schema, ClusterNode target, String transferMode) throws SQLException {
        OptionalInt g = tenantGroup(schema);
        if (g.isEmpty() || g.getAsInt() == groupOf(target)) {
            return;
        }
        try (Connection c = coord()) {
            Sql.exec(c, "SELECT citus_schema_move(?::regnamespace, ?, ?, ?::citus.shard_transfer_mode)",
                    Sql.ident(schema), target.host(), target.port(), transferMode);
        }
        awaitStandbys();
    }

    @Override
    public synchronized OptionalInt tenantGroup(String schema) throws SQLException {
        try (Connection c = coord()) {
            Long g = Sql.longValue(c, "SELECT min(pl.groupid) FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid"
                    + " JOIN pg_dist_partition p ON p.colocationid = s.colocationid"
                    + " JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
                    + " JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1 WHERE n.nspname = ?", schema);
            return g == null ? OptionalInt.empty() : OptionalInt.of(g.intValue());
        }
    }

    @Override
    public synchronized List<String> tenants() throws SQLException {
        try (Connection c = coord()) {
            return Sql.strings(c, "SELECT n.nspname::text FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid ORDER BY 1");
        }
    }

    @Override
    public synchronized void dropTenant(String schema) throws SQLException {
        try (Connection c = coord()) {
            Sql.exec(c, "DROP SCHEMA IF EXISTS " + Sql.ident(schema) + " CASCADE");
        }
        awaitStandbys();
    }

    @Override
    public synchronized int addNode(ClusterNode node) throws SQLException {
        try (Connection c = coord()) {
            int id;
            if (node.isStandby()) {
                ClusterNode p = primaryOf(node);
                id = Sql.longValue(c, "SELECT citus_add_secondary_node(?, ?, ?, ?)", node.host(), node.port(), p.host(), p.port())
                        .intValue();
                standbys.add(node);
            } else {
                try (Connection w = admin.open(node)) {
                    Sql.exec(w, "CREATE EXTENSION IF NOT EXISTS citus");
                }
                id = Sql.longValue(c, "SELECT citus_add_node(?, ?)", node.host(), node.port()).intValue();
                primaries.add(node);
            }
            awaitStandbys();
            return id;
        }
    }

    @Override
    public synchronized void disableNode(ClusterNode node) throws SQLException {
        try (Connection c = coord()) {
            Sql.exec(c, "SELECT citus_disable_node(?, ?, synchronous => true)", node.host(), node.port());
        }
        awaitStandbys();
    }

    @Override
    public synchronized void activateNode(ClusterNode node) throws SQLException {
        try (Connection c = coord()) {
            Sql.exec(c, "SELECT citus_activate_node(?, ?)", node.host(), node.port());
            Long active = Sql.longValue(c, "SELECT count(*) FROM pg_dist_node WHERE nodename = ? AND nodeport = ? AND isactive",
                    node.host(), node.port());
            if (node.isStandby() && active == 0) {
                // Citus 12.1's citus_activate_node leaves a secondary inactive (it activates primaries
                // only): as an operator would, register the secondary anew (it gets a new nodeid).
                ClusterNode p = primaryOf(node);
                Sql.exec(c, "SELECT citus_remove_node(?, ?)", node.host(), node.port());
                Sql.exec(c, "SELECT citus_add_secondary_node(?, ?, ?, ?)", node.host(), node.port(), p.host(), p.port());
            }
        }
        awaitStandbys();
    }

    @Override
    public synchronized void removeNode(ClusterNode node) throws SQLException {
        try (Connection c = coord()) {
            Sql.exec(c, "SELECT citus_remove_node(?, ?)", node.host(), node.port());
        }
        primaries.removeIf(p -> Topology.sameAddress(p, node));
        standbys.removeIf(s -> Topology.sameAddress(s, node));
        awaitStandbys();
    }

    @Override
    public synchronized void failover(ClusterNode oldPrimary, ClusterNode promoted) throws SQLException {
        if (Topology.sameAddress(coordinator, oldPrimary)) {
            coordinator = promoted;
        }
        try (Connection c = coord()) {
            // As an operator does on Citus 12.1: citus_remove_node of the secondary would sync metadata to
            // every node, the stopped old primary included, and fail; its row is deleted instead.
            Sql.exec(c, "DELETE FROM pg_dist_node WHERE nodename = ? AND nodeport = ? AND noderole = 'secondary'",
                    promoted.host(), promoted.port());
            Sql.exec(c, "SELECT citus_update_node((SELECT nodeid FROM pg_dist_node WHERE nodename = ? AND nodeport = ?), ?, ?)",
                    oldPrimary.host(), oldPrimary.port(), promoted.host(), promoted.port());
        }
        primaries.replaceAll(p -> Topology.sameAddress(p, oldPrimary) ? promoted : p);
        standbys.removeIf(s -> Topology.sameAddress(s, promoted));
        awaitStandbys();
    }

    private Connection coord() throws SQLException {
        if (coordinator == null) {
            throw new IllegalStateException("no coordinator: call install(...) or use CitusOpsFactory.detect with the coordinator");
        }
        return admin.open(coordinator);
    }

    private int groupOf(ClusterNode node) throws SQLException {
        try (Connection c = coord()) {
            Long g = Sql.longValue(c, "SELECT groupid FROM pg_dist_node WHERE nodename = ? AND nodeport = ?", node.host(), node.port());
            if (g == null) {
                throw new SQLException(node + " is not in pg_dist_node");
            }
            return g.intValue();
        }
    }

    private ClusterNode primaryOf(ClusterNode standby) {
        for (ClusterNode p : primaries) {
            if (p.name().equals(standby.primaryName())) {
                return p;
            }
        }
        throw new IllegalArgumentException("no primary known for standby " + standby);
    }

    private void awaitStandbys() throws SQLException {
        // Metadata lives on every node; waiting on each standby's own primary is enough.
        StandbySync.await(admin, standbys, s -> {
            try {
                return primaryOf(s);
            } catch (IllegalArgumentException e) {
                return null;
            }
        });
    }
}
