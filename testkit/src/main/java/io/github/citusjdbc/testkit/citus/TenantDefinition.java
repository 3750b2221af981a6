package io.github.citusjdbc.testkit.citus;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A tenant as read from the node that stores it: its tables (in creation order) and the statements
 * that rebuild it on another primary as postgres_fdw foreign tables pointing at the holder's group
 * server (or as regular tables). The statements come from {@code citus_emulation.build_statements}
 * in {@code tenants.sql}, the one implementation the SQL operations use too.
 */
final class TenantDefinition {
    final List<String> tables;
    final List<String> statements;

    private TenantDefinition(List<String> tables, List<String> statements) {
        this.tables = tables;
        this.statements = statements;
    }

    /**
     * @param holder     a connection to the node storing the tenant's tables
     * @param fdwServer  the foreign server the rebuilt tables point at, or null to rebuild regular tables
     */
    static TenantDefinition read(Connection holder, String schema, String fdwServer) throws SQLException {
        return new TenantDefinition(Sql.strings(holder, "SELECT unnest(citus_emulation.tenant_tables(?))", schema),
                Sql.strings(holder, "SELECT unnest(citus_emulation.build_statements(?, ?))", schema, fdwServer));
    }

    /** Creates schema and sequences if missing, then the tables, then applies the node's sequence rules. */
    void build(Connection target) throws SQLException {
        Sql.execAll(target, statements);
    }
}
