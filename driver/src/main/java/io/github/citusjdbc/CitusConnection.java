package io.github.citusjdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection the driver returns: a {@link Connection} that may, in addition, tell the
 * application what the driver learnt about the cluster.
 *
 * <p>Obtain it with {@code connection.unwrap(CitusConnection.class)}; that works through pools
 * such as HikariCP, whose proxies forward {@code unwrap}. Like any JDBC connection it is meant
 * to be used by one thread at a time; {@link #isCitus()} may be called from any thread.
 */
public interface CitusConnection extends Connection {
    /**
     * Tells whether the server has Citus's catalogs ({@code pg_catalog.pg_dist_node}). Detected by
     * the cluster's shared topology read (one per cluster for the JVM; when that first read has not
     * answered within {@code topologyInitialLoadTimeout}, by one query on this connection). On plain
     * PostgreSQL the driver does no routing, but tenant pinning still applies.
     *
     * @return true when connected to a Citus cluster
     */
    boolean isCitus();

    /**
     * Runs {@code COPY ... FROM STDIN} in the pinned tenant. pgjdbc's own
     * {@code unwrap(PGConnection.class).getCopyAPI()} bypasses the driver and so runs without the
     * pin; this method sends the pin first: in autocommit {@code BEGIN; SET LOCAL search_path ...},
     * the COPY, then {@code COMMIT} (3 round trips; {@code ROLLBACK} on failure); in an explicit
     * transaction the pin when the transaction has not carried it yet. Without a tenant, a plain COPY.
     *
     * @param sql  a {@code COPY table FROM STDIN ...} statement
     * @param from the data
     * @return the number of rows copied
     * @throws SQLException as pgjdbc's {@code CopyManager} throws it; SQLState 42602 for an invalid
     *                      tenant answered by the resolver
     * @throws java.io.IOException when reading {@code from} fails
     */
    long copyIn(String sql, java.io.Reader from) throws SQLException, java.io.IOException;

    /**
     * As {@link #copyIn(String, java.io.Reader)}, from bytes.
     *
     * @param sql  a {@code COPY table FROM STDIN ...} statement
     * @param from the data
     * @return the number of rows copied
     * @throws SQLException as pgjdbc's {@code CopyManager} throws it
     * @throws java.io.IOException when reading {@code from} fails
     */
    long copyIn(String sql, java.io.InputStream from) throws SQLException, java.io.IOException;

    /**
     * Runs {@code COPY ... TO STDOUT} in the pinned tenant, pinned as {@link #copyIn(String, java.io.Reader)}.
     *
     * @param sql a {@code COPY ... TO STDOUT ...} statement
     * @param to  receives the data
     * @return the number of rows copied
     * @throws SQLException as pgjdbc's {@code CopyManager} throws it
     * @throws java.io.IOException when writing to {@code to} fails
     */
    long copyOut(String sql, java.io.Writer to) throws SQLException, java.io.IOException;

    /**
     * As {@link #copyOut(String, java.io.Writer)}, to bytes.
     *
     * @param sql a {@code COPY ... TO STDOUT ...} statement
     * @param to  receives the data
     * @return the number of rows copied
     * @throws SQLException as pgjdbc's {@code CopyManager} throws it
     * @throws java.io.IOException when writing to {@code to} fails
     */
    long copyOut(String sql, java.io.OutputStream to) throws SQLException, java.io.IOException;

    /**
     * Tells which node served this connection's last unit of work (a transaction, or one autocommit
     * statement) and why. Answered from the driver's routing decision, without a round trip.
     *
     * @return the node, or null when this connection does not route (plain PostgreSQL, or
     *         {@code readRouting=primary} with {@code tenantRouting=coordinator}: everything goes to
     *         the URL's hosts) or has not run a unit yet
     */
    ServedBy lastServedBy();

    /**
     * @return the version of the cluster topology snapshot the driver currently holds for this
     *         connection's cluster (it grows when the topology changes); 0 when this connection does not
     *         route or no snapshot was read
     */
    long topologyVersion();

    /**
     * Reads the cluster's topology again now and waits for it (at most
     * {@code topologyInitialLoadTimeout}), so that the next unit of work is routed with the
     * application's own changes: a tenant just created, distributed or moved (read-only work of a new
     * tenant would otherwise go to the coordinator's standby until the next periodic refresh).
     * {@link CitusTenantAdmin} calls it after each change. Shared by every connection to the same
     * cluster; a no-op when this connection does not route.
     *
     * @throws SQLException {@code 08003} when the connection is closed
     */
    void refreshTopology() throws SQLException;

    /**
     * Where a unit of work of {@code tenant} would be routed now, read-only or read-write, as the
     * driver decides it from the topology it holds: nothing is executed and nothing is sent. For a
     * read-write unit the answer is that of queries and DML (DDL always goes to the coordinator). The
     * {@code reason} is a {@code RouteReason} name, as in {@link #lastServedBy()}.
     *
     * @param tenant   the tenant (schema), or null for work outside any tenant
     * @param readOnly whether the unit would be read-only
     * @return the node and reason, or null when this connection does not route
     * @throws SQLException {@code 42602} for an invalid tenant name; {@code 08001} when
     *     {@code readFallback=error} and no secondary is eligible; {@code 08003} when closed
     */
    ServedBy explain(String tenant, boolean readOnly) throws SQLException;

    /**
     * What the driver counted for this connection's cluster (shared by every connection of the JVM
     * to it): routed units by reason, retries, node failures, read-your-writes checks, tenant pins and
     * the driver's own round trips, per-tenant activity ({@code metricsTenants}), topology age and
     * replication lag. Nothing is sent.
     *
     * @return the cluster's live metrics, or null when this connection is not to Citus
     * @throws SQLException {@code 08003} when the connection is closed
     */
    CitusMetrics metrics() throws SQLException;

    /**
     * A token naming every write this JVM committed to the cluster through connections with
     * {@code readYourWrites=tenant}: for each group written, a WAL position of its primary read after
     * the last write (one round trip per group, shared with concurrent callers). Bind it where the
     * next read happens with {@link CitusConsistency#require}.
     *
     * @return the token ({@code rw1:} alone when nothing was written)
     * @throws SQLException {@code 0A000} without {@code readYourWrites=tenant}; {@code 08001} when a
     *                      written group's primary cannot be read (or is outside {@code allowedHosts});
     *                      {@code 08003} when closed
     */
    String readYourWritesToken() throws SQLException;
}
