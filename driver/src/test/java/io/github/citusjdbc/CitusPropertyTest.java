package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;

class CitusPropertyTest {

    @Test
    void constantsAreSortedByName() {
        List<String> names = Arrays.stream(CitusProperty.values()).map(CitusProperty::getName).toList();
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void constantNameIsUpperSnakeCaseOfPropertyName() {
        for (CitusProperty property : CitusProperty.values()) {
            String expected = property.getName().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
            assertEquals(expected, property.name());
            assertTrue(property.getName().matches("[a-z][a-zA-Z0-9]*"), property.getName() + " is lowerCamelCase");
        }
    }

    @Test
    void namesDoNotCollideWithPgjdbc() {
        for (CitusProperty property : CitusProperty.values()) {
            assertNull(PGProperty.forName(property.getName()), property.getName() + " is also a pgjdbc key");
        }
    }

    @Test
    void descriptionsAreSentencesAndDefaultsAreAllowed() {
        for (CitusProperty property : CitusProperty.values()) {
            assertTrue(property.getDescription().endsWith("."), property + " description ends with a period");
            assertTrue(property.getChoices().isEmpty() || property.getChoices().contains(property.getDefaultValue()),
                    property + " default is one of its choices");
            assertEquals(property, CitusProperty.forName(property.getName()));
        }
        assertNull(CitusProperty.forName("POOLER"), "keys are case-sensitive");
    }

    @Test
    void choiceGetterReturnsDefaultOrValidValue() throws SQLException {
        Properties properties = new Properties();
        assertEquals("none", CitusProperty.POOLER.getString(properties));
        properties.setProperty("pooler", "pgbouncer-session");
        assertEquals("pgbouncer-session", CitusProperty.POOLER.getString(properties));
    }

    @Test
    void choiceGetterRejectsUnknownValueNamingTheProperty() {
        Properties properties = new Properties();
        properties.setProperty("pooler", "pgpool");
        SQLException e = assertThrows(SQLException.class, () -> CitusProperty.POOLER.getString(properties));
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("pooler"), e.getMessage());
        assertTrue(e.getMessage().contains("pgbouncer-transaction"), "lists the allowed values: " + e.getMessage());
    }

    @Test
    void nodeSelectorAcceptsAClassNameBesidesItsListedValues() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("nodeSelector", "com.example.MySelector");
        assertEquals("com.example.MySelector", CitusProperty.NODE_SELECTOR.getString(properties));
        properties.setProperty("readRouting", "replica");
        assertThrows(SQLException.class, () -> CitusProperty.READ_ROUTING.getString(properties));
    }

    @Test
    void driverPropertyInfoCarriesValueAndChoices() {
        Properties properties = new Properties();
        properties.setProperty("pooler", "pgbouncer-transaction");
        DriverPropertyInfo info = CitusProperty.POOLER.toDriverPropertyInfo(properties);
        assertEquals("pooler", info.name);
        assertEquals("pgbouncer-transaction", info.value);
        assertEquals(List.of("none", "pgbouncer-transaction", "pgbouncer-transaction-tracking", "pgbouncer-session"),
                List.of(info.choices));
        assertNotNull(info.description);
    }

    @Test
    void markdownTableHasOneRowPerProperty() {
        List<String> lines = CitusProperty.markdownTable().lines().toList();
        assertEquals(2 + CitusProperty.values().length, lines.size());
        assertTrue(lines.get(2 + CitusProperty.POOLER.ordinal())
                .startsWith("| `pooler` | `none` | `none`, `pgbouncer-transaction`, `pgbouncer-transaction-tracking`,"
                        + " `pgbouncer-session` | "));
    }

    /** The typed accessors parse in one place: defaults, units, the blank size, choices, and 22023 naming the key. */
    @Test
    void typedAccessorsParseDurationsSizesAndChoices() throws SQLException {
        java.util.Map<String, String> none = java.util.Map.of();
        assertEquals(java.time.Duration.ofSeconds(30), CitusProperty.TOPOLOGY_REFRESH_INTERVAL.getDuration(none::get));
        java.util.Map<String, String> set = java.util.Map.of("topologyRefreshInterval", "1500ms",
                "maxReplicationLag", "16MB", "readRouting", "primary", "nodeBackoffBase", "0s");
        assertEquals(java.time.Duration.ofMillis(1500), CitusProperty.TOPOLOGY_REFRESH_INTERVAL.getDuration(set::get));
        assertEquals(16L << 20, CitusProperty.MAX_REPLICATION_LAG.getBytes(set::get));
        assertEquals(-1, CitusProperty.MAX_REPLICATION_LAG.getBytes(none::get), "blank: not checked");
        assertEquals(io.github.citusjdbc.routing.RoutingSettings.ReadRouting.PRIMARY,
                CitusProperty.READ_ROUTING.getChoice(set::get, io.github.citusjdbc.routing.RoutingSettings.ReadRouting.class));
        SQLException zero = assertThrows(SQLException.class, () -> CitusProperty.NODE_BACKOFF_BASE.getDuration(set::get));
        assertEquals("22023", zero.getSQLState());
        assertTrue(zero.getMessage().contains("nodeBackoffBase") && zero.getMessage().contains("must be positive"),
                zero.getMessage());
    }
}
