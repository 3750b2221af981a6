package io.github.citusjdbc.spring.example;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusTenants;
import io.github.citusjdbc.ServedBy;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.annotation.Transactional;
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
 * Every answer says which tenant, route and node served it. Run against any Citus 12 cluster with
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

        Notes(JdbcTemplate jdbc, DataSource dataSource) {
            this.jdbc = jdbc;
            this.dataSource = dataSource;
        }

        @PostMapping("/tenants/{tenant}/notes")
        @Transactional
        Map<String, Object> add(@PathVariable("tenant") String tenant, @RequestBody String text) throws SQLException {
            Long id = jdbc.queryForObject("INSERT INTO notes (body) VALUES (?) RETURNING id", Long.class, text);
            return served(Map.of("id", id));
        }

        @GetMapping("/tenants/{tenant}/notes/{id}")
        @Transactional(readOnly = true)
        Map<String, Object> get(@PathVariable("tenant") String tenant, @PathVariable("id") long id) throws SQLException {
            String body = jdbc.queryForObject("SELECT body FROM notes WHERE id = ?", String.class, id);
            return served(Map.of("body", body));
        }

        @GetMapping("/notes/count")
        @Transactional(readOnly = true)
        Map<String, Object> count() throws SQLException {
            return served(Map.of("count", jdbc.queryForObject("SELECT count(*) FROM notes", Long.class)));
        }

        /** The answer plus where it came from: the transaction's connection says, without a round trip. */
        private Map<String, Object> served(Map<String, Object> answer) throws SQLException {
            ServedBy by = DataSourceUtils.getConnection(dataSource).unwrap(CitusConnection.class).lastServedBy();
            Map<String, Object> out = new LinkedHashMap<>(answer);
            out.put("tenant", CitusTenants.current());
            out.put("route", by == null ? "WRITE_COORDINATOR" : by.reason());
            out.put("node", by == null || by.address() == null ? "coordinator (URL)" : by.address().toString());
            return out;
        }
    }
}
