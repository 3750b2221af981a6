package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code tenantRouting=affinity} breaks on real Citus 12.1, and why it stays opt-in: the same
 * SQL through the coordinator (the default) and straight to the worker holding the tenant. A
 * {@code serial} (int) column cannot be filled on a worker, and a table that exists only on the
 * coordinator is not there; {@code bigserial} values made on a worker come from that worker's range
 * (beyond the int range); identity columns, the tenant's own sequences and functions Citus
 * propagated work on the worker as on the coordinator. docs/routing.md lists these.
 */
class AffinityLimitsTest {

    private static LocalCluster cluster;
    private static String tenant;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        tenant = "aff_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(tenant, cluster.worker(1), List.of(
                "CREATE TABLE s_int (id serial PRIMARY KEY, v text)",
                "CREATE TABLE s_big (id bigserial PRIMARY KEY, v text)",
                "CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text)",
                "CREATE SEQUENCE own_seq",
                "CREATE TABLE uses_seq (id bigint DEFAULT nextval('own_seq') PRIMARY KEY, v text)"),
                cluster.user());
        try (Connection admin = cluster.admin(cluster.coordinator()); Statement s = admin.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS public.aff_coordinator_only (k int PRIMARY KEY, label text)");
            s.execute("INSERT INTO public.aff_coordinator_only VALUES (1, 'one') ON CONFLICT DO NOTHING");
            s.execute("GRANT ALL ON public.aff_coordinator_only TO " + cluster.user());
            s.execute("CREATE OR REPLACE FUNCTION public.aff_double(x int) RETURNS int LANGUAGE sql AS 'SELECT x * 2'");
            s.execute("GRANT EXECUTE ON FUNCTION public.aff_double(int) TO " + cluster.user());
        }
        // The JVM's topology of this cluster may predate the tenant (another test class loaded it less
        // than a refresh interval ago): wait until it knows where the tenant lives.
        Served.awaitTenants(Served.url(cluster, "tenantRouting=affinity"), Served.app(cluster), tenant);
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(tenant);
    }

    /** A connection pinned to the tenant, through the coordinator or with affinity. */
    private static Connection connect(boolean affinity) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        Connection c = DriverManager.getConnection(Served.url(cluster, affinity ? "tenantRouting=affinity" : null), p);
        c.setSchema(tenant);
        return c;
    }

    /** Runs {@code sql} in the tenant; returns "OK" or the SQLState and first line of the error. */
    private static String run(boolean affinity, String sql) throws SQLException {
        try (Connection c = connect(affinity); Statement s = c.createStatement()) {
            String outcome;
            try {
                s.execute(sql);
                outcome = "OK";
            } catch (SQLException e) {
                outcome = e.getSQLState() + " " + e.getMessage().split("\n")[0];
            }
            if (affinity) {
                ServedBy by = c.unwrap(CitusConnection.class).lastServedBy();
                assertEquals(cluster.worker(1).port(), by.address().port(), "routed to the tenant's worker: " + by);
            }
            return outcome;
        }
    }

    @Test
    void aSerialIntColumnCannotBeFilledOnAWorker() throws SQLException {
        String sql = "INSERT INTO s_int (v) VALUES ('x')";
        assertEquals("OK", run(false, sql));
        String onWorker = run(true, sql);
        assertTrue(onWorker.startsWith("XX000") && onWorker.contains("not supported for column defaults of type int"),
                onWorker);
    }

    @Test
    void aTableOnlyOnTheCoordinatorIsNotThereOnTheWorker() throws SQLException {
        String sql = "SELECT s.v, c.label FROM s_big s JOIN public.aff_coordinator_only c ON c.k = s.id";
        assertEquals("OK", run(false, sql), "Citus joins it on the coordinator");
        String onWorker = run(true, sql);
        assertTrue(onWorker.startsWith("42P01"), onWorker);
    }

    /** Citus gives each worker its own range of a bigserial sequence: values beyond the int range. */
    @Test
    void bigserialValuesMadeOnAWorkerComeFromThatWorkersRange() throws SQLException {
        assertTrue(insertedId(false) < Integer.MAX_VALUE, "on the coordinator: the sequence's own values");
        assertTrue(insertedId(true) > Integer.MAX_VALUE, "on the worker: its group's range (group << 48)");
    }

    private static long insertedId(boolean affinity) throws SQLException {
        try (Connection c = connect(affinity); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("INSERT INTO s_big (v) VALUES ('r') RETURNING id")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void bigserialIdentitySequencesAndPropagatedFunctionsWorkOnTheWorker() throws SQLException {
        for (String sql : List.of("INSERT INTO s_big (v) VALUES ('x')", "INSERT INTO ident (v) VALUES ('x')",
                "INSERT INTO uses_seq (v) VALUES ('x')", "SELECT nextval('own_seq')", "SELECT public.aff_double(21)",
                "SELECT count(*) FROM s_big WHERE public.aff_double(1) = 2")) {
            assertEquals("OK", run(false, sql), sql);
            assertEquals("OK", run(true, sql), sql);
        }
    }
}
