package io.github.citusjdbc.testkit;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovers the nodes of a cluster the kit did not start, from {@code pg_dist_node} on its
 * coordinator: the coordinator is group 0's primary, workers are named {@code worker1..n} in
 * group order, and secondaries {@code <primary>-standby}.
 */
public final class ExistingCluster {
    private ExistingCluster() {
    }

    /**
     * Where the cluster is and whom to log in as.
     *
     * @param host          coordinator host
     * @param port          coordinator port
     * @param database      database name
     * @param adminUser     a superuser (the kit creates tenants, moves them, changes nodes)
     * @param adminPassword its password
     * @param appUser       the application role the tests log in as
     * @param appPassword   its password
     */
    public record Settings(String host, int port, String database, String adminUser, String adminPassword,
                           String appUser, String appPassword) {
        /**
         * Reads {@code CITUS_TESTKIT_URL} ({@code jdbc:postgresql://host:port/db}),
         * {@code CITUS_TESTKIT_ADMIN_USER}/{@code _PASSWORD} and {@code CITUS_TESTKIT_APP_USER}/{@code _PASSWORD}
         * (the app role defaults to the admin).
         */
        public static Settings fromEnvironment() {
            Map<String, String> env = System.getenv();
            String url = env.get(LocalCluster.EXISTING_URL_ENV);
            String admin = env.getOrDefault("CITUS_TESTKIT_ADMIN_USER", "postgres");
            String adminPw = env.getOrDefault("CITUS_TESTKIT_ADMIN_PASSWORD", "");
            return fromUrl(url, admin, adminPw,
                    env.getOrDefault("CITUS_TESTKIT_APP_USER", admin),
                    env.getOrDefault("CITUS_TESTKIT_APP_PASSWORD", adminPw));
        }

        /** @param jdbcUrl {@code jdbc:postgresql://host:port/db} of the coordinator */
        public static Settings fromUrl(String jdbcUrl, String adminUser, String adminPassword, String appUser, String appPassword) {
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("expected jdbc:postgresql://host:port/db, got " + jdbcUrl);
            }
            URI u = URI.create(jdbcUrl.substring("jdbc:".length()));
            String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
            return new Settings(u.getHost(), u.getPort() < 0 ? 5432 : u.getPort(), db, adminUser, adminPassword, appUser, appPassword);
        }

        @Override
        public String toString() {
            return "Settings[" + host + ":" + port + "/" + database + ", admin=" + adminUser + ", app=" + appUser + "]";
        }
    }

    /** @return the cluster's nodes, primaries in group order first, then secondaries */
    static List<ClusterNode> discover(Settings s) throws SQLException {
        record Row(int groupId, String host, int port, boolean primary) {
        }
        List<Row> rows = new ArrayList<>();
        try (Connection c = ClusterConnections.connect(s.host(), s.port(), s.database(), s.adminUser(), s.adminPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT groupid, nodename, nodeport, noderole::text = 'primary'"
                     + " FROM pg_catalog.pg_dist_node WHERE noderole <> 'unavailable' ORDER BY groupid, noderole, nodeid")) {
            while (rs.next()) {
                rows.add(new Row(rs.getInt(1), rs.getString(2), rs.getInt(3), rs.getBoolean(4)));
            }
        }
        List<ClusterNode> primaries = new ArrayList<>();
        List<ClusterNode> standbys = new ArrayList<>();
        Map<Integer, String> primaryOfGroup = new HashMap<>();
        boolean hasCoordinator = rows.stream().anyMatch(r -> r.groupId() == 0 && r.primary());
        if (!hasCoordinator) {
            // Citus without citus_set_coordinator_host: the coordinator is not in pg_dist_node.
            primaries.add(new ClusterNode("coordinator", NodeRole.COORDINATOR, 0, s.host(), s.port(), -1, null));
            primaryOfGroup.put(0, "coordinator");
        }
        int worker = 0;
        for (Row r : rows) {
            if (!r.primary()) {
                continue;
            }
            String name = r.groupId() == 0 ? "coordinator" : "worker" + (++worker);
            primaries.add(new ClusterNode(name, r.groupId() == 0 ? NodeRole.COORDINATOR : NodeRole.WORKER,
                    r.groupId(), r.host(), r.port(), -1, null));
            primaryOfGroup.put(r.groupId(), name);
        }
        Map<String, Integer> standbyCount = new HashMap<>();
        for (Row r : rows) {
            String primary = primaryOfGroup.get(r.groupId());
            if (r.primary() || primary == null) {
                continue;
            }
            int k = standbyCount.merge(primary, 1, Integer::sum);
            standbys.add(new ClusterNode(primary + "-standby" + (k == 1 ? "" : Integer.toString(k)), NodeRole.STANDBY,
                    r.groupId(), r.host(), r.port(), -1, primary));
        }
        primaries.addAll(standbys);
        return primaries;
    }
}
