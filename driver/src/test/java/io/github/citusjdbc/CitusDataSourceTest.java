package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.config.DriverConfig;
import io.github.citusjdbc.config.Pooler;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class CitusDataSourceTest {

    @Test
    void urlRoundTripsThroughBeanState() throws SQLException {
        CitusDataSource ds = new CitusDataSource();
        ds.setUrl("jdbc:citus://a:1,[::1]:2/my%20db?pooler=pgbouncer-session&sslmode=disable&ApplicationName=x+y&futureKey=1");
        assertArrayEquals(new String[] {"a", "[::1]"}, ds.getServerNames());
        assertArrayEquals(new int[] {1, 2}, ds.getPortNumbers());
        assertEquals("my db", ds.getDatabaseName());
        assertEquals("pgbouncer-session", ds.getPooler());
        assertEquals("disable", ds.getSslMode());

        DriverConfig config = DriverConfig.parse(ds.getUrl(), null);
        assertEquals("a:1,[::1]:2/my db", config.clusterKey());
        assertEquals(Pooler.PGBOUNCER_SESSION, config.pooler());
        assertEquals("x y", config.pgjdbcProperties().getProperty("ApplicationName"));
        assertEquals("1", config.pgjdbcProperties().getProperty("futureKey"), "unknown keys pass through to pgjdbc");
    }

    @Test
    void beanSettersCoverOurPropertiesAndPgjdbcKeyNames() throws SQLException {
        CitusDataSource ds = new CitusDataSource();
        ds.setServerNames(new String[] {"h"});
        ds.setDatabaseName("db");
        ds.setPooler("pgbouncer-transaction");
        ds.setProperty("sslmode", "require");
        ds.setSslmode("disable"); // pgjdbc key name, as HikariCP's dataSourceProperties calls it
        ds.setStringtype("unspecified");
        ds.setPrepareThreshold(0);
        assertEquals("disable", ds.getProperty("sslmode"));
        assertEquals("pgbouncer-transaction", ds.getProperty("pooler"));
        DriverConfig config = DriverConfig.parse(ds.getUrl(), null);
        assertEquals("unspecified", config.pgjdbcProperties().getProperty("stringtype"));
        assertEquals("0", config.pgjdbcProperties().getProperty("prepareThreshold"));
    }

    @Test
    void invalidValuesFailAtTheSetter() {
        CitusDataSource ds = new CitusDataSource();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ds.setPooler("pgpool"));
        assertTrue(e.getMessage().contains("pooler"));
        assertEquals("22023", assertThrows(SQLException.class, () -> ds.setProperty("pooler", "x")).getSQLState());
        assertThrows(IllegalArgumentException.class, () -> ds.setUrl("jdbc:citus://h:0/db"));
    }

    @Test
    void neverShowsThePassword() {
        CitusDataSource ds = new CitusDataSource();
        ds.setUser("alice");
        ds.setPassword("hunter2");
        assertFalse(ds.getUrl().contains("hunter2"), ds.getUrl());
        assertFalse(ds.toString().contains("hunter2"), ds.toString());
        assertTrue(ds.toString().contains("alice"));
    }

    @Test
    void unwrapsToItself() throws SQLException {
        CitusDataSource ds = new CitusDataSource();
        assertTrue(ds.isWrapperFor(DataSource.class));
        assertEquals(ds, ds.unwrap(CitusDataSource.class));
        assertThrows(SQLException.class, () -> ds.unwrap(String.class));
    }
}
