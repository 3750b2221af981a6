package io.github.citusjdbc;

import java.sql.Connection;

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
     * Tells whether the server has Citus's catalogs ({@code pg_catalog.pg_dist_node}). Detected
     * once per cluster (host list and database) with one query and cached for the life of the JVM.
     * On plain PostgreSQL the driver does no topology work, but tenant pinning still applies.
     *
     * @return true when connected to a Citus cluster (or the test kit's Citus emulation)
     */
    boolean isCitus();
}
