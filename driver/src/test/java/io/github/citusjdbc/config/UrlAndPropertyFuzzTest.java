package io.github.citusjdbc.config;

import io.github.citusjdbc.CitusDriver;
import io.github.citusjdbc.CitusProperty;
import org.junit.jupiter.api.Test;

import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and hostile URLs and property values (IPv6, percent-encoding, duplicate keys, huge values,
 * control characters, every driver key with garbage) only ever give a parsed configuration or an
 * {@link SQLException} with a SQLState of the kinds the driver raises for bad input; never another
 * exception, and never a secret in a message. Repeatable: the seed is in every failure message.
 */
class UrlAndPropertyFuzzTest {
    private static final int CASES = 20_000;
    /** Bad URL (08001), bad value (22023), bad name (42602), not supported (0A000). */
    private static final Set<String> INPUT_STATES = Set.of("08001", "22023", "42602", "0A000");
    private static final String SECRET = "s3cr3t-FUZZ-pw";

    private static final String[] HOSTS = {"127.0.0.1", "localhost", "[::1]", "[fe80::1%25eth0]", "[::1", "::1", "h", "",
            "h%2Cx", "h%00", "a..b", "ex ample", "h:", "h:0", "h:65536", "h:-1", "h:99999999999", "h:5432", "[2001:db8::1]:6432",
            "\u00e9t\u00e9", "h\u0000", "h\n", "%zz", "x".repeat(300)};
    private static final String[] VALUES = {"", " ", "0", "-1", "1", "999999999999999999999", "1s", "500ms", "999999999m",
            "17179869185GB", "16MB", "true", "false", "yes", "primary", "secondary", "any", "session", "transaction", "auto",
            "affinity", "coordinator", "none", "pgbouncer-transaction", "a,b", ",", "\"t\"", "t;DROP", "tenant_1", "%41",
            "%", "%2", "\u0000", "\r\n", "\t", "\u202e", "x".repeat(100_000), "password=not-the-secret", "java.lang.Object",
            "java.lang.Runtime", "io.github.citusjdbc.CitusDriver", "-c search_path=x", "${jndi:ldap://x}"};

    @Test
    void everyInputGivesAConfigurationOrASqlExceptionWithAnInputSqlState() {
        long seed = Long.getLong("citus.fuzz.seed", 20261203L);
        Random random = new Random(seed);
        List<String> keys = new ArrayList<>();
        for (CitusProperty p : CitusProperty.values()) {
            keys.add(p.getName());
        }
        keys.addAll(List.of("user", "password", "sslpassword", "prepareThreshold", "targetServerType", "currentSchema",
                "options", "PGDBNAME", "PGHOST", "PGPORT", "readOnly", "readOnlyMode", "ssl", "sslmode",
                "Pooler", "allowedhosts", "tenantpinning", "unknownKey", "", "a=b", "&", "%"));
        CitusDriver driver = new CitusDriver();
        for (int i = 0; i < CASES; i++) {
            StringBuilder url = new StringBuilder(random.nextInt(20) == 0 ? "jdbc:citus:" : "jdbc:citus://");
            int hosts = random.nextInt(4);
            for (int h = 0; h < hosts; h++) {
                url.append(h == 0 ? "" : ",").append(HOSTS[random.nextInt(HOSTS.length)]);
            }
            url.append(random.nextInt(10) == 0 ? "" : "/").append(random.nextBoolean() ? "db" : VALUES[random.nextInt(VALUES.length)]);
            Properties props = new Properties();
            int params = random.nextInt(5);
            for (int p = 0; p < params; p++) {
                String key = keys.get(random.nextInt(keys.size()));
                String value = VALUES[random.nextInt(VALUES.length)];
                if (random.nextBoolean()) {
                    url.append(p == 0 && url.indexOf("?") < 0 ? "?" : "&").append(key).append('=').append(value);
                } else {
                    props.setProperty(key, value);
                }
            }
            if (random.nextInt(10) == 0) {
                props.setProperty("password", SECRET);
            }
            if (random.nextInt(10) == 0) {
                url.append(url.indexOf("?") < 0 ? "?" : "&").append(random.nextBoolean() ? "password=" : "sslpassword=")
                        .append(SECRET);
            }
            String u = url.toString();
            String what = "seed " + seed + ", case " + i + ": " + abbreviate(u) + " " + abbreviate(props.toString());
            try {
                assertNotNull(DriverConfig.parse(u, props), what);
            } catch (SQLException e) {
                assertTrue(e.getSQLState() != null && INPUT_STATES.contains(e.getSQLState()),
                        what + " -> " + e.getSQLState() + " " + e.getMessage());
                assertTrue(e.getMessage() == null || !e.getMessage().contains(SECRET), what + ": secret in message");
            } catch (RuntimeException | Error e) {
                fail(what + " -> " + e, e);
            }
            try {
                DriverPropertyInfo[] info = driver.getPropertyInfo(u, props);
                for (DriverPropertyInfo d : info) {
                    assertTrue(d.value == null || !d.value.contains(SECRET), what + ": secret in getPropertyInfo " + d.name);
                }
            } catch (RuntimeException e) {
                fail(what + " -> getPropertyInfo " + e, e);
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }
}
