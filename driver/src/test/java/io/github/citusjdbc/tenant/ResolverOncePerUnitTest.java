package io.github.citusjdbc.tenant;

import static io.github.citusjdbc.tenant.PinFixture.A;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code TenantResolver} contract: asked once when a unit of work starts (an autocommit
 * statement, or a transaction's first statement), with read routing on, and read-only work routed
 * to a standby; inside an open transaction once per later statement, only to refuse another tenant.
 * The unit of work decided at the first statement carries the answer to both routing and pinning.
 */
class ResolverOncePerUnitTest {

    @BeforeAll
    static void schemas() throws SQLException {
        PinFixture.create();
        LocalCluster c = LocalCluster.shared();
        c.waitForReplay(c.coordinator(), c.standbyOf(c.coordinator())); // the read-only work reads the schemas there
    }

    @AfterEach
    void reset() {
        CountingTenantResolver.answer = null;
    }

    private static Connection open(String mode) throws SQLException {
        LocalCluster c = LocalCluster.shared();
        PinFixture.Target direct = new PinFixture.Target("direct", c.jdbcUrl(c.coordinator()), false, mode, null);
        return PinFixture.citus(direct, null, "tenantResolver=" + CountingTenantResolver.class.getName(),
                "readRouting=secondary");
    }

    private static String name(ResultSet rs) throws SQLException {
        rs.next();
        return rs.getString(1);
    }

    @ParameterizedTest(name = "tenantPinning={0}")
    @ValueSource(strings = {"transaction", "session"})
    void autocommitStatementsAskOnceEach(String mode) throws SQLException {
        CountingTenantResolver.answer = A;
        try (Connection c = open(mode);
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?");
             Statement s = c.createStatement()) {
            for (boolean readOnly : new boolean[] {false, true}) {
                c.setReadOnly(readOnly); // read-only: routed to the coordinator's standby
                for (int i = 0; i < 3; i++) {
                    ps.setInt(1, 1);
                    CountingTenantResolver.ASKED.set(0);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertEquals(A + "-1", name(rs));
                    }
                    assertEquals(1, CountingTenantResolver.ASKED.get(),
                            "prepared query, readOnly=" + readOnly + ": the resolver is asked once per unit of work");
                    CountingTenantResolver.ASKED.set(0);
                    try (ResultSet rs = s.executeQuery("SELECT name FROM pin_items WHERE id = 2")) {
                        assertEquals(A + "-2", name(rs));
                    }
                    assertEquals(1, CountingTenantResolver.ASKED.get(),
                            "plain query, readOnly=" + readOnly + ": the resolver is asked once per unit of work");
                }
            }
        }
    }

    @Test
    void aTransactionAsksOnceToDecideThenOncePerStatementToCheck() throws SQLException {
        CountingTenantResolver.answer = A;
        try (Connection c = open("transaction");
             PreparedStatement ps = c.prepareStatement("SELECT name FROM pin_items WHERE id = ?")) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            CountingTenantResolver.ASKED.set(0);
            for (int i = 1; i <= 3; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertEquals(A + "-" + i, name(rs));
                }
                assertEquals(i, CountingTenantResolver.ASKED.get(),
                        "statement " + i + ": asked once to decide the transaction's tenant, then once per statement");
            }
            c.commit();
        }
    }
}
