package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.SQLException;
import java.util.List;
import java.util.OptionalInt;

/**
 * The Citus operations the test kit needs: {@link RealCitus} on a Citus cluster, {@link NoCitus}
 * (every operation refused) on a plain PostgreSQL server.
 *
 * <p>Every method runs with superuser rights through the kit's {@code AdminConnector};
 * the tests then check the outcome through ordinary (non-superuser) connections. Every mutating
 * method returns only after the cluster's standbys have replayed the change, so a test may read
 * a standby right away. Obtain an instance from {@link CitusOpsFactory}.
 */
public interface CitusOps {

    /** @return one line telling which implementation is in use, printed at cluster start */
    String describe();

    /** @return true on Citus, false on a plain PostgreSQL server */
    boolean isRealCitus();

    /**
     * Makes a Citus cluster of the given servers: the first primary is the coordinator (group 0),
     * the others workers (groups 1..n in order); each standby is registered as a secondary of its
     * primary's group.
     */
    void install(List<ClusterNode> primaries, List<ClusterNode> standbys) throws SQLException;

    /**
     * Creates a distributed schema (a tenant) stored on {@code holder}'s group, runs {@code ddl}
     * (statements with unqualified names, executed with {@code search_path} set to the schema),
     * and makes it queryable from every node.
     *
     * @param holder a worker primary, or null for round-robin over the workers
     * @param grantTo a role to grant usage and DML on the schema's tables to, or null
     */
    void createTenant(String schema, ClusterNode holder, List<String> ddl, String grantTo) throws SQLException;

    /**
     * Runs DDL for an existing tenant (statements with unqualified names, {@code search_path} set
     * to the schema) through the coordinator, one statement at a time. New tables get their shard.
     */
    void tenantDdl(String schema, List<String> ddl) throws SQLException;

    /** Moves a tenant to another worker without losing rows written concurrently ({@code block_writes}). */
    default void moveTenant(String schema, ClusterNode target) throws SQLException {
        moveTenant(schema, target, "block_writes");
    }

    /**
     * Moves a tenant to another worker with {@code citus_schema_move}'s transfer mode
     * ({@code block_writes}, {@code force_logical} or {@code auto}; logical replication needs a
     * primary key or replica identity on every table of the tenant).
     */
    void moveTenant(String schema, ClusterNode target, String transferMode) throws SQLException;

    /** @return the Citus group that holds the tenant, or empty when it has no placement / does not exist */
    OptionalInt tenantGroup(String schema) throws SQLException;

    /** @return the names of all distributed schemas, sorted */
    List<String> tenants() throws SQLException;

    /** Drops a tenant everywhere. */
    void dropTenant(String schema) throws SQLException;

    /** Registers a new primary worker (its own new group) or a secondary; returns its nodeid. */
    int addNode(ClusterNode node) throws SQLException;

    /** {@code citus_disable_node}: sets isactive = false. */
    void disableNode(ClusterNode node) throws SQLException;

    /**
     * {@code citus_activate_node}: sets isactive = true. Citus 12.1 does not re-activate a secondary
     * that way; a secondary is removed and added again instead, and gets a new nodeid.
     */
    void activateNode(ClusterNode node) throws SQLException;

    /** {@code citus_remove_node}: deletes the node's row. */
    void removeNode(ClusterNode node) throws SQLException;

    /**
     * After {@code promoted} (a standby of {@code oldPrimary}) was promoted: removes the
     * secondary's row and points the old primary's row at the promoted server
     * ({@code citus_update_node}).
     */
    void failover(ClusterNode oldPrimary, ClusterNode promoted) throws SQLException;
}
