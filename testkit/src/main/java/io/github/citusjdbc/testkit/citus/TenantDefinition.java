package io.github.citusjdbc.testkit.citus;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tenant as read from the node that stores it: its tables (in creation order) and the statements
 * that rebuild it elsewhere — the schema with its grants, its sequences, and each table either as a
 * postgres_fdw foreign table pointing at the holder's group server, or as a regular table (for a move).
 */
final class TenantDefinition {
    final String schema;
    final List<String> tables = new ArrayList<>();
    final List<String> schemaDdl = new ArrayList<>();
    final List<String> sequenceDdl = new ArrayList<>();
    /** Table, owner and grant statements (regular tables: also constraints and indexes). */
    final List<String> tableDdl = new ArrayList<>();
    /** Foreign keys, added after every table of the tenant exists (regular tables only). */
    final List<String> foreignKeyDdl = new ArrayList<>();

    private TenantDefinition(String schema) {
        this.schema = schema;
    }

    /**
     * @param holder     a connection to the node storing the tenant's tables
     * @param fdwServer  the foreign server the rebuilt tables point at, or null to rebuild regular tables
     */
    static TenantDefinition read(Connection holder, String schema, String fdwServer) throws SQLException {
        TenantDefinition d = new TenantDefinition(schema);
        d.tables.addAll(Sql.strings(holder,
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.oid", schema));
        d.schemaDdl.addAll(Sql.strings(holder,
                "SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', n.nspname, pg_get_userbyid(n.nspowner))"
                        + " FROM pg_namespace n WHERE n.nspname = ?"
                        + " UNION ALL"
                        + " SELECT format('GRANT %s ON SCHEMA %I TO %s', a.privilege_type, n.nspname,"
                        + "   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)"
                        + " FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = ? AND a.grantee <> n.nspowner",
                schema, schema));
        d.sequenceDdl.addAll(Sql.strings(holder,
                "SELECT x FROM ("
                        + " SELECT c.oid, 0 AS k, format('CREATE SEQUENCE IF NOT EXISTS %I.%I AS %s', n.nspname, c.relname,"
                        + "   format_type(q.seqtypid, NULL)) AS x"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_sequence q ON q.seqrelid = c.oid"
                        + " WHERE n.nspname = ?"
                        + " UNION ALL"
                        + " SELECT c.oid, 1, format('ALTER SEQUENCE %I.%I OWNER TO %I', n.nspname, c.relname, pg_get_userbyid(c.relowner))"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'S'"
                        + " UNION ALL"
                        + " SELECT c.oid, 2, format('GRANT %s ON SEQUENCE %I.%I TO %s', a.privilege_type, n.nspname, c.relname,"
                        + "   CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)"
                        + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a"
                        + " WHERE n.nspname = ? AND c.relkind = 'S' AND a.grantee <> c.relowner"
                        + ") s ORDER BY oid, k, x", schema, schema, schema));
        for (String table : d.tables) {
            for (Object[] row : Sql.rows(holder, "SELECT kind, ddl FROM citus_emulation.table_ddl(format('%I.%I', ?, ?)::regclass, ?)",
                    schema, table, fdwServer)) {
                (row[0].equals("fkey") ? d.foreignKeyDdl : d.tableDdl).add((String) row[1]);
            }
        }
        return d;
    }

    /** @return a comma-separated list of the tenant's qualified table names */
    String qualifiedTables() {
        List<String> q = new ArrayList<>();
        for (String t : tables) {
            q.add(Sql.ident(schema) + "." + Sql.ident(t));
        }
        return String.join(", ", q);
    }

    /** Creates schema and sequences if missing, then the tables, then applies the node's sequence rules. */
    void build(Connection target) throws SQLException {
        Sql.execAll(target, schemaDdl);
        Sql.execAll(target, sequenceDdl);
        Sql.execAll(target, tableDdl);
        Sql.execAll(target, foreignKeyDdl);
        adjustSequences(target, schema);
    }

    static void adjustSequences(Connection c, String schema) throws SQLException {
        Sql.exec(c, "SELECT citus_emulation.adjust_sequences(?)", schema);
    }
}
