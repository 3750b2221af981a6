package io.github.citusjdbc.spring.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.request;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/**
 * The starter's example application on the test kit's real Citus cluster, through MockMvc: the tenant
 * of each request from its path or header, reads on the tenant's standby, a read right after a write
 * that sees it (read-your-writes), a bad tenant refused with 400, asynchronous requests (a
 * {@code Callable} and a {@code CompletableFuture}) that run in the tenant and leave it bound on no
 * thread, the metrics in Micrometer and the {@code citus} health indicator. MVC's executor has one
 * thread, so a task run on it afterwards sees what the request's work left on that thread.
 */
@SpringBootTest(classes = NotesApplication.class, properties = {"spring.main.banner-mode=off",
        "citus.tenant.path-variable=tenant", "citus.tenant.header=X-Tenant", "citus.read-your-writes=tenant",
        "citus.topology-refresh-interval=1s", "spring.application.name=notes",
        "spring.task.execution.pool.core-size=1", "spring.task.execution.thread-name-prefix=notes-async-",
        NotesApplicationTest.WITHOUT_SPRING_SECURITY})
@AutoConfigureMockMvc
class NotesApplicationTest {

    /** Spring Security is on the test class path for {@code TenantFromJwtTest}; this service runs without it. */
    static final String WITHOUT_SPRING_SECURITY = "spring.autoconfigure.exclude="
            + "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration,"
            + "org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration";
    private static final String TENANT = "notes_a";
    private static LocalCluster cluster;
    private static ClusterNode standby;
    private final ObjectMapper json = new ObjectMapper();

    @Autowired
    private MockMvc mvc;
    @Autowired
    private MeterRegistry meters;
    @Autowired
    @Qualifier("applicationTaskExecutor")
    private ThreadPoolTaskExecutor executor;
    @Autowired
    @Qualifier("citusHealthIndicator")
    private HealthIndicator health;

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry r) throws SQLException {
        cluster = LocalCluster.shared();
        standby = cluster.standbyOf(cluster.worker(1));
        cluster.citus().createTenant(TENANT, cluster.worker(1),
                List.of("CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text)"), cluster.user());
        cluster.waitForReplay(cluster.worker(1), standby);
        r.add("spring.datasource.url", () -> "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database());
        r.add("spring.datasource.username", cluster::user);
        r.add("spring.datasource.password", cluster::password);
    }

    @BeforeAll
    static void nothingBound() {
        assertEquals(null, CitusTenants.current());
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(TENANT);
    }

    private Map<?, ?> call(org.springframework.test.web.servlet.RequestBuilder request) throws Exception {
        String body = mvc.perform(request).andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        return json.readValue(body, Map.class);
    }

    @Test
    void aNoteWrittenIsReadAtOnceAndLaterFromTheTenantsStandby() throws Exception {
        Map<?, ?> added = call(post("/tenants/" + TENANT + "/notes").content("first"));
        assertEquals(TENANT, added.get("tenant"));
        long id = ((Number) added.get("id")).longValue();

        Map<?, ?> read = call(get("/tenants/" + TENANT + "/notes/" + id));
        assertEquals("first", read.get("body"), "read-your-writes: the write is seen at once");
        assertTrue(List.of("READ_TENANT_SECONDARY", "READ_OWN_WRITES_PRIMARY").contains(read.get("route")), read.toString());
        assertEquals(null, CitusTenants.current(), "the request's tenant does not outlive it");

        cluster.waitForReplay(cluster.worker(1), standby);
        Map<?, ?> later = call(get("/tenants/" + TENANT + "/notes/" + id));
        assertEquals("READ_TENANT_SECONDARY", later.get("route"), later.toString());
        assertEquals(standby.address().toString(), later.get("node"));

        Map<?, ?> counted = call(get("/notes/count").header("X-Tenant", TENANT));
        assertEquals(TENANT, counted.get("tenant"), "the header names the tenant");
        assertTrue(((Number) counted.get("count")).longValue() >= 1);
    }

    @Test
    void aCallableRunsInTheRequestsTenantAndNoThreadKeepsTheTenantAfterwards() throws Exception {
        long id = ((Number) call(post("/tenants/" + TENANT + "/notes").content("later")).get("id")).longValue();

        MvcResult started = mvc.perform(get("/tenants/" + TENANT + "/notes/" + id + "/async"))
                .andExpect(request().asyncStarted()).andReturn();
        assertEquals(null, CitusTenants.current(), "released on the container thread once the Callable is handed over");
        Map<?, ?> read = json.readValue(mvc.perform(asyncDispatch(started)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(), Map.class);

        assertEquals("later", read.get("body"), "the Callable's SQL read the tenant's schema");
        assertEquals(TENANT, read.get("tenant"));
        assertTrue(((String) read.get("thread")).startsWith("notes-async-"), "run on MVC's executor: " + read);
        assertEquals(null, CitusTenants.current(), "released after the async re-dispatch");
        assertEquals(null, executor.submit(CitusTenants::current).get(), "released on the executor's thread");
    }

    @Test
    void aFutureOnTheApplicationsExecutorRunsInTheTenantTheHandlerCarriedThere() throws Exception {
        call(post("/tenants/" + TENANT + "/notes").content("counted"));
        MvcResult started = mvc.perform(get("/notes/count/async").header("X-Tenant", TENANT))
                .andExpect(request().asyncStarted()).andReturn();
        Map<?, ?> counted = json.readValue(mvc.perform(asyncDispatch(started)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString(), Map.class);

        assertEquals(TENANT, counted.get("tenant"), counted.toString());
        assertTrue(((Number) counted.get("count")).longValue() >= 1, "notes counted in the tenant's schema");
        assertTrue(((String) counted.get("thread")).startsWith("notes-async-"), counted.toString());
        assertEquals(null, CitusTenants.current());
        assertEquals(null, executor.submit(CitusTenants::current).get());
    }

    @Test
    void anInvalidTenantIsRefusedBeforeAnySql() throws Exception {
        mvc.perform(get("/notes/count").header("X-Tenant", "no such;tenant")).andExpect(status().isBadRequest());
        assertEquals(null, CitusTenants.current());
    }

    @Test
    void theDriversMetricsAreInMicrometerAndTheHealthIndicatorShowsTheCluster() throws Exception {
        double before = meters.get("citus.units").tag("reason", "READ_TENANT_SECONDARY").tag("cluster", "notes")
                .functionCounter().count();
        cluster.waitForReplay(cluster.worker(1), standby);
        call(get("/notes/count").header("X-Tenant", TENANT));
        double after = meters.get("citus.units").tag("reason", "READ_TENANT_SECONDARY").functionCounter().count();
        assertEquals(1.0, after - before, 0.0, "one read-only unit on the standby");

        Health h = health.health();
        assertEquals(Status.UP, h.getStatus(), h.toString());
        assertEquals(5, ((List<?>) h.getDetails().get("nodes")).size(), h.toString());
        assertEquals(List.of(), h.getDetails().get("unhealthyNodes"));
    }
}
