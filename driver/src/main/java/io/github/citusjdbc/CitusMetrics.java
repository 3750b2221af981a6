package io.github.citusjdbc;

import java.util.Map;

/**
 * What the driver counted for one cluster since this JVM first routed work to it: shared by every
 * connection and data source of the JVM with the same hosts, database and user. Obtain it with
 * {@link CitusConnection#metrics()} or {@link CitusDataSource#metrics()}; it is also registered as
 * the JMX MXBean {@code io.github.citusjdbc:type=Cluster,name="<user@hosts/database>"}, and
 * {@code io.github.citusjdbc.metrics.CitusMeterBinder} publishes it to a Micrometer
 * {@code MeterRegistry}. The values are live: each getter reads the current count. Thread-safe.
 *
 * <p>What is counted: units of work the driver routed, by reason (read-only units, and with
 * {@code tenantRouting=affinity} read-write units; read-write units without affinity go to the URL's
 * hosts without a decision and are not counted), their retries on another node, connection failures
 * that marked a node down, and read-your-writes checks; for every connection of the cluster, how
 * tenant pins went to the server and the round trips the driver added; with {@code metricsTenants=N},
 * units, statements and statement time per tenant for the N most active. Counting costs one
 * uncontended add per routed unit and per pinned statement; per-tenant counts add a map lookup per
 * unit and a clock read per statement, only when asked for.
 */
public interface CitusMetrics {

    /** @return routed units of work by {@code RouteReason} name; reasons not seen yet are absent */
    Map<String, Long> getUnitsByReason();

    /**
     * @return with {@code metricsTenants=N}: units of work (each autocommit statement, each
     *         transaction) of the N most active tenants, most active first, and the others summed as
     *         {@code (other)}; routed or not; empty otherwise
     */
    Map<String, Long> getUnitsByTenant();

    /** @return how many tenants {@link #getUnitsByTenant()} lists one by one ({@code metricsTenants}); 0: tenants are not counted */
    int getMetricsTenants();

    /**
     * @return with {@code metricsTenants=N}: statements (executions, batches, COPYs) of the N most
     *         active tenants, as {@link #getUnitsByTenant()} lists them; empty otherwise
     */
    Map<String, Long> getStatementsByTenant();

    /**
     * @return with {@code metricsTenants=N}: milliseconds spent in those statements (from the call to
     *         its return, as the application waits for it), per tenant as {@link #getUnitsByTenant()}
     *         lists them; empty otherwise
     */
    Map<String, Long> getStatementMillisByTenant();

    /**
     * @return statements that carried the tenant's pin, by how (each {@code PinForm}'s name:
     *         {@code envelope}, {@code transaction}, {@code session}, {@code statement}); every form
     *         is present, 0 until used
     */
    Map<String, Long> getPinsByForm();

    /**
     * @return round trips the driver made on its own, by cause ({@code pin}: the pin sent alone;
     *         {@code commit}; {@code rollback}: clean-up); every cause is present, 0 until seen
     */
    Map<String, Long> getExtraRoundTrips();

    /**
     * @return routed units of work by the node they went to ({@code host:port} as dialled), and
     *         {@code url} for those sent to the URL's hosts
     */
    Map<String, Long> getUnitsByNode();

    /** @return how long the last topology refresh took (catalog read and lag measurement), in ms; -1 before one */
    long getLastRefreshMillis();

    /** @return units of work that ran once more on another node after a failure before any result */
    long getRetries();

    /** @return pauses of units of work that could not reach a node and ran again ({@code failoverWait}) */
    long getFailoverWaits();

    /** @return failures to reach a node that marked it down (backed off) */
    long getNodeFailures();

    /** @return nodes marked down that served again (the other half of a node's health changes) */
    long getNodeRecoveries();

    /** @return read-only units checked for read-your-writes ({@code readYourWrites=tenant}) */
    long getReadYourWritesChecks();

    /** @return of those, units sent to a primary because the secondary had not replayed the writes in time */
    long getReadYourWritesOnPrimary();

    /** @return WAL positions read for read-your-writes (round trips to primaries and secondaries) */
    long getWalPositionReads();

    /** @return the version of the topology snapshot held; 0 before the first read */
    long getTopologyVersion();

    /** @return milliseconds since the topology was last read successfully; -1 before the first read */
    long getTopologyAgeMillis();

    /** @return replication lag in bytes of WAL by secondary ({@code host:port}), as last measured; empty when lag is not measured */
    Map<String, Long> getReplicationLagBytes();

    /**
     * @return every node of the topology held, as {@code host:port role group <n>}, with
     *         {@code inactive} and {@code backed off} (a recent connection failure) when they apply
     */
    java.util.List<String> getNodes();

    /** @return the nodes ({@code host:port}, as dialled) that routing avoids now after a connection failure */
    java.util.List<String> getUnhealthyNodes();
}
