package io.github.citusjdbc.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.NodeAddress;
import java.sql.SQLException;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary URLs and property maps produce either an SQLException with a driver SQLState or a
 * valid configuration; never another exception, never a leaked password.
 */
class RandomizedConfigTest {

    private static final long SEED = Long.getLong("citus.randomSeed", 20261122L);
    private static final int ITERATIONS = 20_000;
    private static final String SECRET = "Pw-9f3a2c";
    private static final String[] FRAGMENTS = {"jdbc:citus:", "//", "/", "?", "&", "=", ",", ":", "[", "]", "::1",
            "%", "%2", "%41", "+", "@", "h", "db", "5432", "0", "65536", "99999", " ", "pooler", "none",
            "pgbouncer-transaction", "prepareThreshold", "currentSchema", "options", "-c search_path=x", "readOnly",
            "true", "targetServerType", "secondary", "PGHOST", "é", "\u0000", "password"};
    private static final String[] KEYS = {"pooler", "prepareThreshold", "currentSchema", "options", "readOnly",
            "readOnlyMode", "targetServerType", "user", "sslmode", "PGPORT", "x"};
    private static final String[] VALUES = {"", "0", "5", "-1", "none", "pgbouncer-transaction", "pgbouncer-session",
            "true", "false", "TRUE", "always", "any", "primary", "secondary", "-c search_path=a", "-c a=b", "x y"};

    @Test
    void arbitraryInputYieldsSqlExceptionOrValidConfig() {
        System.out.println("RandomizedConfigTest seed=" + SEED + " (rerun with -Dcitus.randomSeed=" + SEED + ")");
        Random random = new Random(SEED);
        int valid = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            String url = randomUrl(random);
            Properties info = randomProperties(random);
            try {
                DriverConfig config = DriverConfig.parse(url, info);
                assertValid(config, url);
                valid++;
            } catch (SQLException e) {
                String state = e.getSQLState();
                assertTrue("08001".equals(state) || "22023".equals(state), "SQLState " + state + " for " + url);
                assertNotNull(e.getMessage());
                assertFalse(e.getMessage().contains(SECRET), "password leaked for " + url + ": " + e.getMessage());
            } catch (RuntimeException e) {
                fail("seed " + SEED + ", iteration " + i + ": " + e + " for URL " + url + " and " + info.keySet(), e);
            }
        }
        assertTrue(valid > ITERATIONS / 20, "the generator must also produce valid input, got " + valid);
    }

    private static void assertValid(DriverConfig config, String url) {
        assertFalse(config.hosts().isEmpty(), url);
        for (NodeAddress host : config.hosts()) {
            assertTrue(host.port() >= 1 && host.port() <= 65535, url);
        }
        Properties pg = config.pgjdbcProperties();
        for (CitusProperty property : CitusProperty.values()) {
            assertFalse(pg.containsKey(property.getName()), property + " leaked to pgjdbc for " + url);
        }
        assertFalse(pg.containsKey("currentSchema") || pg.containsKey("readOnly") || pg.containsKey("PGHOST"), url);
        if (config.pooler().isTransactionPooler()) {
            assertTrue("0".equals(pg.getProperty("prepareThreshold")), url);
            // Behind a pooler that does not put search_path back: only the modes that leave nothing on
            // the server connection, never session pinning.
            var mode = config.tenants().mode();
            assertTrue(!config.pooler().leaksSearchPath() || mode == io.github.citusjdbc.tenant.PinningMode.TRANSACTION
                    || mode == io.github.citusjdbc.tenant.PinningMode.STATEMENT, url + ": " + mode);
        }
        assertTrue(config.pgjdbcUrl().startsWith("jdbc:postgresql://"), url);
        assertFalse(config.toString().contains(SECRET), url);
    }

    private static String randomUrl(Random random) {
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(4) != 0) {
            sb.append("jdbc:citus://").append(random.nextBoolean() ? "h" : "[::1]");
            if (random.nextBoolean()) {
                sb.append(':').append(random.nextInt(70_000));
            }
            sb.append('/').append(random.nextBoolean() ? "db" : "");
            if (random.nextBoolean()) {
                sb.append("?password=").append(SECRET);
            }
        }
        int parts = random.nextInt(8);
        for (int i = 0; i < parts; i++) {
            sb.append(random.nextInt(5) == 0 ? (char) random.nextInt(0x3000) : FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
        }
        return sb.toString();
    }

    private static Properties randomProperties(Random random) {
        Properties properties = new Properties();
        properties.setProperty("password", SECRET);
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            properties.setProperty(KEYS[random.nextInt(KEYS.length)], VALUES[random.nextInt(VALUES.length)]);
        }
        return properties;
    }
}
