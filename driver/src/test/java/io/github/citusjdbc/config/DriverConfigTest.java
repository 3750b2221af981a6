package io.github.citusjdbc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DriverConfigTest {

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    private static SQLException rejects(String url, Properties info) {
        return assertThrows(SQLException.class, () -> DriverConfig.parse(url, info));
    }

    @Test
    void urlWinsOverPropertiesWhichWinOverDefaults() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?applicationName=fromUrl&pooler=pgbouncer-session",
                props("applicationName", "fromProps", "user", "alice", "pooler", "none"));
        assertEquals("fromUrl", config.pgjdbcProperties().getProperty("applicationName"));
        assertEquals("alice", config.user());
        assertEquals(Pooler.PGBOUNCER_SESSION, config.pooler());
        assertEquals(Pooler.NONE, DriverConfig.parse("jdbc:citus://h/db", null).pooler());
    }

    @Test
    void propertiesDefaultsChainIsRead() throws SQLException {
        Properties defaults = props("user", "bob");
        assertEquals("bob", DriverConfig.parse("jdbc:citus://h/db", new Properties(defaults)).user());
    }

    @Test
    void ourKeysNeverReachPgjdbcAndOthersPassUntouched() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?pooler=none&sslmode=disable&unknownKey=1",
                props("password", "pw"));
        Properties pg = config.pgjdbcProperties();
        assertFalse(pg.containsKey("pooler"));
        assertEquals("disable", pg.getProperty("sslmode"));
        assertEquals("1", pg.getProperty("unknownKey"), "pgjdbc decides about keys it does not know");
        assertEquals("pw", pg.getProperty("password"));
    }

    @Test
    void pgjdbcUrlCarriesOnlyHostsAndEncodedDatabase() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://a:1,[::1]/my%20db?ssl=false", null);
        assertEquals("jdbc:postgresql://a:1,[::1]:5432/my+db", config.pgjdbcUrl());
        assertEquals("a:1,[::1]:5432/my db", config.clusterKey());
    }

    @Test
    void badPoolerValueIs22023NamingTheProperty() {
        SQLException e = rejects("jdbc:citus://h/db?pooler=pgpool", null);
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("pooler"), e.getMessage());
    }

    @Test
    void currentSchemaIsOwnedNotSentAsStartupParameter() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?currentSchema=tenant_a", null);
        assertEquals("tenant_a", config.defaultSchema());
        assertFalse(config.pgjdbcProperties().containsKey("currentSchema"));
    }

    @Test
    void currentSchemaIsTheDefaultTenantAlsoBehindTransactionPooler() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?currentSchema=t,public&pooler=pgbouncer-transaction",
                null);
        assertEquals("t", config.tenants().defaultTenant().tenant());
        assertEquals(java.util.List.of("t", "public"), config.tenants().defaultTenant().schemas());
        assertEquals("22023", rejects("jdbc:citus://h/db?currentSchema=bad;name", null).getSQLState());
    }

    @Test
    void sessionPinningConflictsWithTransactionPooler() {
        SQLException e = rejects("jdbc:citus://h/db?tenantPinning=session&pooler=pgbouncer-transaction", null);
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("tenantPinning") && e.getMessage().contains("pgbouncer-transaction"),
                e.getMessage());
    }

    @Test
    void autoPinningIsTheDefaultAndPicksTheFastestSafeModeForThePooler() throws SQLException {
        var session = io.github.citusjdbc.tenant.PinningMode.SESSION;
        var transaction = io.github.citusjdbc.tenant.PinningMode.TRANSACTION;
        assertEquals(session, DriverConfig.parse("jdbc:citus://h/db", null).tenants().mode(), "direct");
        assertEquals(session, DriverConfig.parse("jdbc:citus://h/db?tenantPinning=auto&pooler=pgbouncer-session", null)
                .tenants().mode());
        var statement = io.github.citusjdbc.tenant.PinningMode.STATEMENT;
        assertEquals(session, DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction-tracking", null)
                .tenants().mode(), "PgBouncer puts each client's search_path back: a session SET is safe there");
        assertEquals(statement, DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction", null)
                .tenants().mode(), "a session search_path would leak; SET ... RESET in one implicit transaction does not");
        assertEquals(statement, DriverConfig.parse("jdbc:citus://h/db?tenantPinning=statement", null).tenants().mode());
        assertEquals(transaction, DriverConfig.parse(
                "jdbc:citus://h/db?tenantPinning=transaction&pooler=pgbouncer-transaction", null).tenants().mode());
        assertEquals(transaction, DriverConfig.parse("jdbc:citus://h/db?tenantPinning=transaction", null).tenants().mode());
        assertEquals(session, DriverConfig.parse(
                "jdbc:citus://h/db?tenantPinning=session&pooler=pgbouncer-transaction-tracking", null).tenants().mode());
    }

    @Test
    void trackingPoolerLeavesPrepareThresholdToPgjdbcButStillOwnsIsolationAndOptions() throws SQLException {
        DriverConfig c = DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction-tracking&prepareThreshold=5",
                null);
        assertEquals("5", c.pgjdbcProperties().getProperty("prepareThreshold"));
        assertNull(DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction-tracking", null)
                .pgjdbcProperties().getProperty("prepareThreshold"), "pgjdbc's default");
        assertTrue(c.pooler().isTransactionPooler(), "isolation per transaction: SET SESSION CHARACTERISTICS would leak");
        assertEquals("22023", rejects("jdbc:citus://h/db?pooler=pgbouncer-transaction-tracking&readOnlyMode=always", null)
                .getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?pooler=pgbouncer-transaction-tracking&options=-c%20x=1", null)
                .getSQLState());
    }

    @Test
    void tenantSettingsAreParsedAndValidated() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?tenantPinning=session&tenantSharedSchemas=public,ref",
                null);
        assertEquals(io.github.citusjdbc.tenant.PinningMode.SESSION, config.tenants().mode());
        assertEquals(java.util.List.of("public", "ref"), config.tenants().sharedSchemas());
        assertEquals("22023", rejects("jdbc:citus://h/db?tenantSharedSchemas=a%20b", null).getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?tenantPinning=sometimes", null).getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?tenantResolver=no.such.Resolver", null).getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?tenantResolver=java.lang.String", null).getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?readOnlyMode=always&pooler=pgbouncer-transaction", null)
                .getSQLState());
    }

    @Test
    void transactionPoolerForcesPrepareThresholdZero() throws SQLException {
        assertEquals("0", DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction", null)
                .pgjdbcProperties().getProperty("prepareThreshold"));
        assertEquals("0", DriverConfig.parse("jdbc:citus://h/db?pooler=pgbouncer-transaction&prepareThreshold=0", null)
                .pgjdbcProperties().getProperty("prepareThreshold"));
        assertEquals("5", DriverConfig.parse("jdbc:citus://h/db?prepareThreshold=5", null)
                .pgjdbcProperties().getProperty("prepareThreshold"), "untouched without a transaction pooler");
    }

    @Test
    void nonZeroPrepareThresholdBehindTransactionPoolerIsRejected() {
        SQLException e = rejects("jdbc:citus://h/db?pooler=pgbouncer-transaction",
                props("prepareThreshold", "5"));
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("prepareThreshold"), e.getMessage());
        assertEquals("22023", rejects("jdbc:citus://h/db?pooler=pgbouncer-transaction&prepareThreshold=x", null)
                .getSQLState());
    }

    @Test
    void optionsAreLimited() throws SQLException {
        assertEquals("-c statement_timeout=5s", DriverConfig.parse("jdbc:citus://h/db",
                props("options", "-c statement_timeout=5s")).pgjdbcProperties().getProperty("options"));
        SQLException searchPath = rejects("jdbc:citus://h/db", props("options", "-c search_path=x"));
        assertTrue(searchPath.getMessage().contains("options"), searchPath.getMessage());
        assertEquals("22023", searchPath.getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?pooler=pgbouncer-session",
                props("options", "-c work_mem=4MB")).getSQLState());
    }

    @Test
    void targetServerTypeOnlyAnyOrPrimary() throws SQLException {
        assertEquals("primary", DriverConfig.parse("jdbc:citus://h/db?targetServerType=primary", null)
                .pgjdbcProperties().getProperty("targetServerType"));
        SQLException e = rejects("jdbc:citus://h/db?targetServerType=preferSecondary", null);
        assertEquals("22023", e.getSQLState());
        assertTrue(e.getMessage().contains("targetServerType"), e.getMessage());
    }

    @Test
    void readOnlyIsOwnedAndValidated() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?readOnly=TRUE", null);
        assertEquals(Boolean.TRUE, config.readOnly());
        assertFalse(config.pgjdbcProperties().containsKey("readOnly"));
        assertNull(DriverConfig.parse("jdbc:citus://h/db", null).readOnly());
        assertEquals("22023", rejects("jdbc:citus://h/db?readOnly=yes", null).getSQLState());
        assertEquals("22023", rejects("jdbc:citus://h/db?readOnlyMode=sometimes", null).getSQLState());
        assertEquals("always", DriverConfig.parse("jdbc:citus://h/db?readOnlyMode=always", null)
                .pgjdbcProperties().getProperty("readOnlyMode"));
    }

    @Test
    void hostAndDatabaseComeFromTheUrlPathOnly() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db", props("PGHOST", "evil", "PGDBNAME", "x"));
        assertFalse(config.pgjdbcProperties().containsKey("PGHOST"));
        assertFalse(config.pgjdbcProperties().containsKey("PGDBNAME"));
        assertEquals("08001", rejects("jdbc:citus://h/db?PGPORT=1", null).getSQLState());
    }

    @Test
    void toStringNeverShowsPropertyValues() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db?password=hunter2", props("user", "alice"));
        assertFalse(config.toString().contains("hunter2"), config.toString());
        assertTrue(config.toString().contains("alice"), config.toString());
    }

    @Test
    void pgjdbcPropertiesAreACopy() throws SQLException {
        DriverConfig config = DriverConfig.parse("jdbc:citus://h/db", props("user", "alice"));
        config.pgjdbcProperties().setProperty("user", "mallory");
        assertEquals("alice", config.user());
    }
}
