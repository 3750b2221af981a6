package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Protocol messages per point read, by type, of raw pgjdbc and of citus-jdbc whose URL names the
 * worker holding the tenant (qualified SQL, nothing routed): the question whether the driver makes
 * the server do more per statement than pgjdbc alone. Counted by a {@link RoundTripRelay} in front
 * of worker 1, 1,000 reads after 50 unmeasured, each statement prepared, executed and closed as
 * {@code PeerBench}'s read does; twice each, alternating.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.citusjdbc.benchmarks.peer.WireCountProbe
 * </pre>
 */
public final class WireCountProbe {

    private static final String CLIENT = "PBDESCHQX"; // Parse, Bind, Describe, Execute, Sync, Close, Flush, Query, Terminate
    private static final String SERVER = "12ntDCZTsENS"; // ParseComplete ... ParameterStatus

    private WireCountProbe() {
    }

    public static void main(String[] args) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LocalCluster.Options.defaults())) {
            String tenant = Fixture.create(cluster, 4, false).tenantOf(0);
            for (String driver : new String[] {"pgjdbc", "citus-jdbc", "pgjdbc", "citus-jdbc"}) {
                System.out.println(driver + " per read: " + perRead(cluster, tenant, driver.equals("pgjdbc"), 1000));
            }
        }
    }

    /**
     * Counts the messages of {@code n} point reads in {@code tenant} on worker 1 (after 50 unmeasured).
     *
     * @param raw whether raw pgjdbc reads, else citus-jdbc
     * @return per read: how many of each message type (by type letter, client's and server's), and
     *         {@code "round trips"}
     */
    public static Map<String, Double> perRead(LocalCluster cluster, String tenant, boolean raw, int n)
            throws IOException, SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        ClusterNode holder = cluster.worker(1);
        try (RoundTripRelay relay = RoundTripRelay.start("127.0.0.1", holder.port())) {
            String url = (raw ? "jdbc:postgresql://" : "jdbc:citus://") + relay.address() + "/"
                    + cluster.database() + "?sslmode=disable" + (raw ? "" : "&readRouting=primary");
            try (Connection c = DriverManager.getConnection(url, p)) {
                reads(c, tenant, 50);
                long[] before = counts(relay);
                reads(c, tenant, n);
                long[] after = counts(relay);
                return describe(before, after, n);
            }
        }
    }

    private static void reads(Connection c, String tenant, int n) throws SQLException {
        for (int i = 0; i < n; i++) {
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM " + tenant + ".items WHERE id = ?")) {
                ps.setInt(1, 1 + i % 100);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("row missing");
                    }
                    rs.getString(1);
                }
            }
        }
    }

    private static long[] counts(RoundTripRelay r) {
        long[] out = new long[CLIENT.length() + SERVER.length() + 1];
        for (int i = 0; i < CLIENT.length(); i++) {
            out[i] = r.clientMessages(CLIENT.charAt(i));
        }
        for (int i = 0; i < SERVER.length(); i++) {
            out[CLIENT.length() + i] = r.serverMessages(SERVER.charAt(i));
        }
        out[out.length - 1] = r.roundTrips();
        return out;
    }

    private static Map<String, Double> describe(long[] before, long[] after, int n) {
        Map<String, Double> out = new LinkedHashMap<>();
        String types = CLIENT + SERVER;
        for (int i = 0; i < types.length(); i++) {
            double v = (after[i] - before[i]) / (double) n;
            if (v != 0) {
                out.put((i < CLIENT.length() ? "client " : "server ") + types.charAt(i), v);
            }
        }
        out.put("round trips", (after[after.length - 1] - before[before.length - 1]) / (double) n);
        return out;
    }
}
