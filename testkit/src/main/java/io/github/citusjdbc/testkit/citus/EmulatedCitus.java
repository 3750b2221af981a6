package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.AdminConnector;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.NodeRole;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.OptionalInt;

/**
 * The Citus emulation on plain PostgreSQL: the catalogs of Citus 12.1 in {@code pg_catalog} with
 * identical rows on every primary, and Citus's "query from any node" by {@code postgres_fdw}: a
 * tenant's tables are regular tables on the worker its placement names and foreign tables
 * everywhere else; standbys get both by streaming replication. Workers reject DDL on distributed
 * schemas with Citus's messages (an event trigger); the kit bypasses it with the superuser-only
 * setting {@code citus_emulation.bypass = on}. See {@code testkit/README.md} for every known
 * difference from real Citus.
 *
 * <p>Construct through {@link CitusOpsFactory}; then {@link #install} once the servers run (or,
 * for a cluster installed earlier, use it directly: the nodes are read from {@code pg_dist_node}).
 * Methods are synchronized: one cluster change at a time.
 */
public final class EmulatedCitus implements CitusOps {
    private final AdminConnector admin;
    private final CitusOpsFactory.Credentials credentials;
    private final ClusterNode initialCoordinator;
    private final Topology topology = new Topology();
    private final List<String[]> roles = new ArrayList<>();
    private boolean known;
    private String serverVersion = "";
    private Boolean searchPathReported;

    /**
     * @param admin       opens superuser connections to the nodes
     * @param coordinator the coordinator, asked for the topology when {@link #install} is not called; may be null
     * @param credentials the superuser and application role (their passwords go into postgres_fdw user mappings)
     */
    public EmulatedCitus(AdminConnector admin, ClusterNode coordinator, CitusOpsFactory.Credentials credentials) {
        this.admin = admin;
        this.initialCoordinator = coordinator;
        this.credentials = credentials;
        roles.add(new String[]{credentials.adminUser(), credentials.adminPassword()});
        roles.add(new String[]{credentials.appUser(), credentials.appPassword()});
    }

    @Override
    public String describe() {
        Boolean reported = searchPathReported();
        return "Citus emulation on plain PostgreSQL " + (serverVersion.isEmpty() ? "" : serverVersion + " ")
                + "(postgres_fdw forwarding" + (reported == null ? "" : reported ? "; search_path reported as by Citus"
                : "; search_path NOT reported, unlike Citus") + ") — not real Citus";
    }

    /**
     * @return whether the coordinator sends a ParameterStatus for {@code search_path} (as Citus 12+ does; the
     *         kit's module {@code citus_report_search_path} makes plain PostgreSQL do it), or null when unknown
     */
    private synchronized Boolean searchPathReported() {
        if (searchPathReported == null) {
            ClusterNode coordinator = known ? topology.coordinator() : initialCoordinator;
            if (coordinator != null) {
                try (Connection c = admin.open(coordinator)) {
                    searchPathReported = c.unwrap(PGConnection.class).getParameterStatus("search_path") != null;
                } catch (SQLException e) {
                    return null;
                }
            }
        }
        return searchPathReported;
    }

    @Override
    public boolean isRealCitus() {
        return false;
    }

    // ------------------------------------------------------------------------------------ install

    @Override
    public synchronized void install(List<ClusterNode> primaries, List<ClusterNode> standbys) throws SQLException {
        for (int i = 0; i < primaries.size(); i++) {
            topology.addPrimary(primaries.get(i), i);
        }
        standbys.forEach(topology::addStandby);
        known = true;
        ClusterNode coordinator = topology.coordinator();
        try (Connection c = open(coordinator)) {
            serverVersion = Sql.strings(c, "SHOW server_version").get(0).replaceAll(" .*", "");
            installObjects(c, 0);
            int nodeid = 0;
            for (ClusterNode p : topology.primaries()) {
                int g = topology.groupOf(p);
                nodeid = nextval(c, "pg_dist_node_nodeid_seq");
                Catalog.insertNode(c, new Catalog.NodeRow(nodeid, g, p.host(), p.port(), true, true, "primary", true, g != 0));
            }
            for (ClusterNode s : topology.standbys()) {
                Catalog.insertNode(c, secondaryRow(nextval(c, "pg_dist_node_nodeid_seq"), s));
            }
            if (primaries.size() > 1) {
                Sql.exec(c, "SELECT setval('pg_dist_groupid_seq', ?)", (long) primaries.size() - 1);
            }
            ensureServers(c);
        }
        for (ClusterNode p : topology.primaries().subList(1, primaries.size())) {
            syncNode(p, true);
        }
        awaitStandbys();
    }

