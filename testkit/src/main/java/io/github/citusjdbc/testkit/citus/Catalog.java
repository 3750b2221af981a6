package io.github.citusjdbc.testkit.citus;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Writes the emulated Citus catalog rows on one node. Ids come from the coordinator's sequences;
 * regclass / oid columns are resolved by name on the node written to (oids are per node, as on Citus).
 */
final class Catalog {
    private Catalog() {
    }

    /** One {@code pg_dist_node} row. */
    record NodeRow(int nodeid, int groupid, String nodename, int nodeport, boolean hasmetadata, boolean isactive,
                   String noderole, boolean metadatasynced, boolean shouldhaveshards) {
    }

    static void insertNode(Connection c, NodeRow r) throws SQLException {
        Sql.exec(c, "INSERT INTO pg_dist_node (nodeid, groupid, nodename, nodeport, noderack, hasmetadata, isactive,"
                        + " noderole, nodecluster, metadatasynced, shouldhaveshards)"
                        + " VALUES (?, ?, ?, ?, 'default', ?, ?, ?::noderole, 'default', ?, ?)",
                r.nodeid(), r.groupid(), r.nodename(), r.nodeport(), r.hasmetadata(), r.isactive(), r.noderole(),
                r.metadatasynced(), r.shouldhaveshards());
    }

    /** Creates or repoints the postgres_fdw server of a group, with user mappings for the given roles. */
    static void ensureServer(Connection c, int group, String host, int port, String database,
                             List<String[]> roles) throws SQLException {
        String server = serverName(group);
        boolean exists = Sql.longValue(c, "SELECT count(*) FROM pg_foreign_server WHERE srvname = ?", server) > 0;
        if (exists) {
            Sql.exec(c, "ALTER SERVER " + Sql.ident(server) + " OPTIONS (SET host " + Sql.literal(host)
                    + ", SET port " + Sql.literal(Integer.toString(port)) + ", SET dbname " + Sql.literal(database) + ")");
        } else {
            Sql.exec(c, "CREATE SERVER " + Sql.ident(server) + " FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host "
                    + Sql.literal(host) + ", port " + Sql.literal(Integer.toString(port)) + ", dbname " + Sql.literal(database) + ")");
        }
        for (String[] role : roles) {
            ensureUserMapping(c, server, role[0], role[1]);
        }
    }

    /** A user mapping for one role; a non-superuser's is marked password_required=false (trust or password alike). */
    static void ensureUserMapping(Connection c, String server, String role, String password) throws SQLException {
        boolean superuser = Sql.longValue(c, "SELECT count(*) FROM pg_roles WHERE rolname = ? AND rolsuper", role) > 0;
        Sql.exec(c, "DROP USER MAPPING IF EXISTS FOR " + Sql.ident(role) + " SERVER " + Sql.ident(server));
        Sql.exec(c, "CREATE USER MAPPING FOR " + Sql.ident(role) + " SERVER " + Sql.ident(server) + " OPTIONS (user "
                + Sql.literal(role) + ", password " + Sql.literal(password)
                + (superuser ? "" : ", password_required 'false'") + ")");
    }

    static String serverName(int group) {
        return "citus_group_" + group;
    }
}
