package io.github.citusjdbc.topology;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects whether a cluster runs Citus, by whether {@code pg_catalog.pg_dist_node} exists, and
 * remembers the answer per cluster key so that only the first connection pays the query.
 *
 * <p>Thread-safe. Two threads connecting to a new cluster at once may both query; the first
 * answer stored wins (both answers are the same).
 */
public final class CitusDetector {

    /** One round trip; {@code to_regclass} returns NULL instead of failing for a missing table. */
    static final String QUERY = "SELECT pg_catalog.to_regclass('pg_catalog.pg_dist_node') IS NOT NULL";

    private static final Logger LOG = LoggerFactory.getLogger(CitusDetector.class);
    private static final CitusDetector SHARED = new CitusDetector();

    /** Creates a detector with its own cache (the driver uses {@link #shared()}). */
    public CitusDetector() {
    }

    private final ConcurrentMap<String, Boolean> known = new ConcurrentHashMap<>();

    /** @return the detector the driver uses, shared by every connection of the JVM */
    public static CitusDetector shared() {
        return SHARED;
    }

    /**
     * @param clusterKey identifies the cluster (see {@code DriverConfig.clusterKey()})
     * @param physical   an open connection to the cluster, used only when the answer is not known yet;
     *                   left open and in autocommit state as found
     * @return true when the cluster has Citus's catalogs
     * @throws SQLException when the detection query fails
     */
    public boolean isCitus(String clusterKey, Connection physical) throws SQLException {
        Boolean answer = known.get(clusterKey);
        if (answer != null) {
            return answer;
        }
        boolean citus;
        try (Statement statement = physical.createStatement();
             ResultSet rs = statement.executeQuery(QUERY)) {
            citus = rs.next() && rs.getBoolean(1);
        }
        Boolean previous = known.putIfAbsent(clusterKey, citus);
        if (previous == null) {
            LOG.debug("cluster {}: {}", clusterKey, citus ? "Citus catalogs found" : "plain PostgreSQL, routing off");
        }
        return previous != null ? previous : citus;
    }
}
