package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where only Java and Maven exist, the kit runs on PostgreSQL binaries from Maven Central, which
 * lack pg_basebackup: the standby is then made with the low-level backup API, and must stream.
 */
class EmbeddedBinariesTest {
    @Test
    void clusterOnEmbeddedBinariesHasAStreamingStandbyAndTheEmulation() throws SQLException {
        Binaries embedded = Binaries.embedded();
        assertFalse(embedded.hasBaseBackup(), "the Maven Central bundle has no pg_basebackup");
        try (LocalCluster c = LocalCluster.start(LocalCluster.Options.defaults().withWorkers(1)
                .withStandbys(false, true).withEmbeddedBinaries(true))) {
            ClusterNode primary = c.worker(1);
            ClusterNode standby = c.standbyOf(primary);
            try (Connection x = c.appConnection(primary); Statement s = x.createStatement()) {
                s.execute("CREATE TABLE public.embedded_probe (v text)");
                s.execute("INSERT INTO public.embedded_probe VALUES ('streamed')");
            }
            c.waitForReplay(primary, standby);
            try (Connection x = c.appConnection(standby); Statement s = x.createStatement();
                 ResultSet rs = s.executeQuery("SELECT v, pg_is_in_recovery(), version() FROM public.embedded_probe")) {
                assertTrue(rs.next());
                assertEquals("streamed", rs.getString(1));
                assertTrue(rs.getBoolean(2), "the copy must run as a standby");
                assertTrue(rs.getString(3).startsWith("PostgreSQL 15."), rs.getString(3));
            }
            // The module reporting search_path, built against the system's headers of the same major, loads here too.
            try (Connection x = c.appConnection(primary)) {
                String reported = x.unwrap(org.postgresql.PGConnection.class).getParameterStatus("search_path");
                assertEquals(reported != null, c.citus().describe().contains("search_path reported"), c.citus().describe());
                if (LocalCluster.strict()) {
                    assertEquals("\"$user\", public", reported, "CI=true: the embedded servers report search_path too");
                }
            }
            // The emulation needs postgres_fdw and dblink, which the bundle ships: a tenant answers from every node.
            c.citus().createTenant("emb_t", primary, List.of("CREATE TABLE items (id int PRIMARY KEY)"), c.user());
            for (ClusterNode n : c.nodes()) {
                try (Connection x = c.appConnection(n); Statement s = x.createStatement();
                     ResultSet rs = s.executeQuery("SELECT count(*) FROM emb_t.items")) {
                    assertTrue(rs.next(), n.name());
                    assertEquals(0, rs.getInt(1));
                }
            }
        }
    }
}
