package io.github.citusjdbc.tenant;

import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static io.github.citusjdbc.tenant.PinFixture.B;
import static io.github.citusjdbc.tenant.PinFixture.one;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pinning over TLS verified end to end ({@code sslmode=verify-full} against the kit's certificate
 * for 127.0.0.1), as Citus serves it: the pin travels on the encrypted session, in every mode.
 */
class PinnedTlsTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "session"})
    void pinnedWorkRunsInItsTenantOnAVerifiedTlsSession(String mode) throws SQLException {
        LocalCluster cluster = LocalCluster.shared();
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        p.setProperty("sslmode", "verify-full");
        p.setProperty("sslrootcert", cluster.sslRootCert().toString());
        p.setProperty("tenantPinning", mode);
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database();
        try (Connection c = DriverManager.getConnection(url, p); Statement s = c.createStatement()) {
            assertEquals("true", one(s, "SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
            c.setSchema(A);
            assertEquals("pin_a-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            c.setSchema(B);
            assertEquals("pin_b-1", one(s, "SELECT name FROM pin_items WHERE id = 1"));
            c.setAutoCommit(false);
            assertEquals("pin_b-2", one(s, "SELECT name FROM pin_items WHERE id = 2"));
            assertEquals(B, one(s, "SELECT current_schema()"));
            c.commit();
        }
    }
}
