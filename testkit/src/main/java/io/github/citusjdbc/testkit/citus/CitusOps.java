package io.github.citusjdbc.testkit.citus;

import io.github.citusjdbc.testkit.ClusterNode;

import java.sql.SQLException;
import java.util.List;
import java.util.OptionalInt;

/**
 * The Citus operations the test kit needs, implemented either on real Citus
 * ({@link RealCitus}) or on plain PostgreSQL by the emulation ({@link EmulatedCitus}).
 *
 * <p>Every method runs with superuser rights through the kit's {@code AdminConnector};
 * the tests then check the outcome through ordinary (non-superuser) connections.
 */
public interface CitusOps {

    /** @return one line telling which implementation is in use, printed at cluster start */
    String describe();

    /** @return true on real Citus, false for the emulation */
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

    /** Moves a tenant to another worker without losing rows written concurrently. */
    void moveTenant(String schema, ClusterNode target) throws SQLException;

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

    /** {@code citus_activate_node}: sets isactive = true. */
    void activateNode(ClusterNode node) throws SQLException;

    /** {@code citus_remove_node}: deletes the node's row. */
    void removeNode(ClusterNode node) throws SQLException;

    /**
     * After {@code promoted} (a standby of {@code oldPrimary}) was promoted: removes the
     * secondary's row and points the old primary's row at the promoted server
     * ({@code citus_update_node}); the emulation also repoints every node's forwarding.
     */
    void failover(ClusterNode oldPrimary, ClusterNode promoted) throws SQLException;
}
