package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
            String tenant = Fixture.create(cluster, 4).tenantOf(0);
            ClusterNode holder = cluster.worker(1);
            Properties p = new Properties();
            p.setProperty("user", cluster.user());
            p.setProperty("password", cluster.password());
            for (String driver : new String[] {"pgjdbc", "citus-jdbc", "pgjdbc", "citus-jdbc"}) {
                try (RoundTripRelay relay = RoundTripRelay.start("127.0.0.1", holder.port())) {
                    boolean raw = driver.equals("pgjdbc");
                    String url = (raw ? "jdbc:postgresql://" : "jdbc:citus://") + relay.address() + "/"
                            + cluster.database() + "?sslmode=disable" + (raw ? "" : "&readRouting=primary");
                    try (Connection c = DriverManager.getConnection(url, p)) {
                        reads(c, tenant, 50);
                        long[] before = counts(relay);
                        int n = 1000;
                        reads(c, tenant, n);
                        long[] after = counts(relay);
                        System.out.println(driver + " per read: " + describe(before, after, n));
                    }
                }
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

    private static String describe(long[] before, long[] after, int n) {
        StringBuilder sb = new StringBuilder("client");
        String types = CLIENT + SERVER;
        for (int i = 0; i < types.length(); i++) {
            if (i == CLIENT.length()) {
                sb.append(", server");
            }
            double v = (after[i] - before[i]) / (double) n;
            if (v != 0) {
                sb.append(String.format(" %c=%.2f", types.charAt(i), v));
            }
        }
        return sb.append(String.format(", round trips %.2f", (after[after.length - 1] - before[before.length - 1]) / (double) n))
                .toString();
    }
}
