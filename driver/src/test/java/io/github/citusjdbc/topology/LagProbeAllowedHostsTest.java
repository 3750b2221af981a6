package io.github.citusjdbc.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The replication-lag probe sends the application's credentials only where {@code allowedHosts}
 * lets the driver connect, and only when {@code maxReplicationLag} is used by a connection that
 * routes reads. Every node except the URL's coordinator is reached through a counting relay
 * ({@code nodeAddressMap}), so a login anywhere else is seen as an accepted connection.
 */
class LagProbeAllowedHostsTest {

    private static final Duration REFRESH = Duration.ofMillis(300);
    private static final Duration OBSERVED = Duration.ofMillis(2_500); // about 8 refreshes

    private static LocalCluster cluster;
    private final List<RoundTripRelay> relays = new ArrayList<>();
    private String addressMap;
    private String relayAddresses;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.shared();
    }

    @BeforeEach
    void relayEveryNodeButTheCoordinator() throws IOException {
        List<String> pairs = new ArrayList<>();
        for (ClusterNode n : cluster.nodes()) {
            if (n.name().equals(cluster.coordinator().name())) {
                continue;
            }
            RoundTripRelay r = RoundTripRelay.start(n.host(), n.port());
            relays.add(r);
            pairs.add(n.address() + "=" + r.address());
        }
        addressMap = String.join(",", pairs);
        relayAddresses = relays.stream().map(RoundTripRelay::address).collect(Collectors.joining(","));
    }

    @AfterEach
    void closeRelays() {
        relays.forEach(RoundTripRelay::close);
    }

    private long logins() {
        return relays.stream().mapToLong(RoundTripRelay::acceptedConnections).sum();
    }

    private String url(String query) {
        return "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?sslmode=disable&topologyRefreshInterval=" + REFRESH.toMillis() + "ms&nodeAddressMap=" + addressMap
                + "&" + query;
    }

    private Properties app() {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        return p;
    }

    /** Holds a connection open (and its topology refreshing) for a while and counts logins behind the relays. */
    private long loginsWhileOpen(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(query), app()); Statement st = c.createStatement()) {
            st.execute("SELECT 1"); // read-write: goes to the coordinator, never through a relay
            long deadline = System.nanoTime() + OBSERVED.toNanos();
            while (System.nanoTime() < deadline) {
                st.execute("SELECT 1");
                sleep(100);
            }
        }
        return logins();
    }

    @Test
    void theProbeLogsInToNoHostOutsideAllowedHosts() throws SQLException {
        assertEquals(0, loginsWhileOpen("maxReplicationLag=16MB&allowedHosts=" + cluster.coordinator().address()),
                "logins on nodes outside allowedHosts");
    }

    @Test
    void withoutMaxReplicationLagNothingIsProbed() throws SQLException {
        assertEquals(0, loginsWhileOpen("allowedHosts=" + relayAddresses), "lag measured although not used");
    }

    @Test
    void aConnectionThatRoutesNoReadsProbesNothing() throws SQLException {
        assertEquals(0, loginsWhileOpen("maxReplicationLag=16MB&readRouting=primary"), "lag measured although not used");
    }

    /** The control: the same setup sees the probe's logins when the nodes are allowed and lag is used. */
    @Test
    void allowedNodesAreProbedWhenLagIsUsed() throws SQLException {
        String query = "maxReplicationLag=16MB&allowedHosts=" + relayAddresses;
        try (Connection c = DriverManager.getConnection(url(query), app())) {
            LocalCluster.waitUntil(() -> logins() > 0, Duration.ofSeconds(10), "the lag probe's logins");
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
