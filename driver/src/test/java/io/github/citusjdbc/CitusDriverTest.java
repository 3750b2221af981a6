package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class CitusDriverTest {

    private final CitusDriver driver = new CitusDriver();

    @Test
    void acceptsOnlyCitusUrls() {
        assertTrue(driver.acceptsURL("jdbc:citus://h/db"));
        assertTrue(driver.acceptsURL("jdbc:citus:garbage"), "ours, even if malformed: connect then explains");
        assertFalse(driver.acceptsURL("jdbc:postgresql://h/db"));
        assertFalse(driver.acceptsURL("jdbc:citusx://h/db"));
        assertFalse(driver.acceptsURL(null));
    }

    @Test
    void connectReturnsNullForForeignUrls() throws SQLException {
        assertNull(driver.connect("jdbc:postgresql://127.0.0.1:1/db", new Properties()));
        assertNull(driver.connect("jdbc:mysql://h/db", null));
    }

    @Test
    void connectRejectsMalformedUrlsAndBadValuesBeforeTouchingTheNetwork() {
        assertEquals("08001", assertThrows(SQLException.class,
                () -> driver.connect("jdbc:citus://h:0/db", null)).getSQLState());
        SQLException bad = assertThrows(SQLException.class,
                () -> driver.connect("jdbc:citus://h/db?pooler=maybe", null));
        assertEquals("22023", bad.getSQLState());
        assertTrue(bad.getMessage().contains("pooler"));
        assertEquals("08001", assertThrows(SQLException.class, () -> driver.connect(null, null)).getSQLState());
    }

    @Test
    void isRegisteredWithDriverManagerAndServiceLoader() throws SQLException {
        assertTrue(DriverManager.getDriver("jdbc:citus://h/db") instanceof CitusDriver);
        assertTrue(ServiceLoader.load(Driver.class).stream().anyMatch(p -> p.type() == CitusDriver.class));
    }

    @Test
    void propertyInfoListsOursThenPgjdbcsWithValues() {
        Properties info = new Properties();
        info.setProperty("password", "hunter2");
        info.setProperty("sslmode", "disable");
        DriverPropertyInfo[] infos = driver.getPropertyInfo("jdbc:citus://h/db?pooler=pgbouncer-session", info);
        Map<String, DriverPropertyInfo> byName = Arrays.stream(infos)
                .collect(Collectors.toMap(i -> i.name, Function.identity(), (a, b) -> a));
        assertEquals(CitusProperty.values()[0].getName(), infos[0].name, "ours first, in enum order");
        assertEquals("pgbouncer-session", byName.get("pooler").value);
        assertEquals("disable", byName.get("sslmode").value);
        assertEquals("db", byName.get("PGDBNAME").value);
        assertNull(byName.get("password").value, "never echoes a password");
        assertTrue(byName.get("currentSchema").description.startsWith("citus-jdbc: "));
        assertNotNull(byName.get("prepareThreshold"));
        assertEquals(0, driver.getPropertyInfo("jdbc:postgresql://h/db", info).length);
        assertTrue(driver.getPropertyInfo("jdbc:citus:", info).length > 50, "malformed URL still describes properties");
    }

    @Test
    void versionAndCompliance() {
        assertEquals(0, driver.getMajorVersion());
        assertEquals(1, driver.getMinorVersion());
        assertFalse(driver.jdbcCompliant());
        assertThrows(SQLFeatureNotSupportedException.class, driver::getParentLogger);
    }
}
