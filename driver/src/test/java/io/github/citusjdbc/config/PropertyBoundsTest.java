package io.github.citusjdbc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Values beyond what the driver can represent, and driver keys spelt differently, are refused (22023). */
class PropertyBoundsTest {

    private static SQLException rejected(String query) {
        return assertThrows(SQLException.class, () -> DriverConfig.parse("jdbc:citus://h:5432/db?" + query, null), query);
    }

    @ParameterizedTest
    @ValueSource(strings = {"topologyMaxStaleness=999999999m", "topologyRefreshInterval=999999999m",
            "topologyInitialLoadTimeout=999999999m", "nodeConnectTimeout=999999999m", "nodeBackoffMax=999999999m",
            "nodeIdleValidation=999999999m", "nodeConnectTimeout=600000m"})
    void durationsBeyondTheLimitAreRejected(String query) {
        SQLException e = rejected(query);
        assertEquals(CitusSqlState.INVALID_PARAMETER_VALUE.getState(), e.getSQLState());
        assertTrue(e.getMessage().contains(query.substring(0, query.indexOf('='))), e.getMessage());
    }

    @Test
    void theLongestDurationIsAccepted() throws SQLException {
        DriverConfig c = DriverConfig.parse("jdbc:citus://h:5432/db?topologyMaxStaleness=10080m"
                + "&topologyRefreshInterval=10080m&nodeConnectTimeout=10080m&nodeBackoffMax=10080m", null);
        assertEquals(Duration.ofDays(7), c.topology().maxStaleness());
        assertEquals(Duration.ofDays(7), c.routing().nodeConnectTimeout());
        c.topology().maxStaleness().toNanos(); // representable
    }

    @ParameterizedTest
    @ValueSource(strings = {"maxReplicationLag=17179869185GB", "maxReplicationLag=9007199254740992kB",
            "maxReplicationLag=8796093022208MB"})
    void sizesThatOverflowAreRejected(String query) {
        assertEquals(CitusSqlState.INVALID_PARAMETER_VALUE.getState(), rejected(query).getSQLState());
    }

    @Test
    void theLargestSizeIsAccepted() throws SQLException {
        DriverConfig c = DriverConfig.parse("jdbc:citus://h:5432/db?maxReplicationLag=8589934591GB", null);
        assertEquals(8589934591L << 30, c.routing().maxReplicationLag());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Pooler=pgbouncer-transaction", "allowedhosts=h", "POOLER=none", "maxreplicationlag=1MB",
            "tenantpinning=transaction"})
    void aDriverKeySpeltInAnotherCaseIsRejected(String query) {
        SQLException e = rejected(query);
        assertEquals(CitusSqlState.INVALID_PARAMETER_VALUE.getState(), e.getSQLState());
        String key = query.substring(0, query.indexOf('='));
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void aMiscasedKeyInPropertiesIsRejectedToo() {
        Properties p = new Properties();
        p.setProperty("AllowedHosts", "h");
        SQLException e = assertThrows(SQLException.class, () -> DriverConfig.parse("jdbc:citus://h:5432/db", p));
        assertEquals(CitusSqlState.INVALID_PARAMETER_VALUE.getState(), e.getSQLState());
    }

    @Test
    void nearMissesOfDriverKeysAreReportedAndPgjdbcKeysAreNot() {
        assertEquals(List.of("'allowedHost' is not a citus-jdbc property; did you mean allowedHosts?"),
                UnknownKeys.nearMisses(List.of("allowedHost")));
        assertEquals(List.of("'poler' is not a citus-jdbc property; did you mean pooler?"),
                UnknownKeys.nearMisses(List.of("poler")));
        assertEquals(List.of(), UnknownKeys.nearMisses(List.of("user", "password", "sslmode", "ssl", "options",
                "prepareThreshold", "ApplicationName", "currentSchema", "loginTimeout", "socketTimeout", "readOnly",
                "some.unrelated.key")));
    }

    @Test
    void getConnectionRejectsAStalenessItCannotRepresent() {
        LocalCluster cluster = LocalCluster.shared();
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                + "?topologyMaxStaleness=999999999m&clusterName=bounds_test";
        SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(url, p).close());
        assertEquals(CitusSqlState.INVALID_PARAMETER_VALUE.getState(), e.getSQLState());
    }
}
