package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The existing-cluster backend ({@code CITUS_TESTKIT_URL}), pointed at the local cluster so that
 * it is exercised on every CI run: discovery from {@code pg_dist_node}, tenant operations, and
 * the refusal of process operations it cannot do.
 */
class ExistingClusterBackendTest {
    private static LocalCluster local;
    private static LocalCluster attached;

    @BeforeAll
    static void attach() {
        local = LocalCluster.shared();
        attached = LocalCluster.attach(ExistingCluster.Settings.fromUrl(local.jdbcUrl(local.coordinator()),
                local.adminUser(), local.adminPassword(), local.user(), local.password()));
    }

    @AfterAll
    static void detach() {
        attached.close(); // must not stop the local servers
        assertTrue(local.isRunning(local.coordinator()));
    }

    @Test
    void discoversEveryNodeWithItsGroupAndRoleFromPgDistNode() {
        List<String> expected = local.nodes().stream()
                .map(n -> n.name() + "/" + n.role() + "/" + n.groupId() + "/" + n.port()).toList();
        List<String> found = attached.nodes().stream()
                .map(n -> n.name() + "/" + n.role() + "/" + n.groupId() + "/" + n.port()).toList();
        assertEquals(expected, found);
        assertEquals(local.standbyOf(local.worker(1)).port(), attached.standbyOf(attached.worker(1)).port());
    }

    @Test
    void createsATenantThatEveryNodeAnswersFor() throws SQLException {
        String tenant = "kit_attached_t1";
        attached.citus().createTenant(tenant, attached.worker(2),
                List.of("CREATE TABLE items (id int PRIMARY KEY, name text)"), attached.user());
        try {
            assertEquals(attached.worker(2).groupId(), attached.citus().tenantGroup(tenant).orElseThrow());
            try (Connection c = attached.appConnection(attached.coordinator()); Statement s = c.createStatement()) {
                s.execute("INSERT INTO " + tenant + ".items VALUES (1, 'one')");
            }
            for (ClusterNode n : attached.primaryNodes()) {
                try (Connection c = attached.appConnection(n); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT name FROM " + tenant + ".items WHERE id = 1")) {
                    assertTrue(rs.next(), n.name());
                    assertEquals("one", rs.getString(1));
                }
            }
        } finally {
            attached.citus().dropTenant(tenant);
        }
        assertFalse(attached.citus().tenants().contains(tenant));
    }

    @Test
    void refusesProcessOperationsItCannotDo() {
        assertFalse(attached.canControlProcesses());
        assertTrue(local.canControlProcesses());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> attached.kill(attached.worker(1)));
        assertTrue(e.getMessage().contains("existing cluster"), e.getMessage());
    }
}
