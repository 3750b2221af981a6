package io.github.citusjdbc.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusDataSource;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code @Transactional(readOnly = true)} through citus-jdbc costs what it costs raw pgjdbc connected
 * to the standby: the same round trips per transaction, none of them on the coordinator. Spring's
 * {@link DataSourceTransactionManager} over a HikariCP pool, as Spring Boot builds it; every node
 * behind a kit relay that counts round trips. Also with {@code getMetaData()} called on the
 * connection before {@code setReadOnly(true)} (what a proxying data source such as
 * datasource-micrometer does), which must neither pin the transaction to the coordinator nor cost a
 * round trip.
 */
class ReadOnlyTransactionCostTest {

    private static LocalCluster cluster;
    private static String tenant;
    private static final Map<ClusterNode, RoundTripRelay> relays = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.shared();
        tenant = "rotx_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(tenant, cluster.worker(1), List.of("CREATE TABLE items (id int PRIMARY KEY, v text)",
                "INSERT INTO items VALUES (1, 'one')"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), cluster.standbyOf(cluster.worker(1)));
        for (ClusterNode n : cluster.nodes()) {
            relays.put(n, RoundTripRelay.start(n.host(), n.port()));
        }
    }

    @AfterAll
    static void stop() throws SQLException {
        relays.values().forEach(RoundTripRelay::close);
        cluster.citus().dropTenant(tenant);
    }

    private static HikariDataSource pool(DataSource ds) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(ds);
        config.setMaximumPoolSize(1);
        return new HikariDataSource(config);
    }

    private static HikariDataSource citus() {
        StringBuilder map = new StringBuilder();
        relays.forEach((n, r) -> map.append(map.length() == 0 ? "" : ",").append(n.address()).append('=').append(r.address()));
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl("jdbc:citus://" + relays.get(cluster.coordinator()).address() + "/" + cluster.database()
                + "?sslmode=disable&nodeAddressMap=" + map);
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        return pool(ds);
    }

    private static HikariDataSource rawOnStandby() {
        RoundTripRelay r = relays.get(cluster.standbyOf(cluster.worker(1)));
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl("jdbc:postgresql://" + r.address() + "/" + cluster.database() + "?sslmode=disable");
        ds.setUser(cluster.user());
        ds.setPassword(cluster.password());
        return pool(ds);
    }

    private static void resetCounts() {
        relays.values().forEach(RoundTripRelay::reset);
    }

    private static long roundTrips(ClusterNode n) {
        return relays.get(n).roundTrips();
    }

    private static long allRoundTrips() {
        return relays.values().stream().mapToLong(RoundTripRelay::roundTrips).sum();
    }

    /** @return round trips per read-only transaction of {@code n} transactions after 20 uncounted ones */
    private static double perTransaction(DataSource ds, String sql, int n) {
        TransactionTemplate readOnly = new TransactionTemplate(new DataSourceTransactionManager(ds));
        readOnly.setReadOnly(true);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        for (int i = 0; i < 20 + n; i++) {
            if (i == 20) {
                resetCounts();
            }
            assertEquals("one", readOnly.execute(status -> jdbc.queryForObject(sql, String.class)));
        }
        return (double) allRoundTrips() / n;
    }

    @Test
    void aReadOnlySpringTransactionCostsWhatRawPgjdbcOnTheStandbyCostsAndNothingOnTheCoordinator() throws Exception {
        double raw;
        try (HikariDataSource ds = rawOnStandby()) {
            raw = perTransaction(ds, "SELECT v FROM " + tenant + ".items WHERE id = 1", 50);
        }
        double citus;
        long onCoordinator;
        long onStandby;
        try (HikariDataSource ds = citus(); CitusTenants.Scope scope = CitusTenants.bind(tenant)) {
            citus = perTransaction(ds, "SELECT v FROM items WHERE id = 1", 50);
            onCoordinator = roundTrips(cluster.coordinator());
            onStandby = roundTrips(cluster.standbyOf(cluster.worker(1)));
        }
        assertEquals(raw, citus, 0.0, "round trips per read-only transaction, raw pgjdbc on the standby vs citus-jdbc");
        assertEquals(0, onCoordinator, "nothing per transaction on the coordinator");
        assertEquals((long) (citus * 50), onStandby, "every round trip on the tenant's standby");
    }

    @Test
    void getMetaDataBeforeSetReadOnlyNeitherPinsTheCoordinatorNorCostsARoundTrip() throws Exception {
        try (HikariDataSource ds = citus(); CitusTenants.Scope scope = CitusTenants.bind(tenant)) {
            for (int i = 0; i < 25; i++) {
                if (i == 5) {
                    resetCounts();
                }
                try (Connection c = ds.getConnection()) {
                    c.getMetaData().getURL(); // a proxying data source looks at the connection first
                    c.setReadOnly(true);
                    c.setAutoCommit(false);
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM items WHERE id = 1")) {
                        rs.next();
                        assertEquals("one", rs.getString(1));
                    }
                    c.commit();
                    c.setAutoCommit(true);
                    c.setReadOnly(false);
                }
            }
            assertEquals(0, roundTrips(cluster.coordinator()), "nothing on the coordinator");
            assertEquals(allRoundTrips(), roundTrips(cluster.standbyOf(cluster.worker(1))), "all on the standby");
            assertEquals(40, allRoundTrips(), "two round trips per transaction (BEGIN READ ONLY with the query, COMMIT)");
        }
    }
}
