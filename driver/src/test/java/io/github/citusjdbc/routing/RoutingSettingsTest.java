package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.spi.NodeAddress;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RoutingSettingsTest {

    @Test
    void absentKeysGiveTheDefaults() throws SQLException {
        RoutingSettings s = RoutingSettings.parse(new Properties());
        assertEquals(RoutingSettings.defaults(), s);
        assertEquals(RoutingSettings.ReadRouting.SECONDARY, s.readRouting());
        assertEquals(RoutingSettings.ReadFallback.PRIMARY, s.readFallback());
        assertEquals(RoutingSettings.TenantRouting.COORDINATOR, s.tenantRouting());
        assertFalse(s.lagChecked());
        assertEquals(Duration.ofSeconds(1), s.nodeBackoffBase());
        assertEquals(Duration.ofSeconds(30), s.nodeBackoffMax());
        assertEquals(Duration.ofSeconds(5), s.nodeConnectTimeout());
        assertTrue(s.allowedHosts().allowsAll());
        assertTrue(s.addressMap().isEmpty());
        assertEquals("roundRobin", s.nodeSelector());
    }

    @Test
    void everyKeyIsRead() throws SQLException {
        RoutingSettings s = RoutingSettings.parse(Map.of("readRouting", "primary", "readFallback", "error",
                "tenantRouting", "affinity", "maxReplicationLag", "16MB", "nodeBackoffBase", "250ms",
                "nodeBackoffMax", "2m", "nodeConnectTimeout", "3", "allowedHosts", "a,b:1",
                "nodeAddressMap", "a:5432=b:6432", "nodeSelector", "leastOutstanding"));
        assertEquals(RoutingSettings.ReadRouting.PRIMARY, s.readRouting());
        assertEquals(RoutingSettings.ReadFallback.ERROR, s.readFallback());
        assertEquals(RoutingSettings.TenantRouting.AFFINITY, s.tenantRouting());
        assertEquals(16L << 20, s.maxReplicationLag());
        assertEquals(Duration.ofMillis(250), s.nodeBackoffBase());
        assertEquals(Duration.ofMinutes(2), s.nodeBackoffMax());
        assertEquals(Duration.ofSeconds(3), s.nodeConnectTimeout());
        assertTrue(s.allowedHosts().allows(new NodeAddress("b", 1)));
        assertEquals(new NodeAddress("b", 6432), s.addressMap().translate(new NodeAddress("a", 5432)));
        assertEquals("leastOutstanding", s.nodeSelector());
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "100, 100", "100B, 100", "1kB, 1024", "2 MB, 2097152", "1gb, 1073741824"})
    void replicationLagSizes(String value, long bytes) throws SQLException {
        assertEquals(bytes, RoutingSettings.parse(Map.of("maxReplicationLag", value)).maxReplicationLag());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "readRouting | replica", "readRouting | Secondary", "readFallback | coordinator", "tenantRouting | on",
            "maxReplicationLag | -1", "maxReplicationLag | 1TB", "maxReplicationLag | MB",
            "nodeBackoffBase | 0", "nodeBackoffBase | 1h", "nodeBackoffBase | -5s", "nodeBackoffMax | 100ms",
            "nodeConnectTimeout | soon", "allowedHosts | a,,b", "allowedHosts | db*.x", "allowedHosts | ::1",
            "nodeAddressMap | a:1", "nodeAddressMap | a=b=c", "nodeAddressMap | ::1=b", "nodeAddressMap | a:99999=b",
            "nodeAddressMap | a:1=b,a:1=c", "nodeSelector | io.github.citusjdbc.routing.NoSuchSelector",
            "nodeSelector | java.lang.String"})
    void badValuesNameTheProperty(String key, String value) {
        SQLException e = assertThrows(SQLException.class, () -> RoutingSettings.parse(Map.of(key, value)));
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("property " + key + ":"), e.getMessage());
    }

    @Test
    void selectorByClassName() throws SQLException {
        assertTrue(NodeSelectors.create(RandomSelector.class.getName()) instanceof RandomSelector);
        assertTrue(NodeSelectors.create("random") instanceof RandomSelector);
        assertTrue(NodeSelectors.create(null) instanceof RoundRobinSelector);
        assertTrue(NodeSelectors.create("leastOutstanding") instanceof LeastOutstandingSelector);
    }

    @Test
    void settingsParsedTwiceAreEqual() throws SQLException {
        Map<String, String> m = Map.of("allowedHosts", "a,*.b.com", "nodeAddressMap", "x=y:1");
        assertEquals(RoutingSettings.parse(m), RoutingSettings.parse(m));
        assertEquals(RoutingSettings.parse(m).hashCode(), RoutingSettings.parse(m).hashCode());
    }
}
