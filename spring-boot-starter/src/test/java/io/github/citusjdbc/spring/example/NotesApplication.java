package io.github.citusjdbc.spring.example;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.ServedBy;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter's example: a notes service, one Citus distributed schema per tenant. The tenant comes
 * from the path ({@code citus.tenant.path-variable=tenant}) or the {@code X-Tenant} header
 * ({@code citus.tenant.header}); reads are {@code @Transactional(readOnly = true)} and so run on the
 * tenant's standby; with {@code citus.read-your-writes=tenant} a read right after a write sees it.
 * Every answer says which tenant, route and node served it. Two reads are asynchronous: a
 * {@code Callable} run by Spring MVC's executor (the starter binds the tenant there) and a
 * {@code CompletableFuture} on the application's executor (the application carries the tenant). Run against any Citus 12 cluster with
 * {@code spring.datasource.url=jdbc:citus://...}; {@code NotesApplicationTest} runs it on the test kit's.
 */
@SpringBootApplication
public class NotesApplication {

    public static void main(String[] args) {
        SpringApplication.run(NotesApplication.class, args);
    }

    /** The notes API. */
    @RestController
    static class Notes {
        private final JdbcTemplate jdbc;
        private final DataSource dataSource;
        private final TransactionTemplate readOnly;
        private final Executor executor;

        Notes(JdbcTemplate jdbc, DataSource dataSource, PlatformTransactionManager transactions,
              @Qualifier("applicationTaskExecutor") Executor executor) {
            this.jdbc = jdbc;
            this.dataSource = dataSource;
            this.readOnly = new TransactionTemplate(transactions);
            this.readOnly.setReadOnly(true);
            this.executor = executor;
        }

        @PostMapping("/tenants/{tenant}/notes")
        @Transactional
        Map<String, Object> add(@PathVariable("tenant") String tenant, @RequestBody String text) {
            Long id = jdbc.queryForObject("INSERT INTO notes (body) VALUES (?) RETURNING id", Long.class, text);
            return served(Map.of("id", id));
        }

        @GetMapping("/tenants/{tenant}/notes/{id}")
        @Transactional(readOnly = true)
        Map<String, Object> get(@PathVariable("tenant") String tenant, @PathVariable("id") long id) {
            String body = jdbc.queryForObject("SELECT body FROM notes WHERE id = ?", String.class, id);
            return served(Map.of("body", body));
        }

        @GetMapping("/notes/count")
        @Transactional(readOnly = true)
        Map<String, Object> count() {
            return served(Map.of("count", jdbc.queryForObject("SELECT count(*) FROM notes", Long.class)));
        }

        /** {@link #get} on Spring MVC's async executor: the starter binds the request's tenant on that thread. */
        @GetMapping("/tenants/{tenant}/notes/{id}/async")
        Callable<Map<String, Object>> getAsync(@PathVariable("tenant") String tenant, @PathVariable("id") long id) {
            return () -> readOnly.execute(tx -> onThread(served(Map.of("body",
                    jdbc.queryForObject("SELECT body FROM notes WHERE id = ?", String.class, id)))));
        }

        /**
         * {@link #count} on the application's own executor: nothing binds the tenant there, so the
         * handler captures it and binds it around the work (docs/spring-boot.md, "Asynchronous requests").
         */
        @GetMapping("/notes/count/async")
        CompletableFuture<Map<String, Object>> countAsync() {
            String tenant = CitusTenants.current();
            return CompletableFuture.supplyAsync(() -> inTenant(tenant, () -> readOnly.execute(tx -> onThread(served(
                    Map.of("count", jdbc.queryForObject("SELECT count(*) FROM notes", Long.class)))))), executor);
        }

        private static <T> T inTenant(String tenant, Supplier<T> work) {
            if (tenant == null) {
                return work.get();
            }
            try (CitusTenants.Scope scope = CitusTenants.bind(tenant)) {
                return work.get();
            } catch (SQLException invalid) { // cannot happen: the request bound this name already
                throw new IllegalArgumentException(invalid.getMessage(), invalid);
            }
        }

        private static Map<String, Object> onThread(Map<String, Object> answer) {
            answer.put("thread", Thread.currentThread().getName());
            return answer;
        }

        /** The answer plus where it came from: the transaction's connection says, without a round trip. */
        private Map<String, Object> served(Map<String, Object> answer) {
            ServedBy by;
            try {
                by = DataSourceUtils.getConnection(dataSource).unwrap(CitusConnection.class).lastServedBy();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            Map<String, Object> out = new LinkedHashMap<>(answer);
            out.put("tenant", CitusTenants.current());
            out.put("route", by == null ? "WRITE_COORDINATOR" : by.reason());
            out.put("node", by == null || by.address() == null ? "coordinator (URL)" : by.address().toString());
            return out;
        }
    }
}