    private Catalog.NodeRow secondaryRow(int nodeid, ClusterNode standby) {
        int g = topology.groupOf(topology.primary(primaryNodeOf(standby)));
        // As in the FACTS sample: the coordinator's secondary shows metadata, a worker's does not.
        return new Catalog.NodeRow(nodeid, g, standby.host(), standby.port(), g == 0, true, "secondary", g == 0, true);
    }

    private ClusterNode primaryNodeOf(ClusterNode standby) {
        for (ClusterNode p : topology.primaries()) {
            if (p.name().equals(standby.primaryName())) {
                return p;
            }
        }
        if (standby.groupId() >= 0 && topology.hasGroup(standby.groupId())) {
            return topology.primaryOfGroup(standby.groupId());
        }
        throw new IllegalArgumentException("no primary known for standby " + standby);
    }

    /** (Re)creates the emulation's objects on a node, dropping a previous installation and its tenants. */
    private void installObjects(Connection c, int group) throws SQLException {
        if (Sql.longValue(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('pg_catalog.pg_dist_node')") > 0) {
            for (String schema : Sql.strings(c, "SELECT n.nspname FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid")) {
                Sql.exec(c, "DROP SCHEMA " + Sql.ident(schema) + " CASCADE");
            }
            Sql.exec(c, Sql.resource("uninstall.sql"));
        }
        Sql.exec(c, Sql.resource("install.sql"));
        Sql.exec(c, "CREATE EXTENSION IF NOT EXISTS dblink SCHEMA citus_emulation"); // kept where it already is
        String dblink = Sql.strings(c, "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                + " WHERE e.extname = 'dblink'").get(0);
        Sql.exec(c, Sql.resource("tenants.sql").replace("citus_emulation.dblink", Sql.ident(dblink) + ".dblink"));
        Sql.exec(c, "INSERT INTO pg_dist_local_group VALUES (?)", group);
    }

    /** Every group's postgres_fdw server on this node, pointing at the group's primary. */
    private void ensureServers(Connection c) throws SQLException {
        for (ClusterNode p : topology.primaries()) {
            Catalog.ensureServer(c, topology.groupOf(p), p.host(), p.port(), credentials.database(), roles);
        }
    }

    /**
     * Citus's metadata sync to one primary: objects (installed when missing), servers, every
     * tenant as foreign tables (except those it stores), and the catalog rows copied from the
     * coordinator with oids resolved locally.
     */
    private void syncNode(ClusterNode node, boolean fresh) throws SQLException {
        ClusterNode coordinator = topology.coordinator();
        int group = topology.groupOf(node);
        try (Connection coord = open(coordinator); Connection c = open(node)) {
            if (fresh || Sql.longValue(c, "SELECT count(*) FROM pg_class WHERE oid = to_regclass('pg_catalog.pg_dist_node')") == 0) {
                installObjects(c, group);
            }
            c.setAutoCommit(false);
            Sql.exec(c, "DELETE FROM pg_dist_local_group");
            Sql.exec(c, "INSERT INTO pg_dist_local_group VALUES (?)", group);
            ensureServers(c);
            for (Object[] t : Sql.rows(coord, TENANT_GROUPS)) {
                String schema = (String) t[0];
                Integer holderGroup = (Integer) t[1];
                if (holderGroup != null && holderGroup == group) {
                    continue; // it stores this tenant: its tables are the data
                }
                if (holderGroup == null) {
                    Sql.exec(c, "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(schema));
                    continue;
                }
                TenantDefinition def;
                try (Connection h = open(topology.primaryOfGroup(holderGroup))) {
                    def = TenantDefinition.read(h, schema, Catalog.serverName(holderGroup));
                }
                Sql.exec(c, "SELECT citus_emulation.drop_relations(?, ?::name[])", schema, c.createArrayOf("text", def.tables.toArray()));
                def.build(c);
            }
            copyCatalogs(coord, c);
            c.commit();
        }
    }

    /** Schema name and holder group (null without tables) of every tenant, on the coordinator. */
    private static final String TENANT_GROUPS =
            "SELECT n.nspname::text, (SELECT min(pl.groupid) FROM pg_dist_partition p"
                    + "   JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
                    + "   JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1"
                    + "   WHERE p.colocationid = s.colocationid)"
                    + " FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid ORDER BY 1";

    private static void copyCatalogs(Connection from, Connection to) throws SQLException {
        Sql.exec(to, "DELETE FROM pg_dist_placement");
        Sql.exec(to, "DELETE FROM pg_dist_shard");
        Sql.exec(to, "DELETE FROM pg_dist_partition");
        Sql.exec(to, "DELETE FROM pg_dist_schema");
        Sql.exec(to, "DELETE FROM pg_dist_colocation");
        Sql.exec(to, "DELETE FROM pg_dist_node");
        for (Object[] r : Sql.rows(from, "SELECT nodeid, groupid, nodename, nodeport, noderack, hasmetadata, isactive,"
                + " noderole::text, nodecluster::text, metadatasynced, shouldhaveshards FROM pg_dist_node ORDER BY nodeid")) {
            Sql.exec(to, "INSERT INTO pg_dist_node VALUES (?, ?, ?, ?, ?, ?, ?, ?::noderole, ?::name, ?, ?)", r);
        }
        for (Object[] r : Sql.rows(from, "SELECT * FROM pg_dist_colocation ORDER BY 1")) {
            Sql.exec(to, "INSERT INTO pg_dist_colocation VALUES (?, ?, ?, ?::oid, ?::oid)", r);
        }
        for (Object[] r : Sql.rows(from, "SELECT n.nspname::text, s.colocationid FROM pg_dist_schema s"
                + " JOIN pg_namespace n ON n.oid = s.schemaid ORDER BY 2")) {
            Sql.exec(to, "INSERT INTO pg_dist_schema VALUES ((SELECT oid FROM pg_namespace WHERE nspname = ?), ?)", r);
        }
        String rel = "format('%I.%I', n.nspname, c.relname)";
        for (Object[] r : Sql.rows(from, "SELECT " + rel + ", p.partmethod::text, p.partkey, p.colocationid, p.repmodel::text,"
                + " p.autoconverted FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 4, 1")) {
            Sql.exec(to, "INSERT INTO pg_dist_partition VALUES (?::regclass, ?::\"char\", ?, ?, ?::\"char\", ?)", r);
        }
        for (Object[] r : Sql.rows(from, "SELECT " + rel + ", s.shardid, s.shardstorage::text, s.shardminvalue, s.shardmaxvalue"
                + " FROM pg_dist_shard s JOIN pg_class c ON c.oid = s.logicalrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace ORDER BY 2")) {
            Sql.exec(to, "INSERT INTO pg_dist_shard VALUES (?::regclass, ?, ?::\"char\", ?, ?)", r);
        }
        for (Object[] r : Sql.rows(from, "SELECT * FROM pg_dist_placement ORDER BY 1")) {
            Sql.exec(to, "INSERT INTO pg_dist_placement VALUES (?, ?, ?, ?, ?)", r);
        }
    }

    // ------------------------------------------------------------------------------------ tenants
    // One implementation: the kit sends the same SQL a client would (tenants.sql implements it).

    @Override
    public synchronized void createTenant(String schema, ClusterNode holder, List<String> ddl, String grantTo) throws SQLException {
        ensureTopology();
        ClusterNode h = holder == null ? topology.nextWorker() : topology.primary(holder);
        try (Connection c = open(topology.coordinator())) {
            Sql.exec(c, "SET citus_emulation.bypass = off"); // as a client: the event triggers ship the tables at commit
            c.setAutoCommit(false);
            Sql.exec(c, "CREATE SCHEMA " + Sql.ident(schema));
            if (grantTo != null) {
                Sql.exec(c, "GRANT USAGE ON SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
            }
            Sql.exec(c, "SELECT citus_schema_distribute(?::regnamespace)", Sql.ident(schema));
            Sql.exec(c, "SELECT set_config('citus_emulation.next_holder_group', ?, true)", Integer.toString(topology.groupOf(h)));
            Sql.exec(c, "SET LOCAL search_path TO " + Sql.ident(schema) + ", public");
            Sql.execAll(c, ddl);
            Sql.exec(c, "SET LOCAL search_path TO DEFAULT");
            if (grantTo != null) {
                Sql.exec(c, "GRANT ALL ON ALL TABLES IN SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
                Sql.exec(c, "GRANT ALL ON ALL SEQUENCES IN SCHEMA " + Sql.ident(schema) + " TO " + Sql.ident(grantTo));
            }
            c.commit();
        }
        awaitStandbys();
    }

    @Override
    public synchronized void tenantDdl(String schema, List<String> ddl) throws SQLException {
        ensureTopology();
        try (Connection c = open(topology.coordinator())) {
            Sql.exec(c, "SELECT citus_emulation.tenant_ddl(?, ?)", schema, c.createArrayOf("text", ddl.toArray()));
        }
        awaitStandbys();
    }

    @Override
    public synchronized void moveTenant(String schema, ClusterNode target) throws SQLException {
        ensureTopology();
        ClusterNode t = topology.primary(target);
        try (Connection c = open(topology.coordinator())) {
            Sql.exec(c, "SELECT citus_schema_move(?::regnamespace, ?, ?)", Sql.ident(schema), t.host(), t.port());
        }
        awaitStandbys();
    }

    @Override
    public synchronized OptionalInt tenantGroup(String schema) throws SQLException {
        ensureTopology();
        try (Connection c = open(topology.coordinator())) {
            Long g = Sql.longValue(c, "SELECT min(pl.groupid) FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid"
                    + " JOIN pg_dist_partition p ON p.colocationid = s.colocationid"
                    + " JOIN pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
                    + " JOIN pg_dist_placement pl ON pl.shardid = sh.shardid AND pl.shardstate = 1 WHERE n.nspname = ?", schema);
            return g == null ? OptionalInt.empty() : OptionalInt.of(g.intValue());
        }
    }

    @Override
    public synchronized List<String> tenants() throws SQLException {
        ensureTopology();
        try (Connection c = open(topology.coordinator())) {
            return Sql.strings(c, "SELECT n.nspname::text FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid ORDER BY 1");
        }
    }

    @Override
    public synchronized void dropTenant(String schema) throws SQLException {
        ensureTopology();
        try (Connection c = open(topology.coordinator())) {
            Sql.exec(c, "SELECT citus_emulation.colocation_of(?)", schema); // 3F000 when it is not a distributed schema
            Sql.exec(c, "SET citus_emulation.bypass = off"); // as a client: the drop trigger drops it everywhere
            Sql.exec(c, "DROP SCHEMA " + Sql.ident(schema) + " CASCADE");
        }
        awaitStandbys();
    }

    // ------------------------------------------------------------------------------------ nodes

    @Override
    public synchronized int addNode(ClusterNode node) throws SQLException {
        ensureTopology();
        try (Connection coord = open(topology.coordinator())) {
            Long existing = Sql.longValue(coord, "SELECT nodeid FROM pg_dist_node WHERE nodename = ? AND nodeport = ?",
                    node.host(), node.port());
            if (existing != null) {
                return existing.intValue(); // as citus_add_node: an existing node's id
            }
            int nodeid = nextval(coord, "pg_dist_node_nodeid_seq");
            Catalog.NodeRow row;
            if (node.isStandby()) {
                row = secondaryRow(nodeid, node);
                topology.addStandby(node);
            } else {
                int group = node.groupId() > 0 && !topology.hasGroup(node.groupId())
                        ? node.groupId() : nextval(coord, "pg_dist_groupid_seq");
                row = new Catalog.NodeRow(nodeid, group, node.host(), node.port(), true, true, "primary", true, true);
            }
            for (ClusterNode p : topology.activePrimaries()) {
                try (Connection c = open(p)) {
                    Catalog.insertNode(c, row);
                    if (!node.isStandby()) {
                        Catalog.ensureServer(c, row.groupid(), node.host(), node.port(), credentials.database(), roles);
                    }
                }
            }
            if (!node.isStandby()) {
                topology.addPrimary(node, row.groupid());
                syncNode(node, false);
            }
            awaitStandbys();
            return nodeid;
        }
    }

    @Override
    public synchronized void disableNode(ClusterNode node) throws SQLException {
        ensureTopology();
        setActive(node, false);
    }

    @Override
    public synchronized void activateNode(ClusterNode node) throws SQLException {
        ensureTopology();
        setActive(node, true);
        if (topology.isPrimary(node)) {
            syncNode(topology.primary(node), false); // it missed the changes made while disabled
        }
        awaitStandbys();
    }

    private void setActive(ClusterNode node, boolean active) throws SQLException {
        List<ClusterNode> targets = topology.activePrimaries();
        if (topology.isPrimary(node) && !targets.contains(topology.primary(node))) {
            targets.add(topology.primary(node));
        }
        for (ClusterNode p : targets) {
            try (Connection c = open(p)) {
                Sql.exec(c, "UPDATE pg_dist_node SET isactive = ? WHERE nodename = ? AND nodeport = ?", active, node.host(), node.port());
            } catch (SQLException e) {
                if (!Topology.sameAddress(p, node)) {
                    throw e; // the node itself may well be down
                }
            }
        }
        if (topology.isPrimary(node)) {
            topology.setActive(topology.primary(node), active);
        }
        if (!active) {
            awaitStandbys();
        }
    }

    @Override
    public synchronized void removeNode(ClusterNode node) throws SQLException {
        ensureTopology();
        Integer group = null;
        if (topology.isPrimary(node)) {
            group = topology.groupOf(topology.primary(node));
            try (Connection coord = open(topology.coordinator())) {
                Long shard = Sql.longValue(coord, "SELECT min(shardid) FROM pg_dist_placement WHERE groupid = ?", group);
                if (shard != null) {
                    throw new SQLException("cannot remove or disable the node " + node.host() + ":" + node.port()
                            + " because because it contains the only shard placement for shard " + shard, "XX000");
                }
            }
        }
        ClusterNode removed = group == null ? null : topology.primary(node);
        for (ClusterNode p : topology.activePrimaries()) {
            if (removed != null && p == removed) {
                continue;
            }
            try (Connection c = open(p)) {
                Sql.exec(c, "DELETE FROM pg_dist_node WHERE nodename = ? AND nodeport = ?", node.host(), node.port());
                if (group != null) {
                    Sql.exec(c, "DROP SERVER IF EXISTS " + Sql.ident(Catalog.serverName(group)) + " CASCADE");
                }
            }
        }
        topology.remove(removed != null ? removed : node);
        awaitStandbys();
    }

    @Override
    public synchronized void failover(ClusterNode oldPrimary, ClusterNode promoted) throws SQLException {
        ensureTopology();
        ClusterNode old = topology.primary(oldPrimary);
        int group = topology.groupOf(old);
        topology.replace(old, promoted);
        for (ClusterNode p : topology.activePrimaries()) {
            try (Connection c = open(p)) {
                c.setAutoCommit(false);
                Sql.exec(c, "DELETE FROM pg_dist_node WHERE nodename = ? AND nodeport = ?", promoted.host(), promoted.port());
                // citus_update_node: the group's primary row now names the promoted server.
                Sql.exec(c, "UPDATE pg_dist_node SET nodename = ?, nodeport = ? WHERE nodename = ? AND nodeport = ?",
                        promoted.host(), promoted.port(), old.host(), old.port());
                Catalog.ensureServer(c, group, promoted.host(), promoted.port(), credentials.database(), roles);
                c.commit();
            }
        }
        awaitStandbys();
    }

    @Override
    public synchronized void addApplicationRole(String role, String password) throws SQLException {
        ensureTopology();
        roles.add(new String[]{role, password});
        for (ClusterNode p : topology.activePrimaries()) {
            try (Connection c = open(p)) {
                for (ClusterNode q : topology.primaries()) {
                    Catalog.ensureUserMapping(c, Catalog.serverName(topology.groupOf(q)), role, password);
                }
            }
        }
        awaitStandbys();
    }

    // ------------------------------------------------------------------------------------ plumbing

    /** A superuser session that may change the emulated catalogs and bypasses the DDL guard. */
    Connection open(ClusterNode node) throws SQLException {
        Connection c = admin.open(node);
        try {
            Sql.exec(c, "SET allow_system_table_mods = on");
            Sql.exec(c, "SET citus_emulation.bypass = on");
            Sql.exec(c, "SET lock_timeout = '30s'");
            return c;
        } catch (SQLException e) {
            Sql.closeQuietly(c);
            throw e;
        }
    }

    private static int nextval(Connection c, String sequence) throws SQLException {
        return (int) nextvalLong(c, sequence);
    }

    private static long nextvalLong(Connection c, String sequence) throws SQLException {
        return Sql.longValue(c, "SELECT nextval(?::regclass)", "pg_catalog." + sequence);
    }

    private void awaitStandbys() throws SQLException {
        StandbySync.await(admin, topology.standbys(), s -> {
            try {
                return topology.primary(primaryNodeOf(s));
            } catch (IllegalArgumentException e) {
                return null;
            }
        });
    }

    /** For a cluster installed earlier (not by this object): the nodes from the coordinator's pg_dist_node. */
    private void ensureTopology() throws SQLException {
        if (known) {
            return;
        }
        if (initialCoordinator == null) {
            throw new IllegalStateException("call install(...) first");
        }
        try (Connection c = open(initialCoordinator)) {
            serverVersion = Sql.strings(c, "SHOW server_version").get(0).replaceAll(" .*", "");
            List<Object[]> rows = Sql.rows(c, "SELECT groupid, nodename, nodeport, noderole::text, isactive FROM pg_dist_node"
                    + " WHERE noderole <> 'unavailable' ORDER BY groupid, noderole, nodeid");
            // Named as LocalCluster names discovered nodes: workers numbered in group order, "<primary>-standby".
            Map<Integer, String> primaryOfGroup = new HashMap<>();
            int worker = 0;
            for (Object[] r : rows) {
                int g = (Integer) r[0];
                if (!"primary".equals(r[3])) {
                    continue;
                }
                String name = g == 0 ? "coordinator" : "worker" + (++worker);
                ClusterNode n = new ClusterNode(name, g == 0 ? NodeRole.COORDINATOR : NodeRole.WORKER, g, (String) r[1],
                        (Integer) r[2], -1, null);
                topology.addPrimary(Topology.sameAddress(n, initialCoordinator) ? initialCoordinator : n, g);
                topology.setActive(n, (Boolean) r[4]);
                primaryOfGroup.put(g, name);
            }
            for (Object[] r : rows) {
                int g = (Integer) r[0];
                String primary = primaryOfGroup.get(g);
                if ("primary".equals(r[3]) || primary == null) {
                    continue;
                }
                topology.addStandby(new ClusterNode(primary + "-standby-" + r[2], NodeRole.STANDBY, g, (String) r[1],
                        (Integer) r[2], -1, primary));
            }
        }
        known = true;
    }
}
