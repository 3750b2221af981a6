package io.github.citusjdbc.examples;

import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.Connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spring Boot with {@code spring.datasource.url=jdbc:citus:...} and {@code driver-class-name}: its
 * auto-configured HikariCP pool hands out citus-jdbc connections, and a read-only transaction
 * ({@code @Transactional(readOnly = true)} does the same through the transaction manager) reaches a standby.
 */
class SpringBootTest {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
    }

    @Test
    void springDatasourceUrlWithJdbcCitusWorksAndReadOnlyTransactionsReachAStandby() throws Exception {
        LocalCluster cluster = LocalCluster.shared();
        ClusterNode coord = cluster.coordinator();
        SpringApplication app = new SpringApplication(App.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext ctx = app.run(
                "--spring.main.banner-mode=off",
                "--spring.datasource.url=jdbc:citus://" + coord.host() + ":" + coord.port() + "/" + cluster.database(),
                "--spring.datasource.username=" + cluster.user(),
                "--spring.datasource.password=" + cluster.password(),
                "--spring.datasource.driver-class-name=io.github.citusjdbc.CitusDriver",
                "--spring.datasource.hikari.maximum-pool-size=2")) {
            DataSource ds = ctx.getBean(DataSource.class);
            assertInstanceOf(HikariDataSource.class, ds, "Spring Boot's default pool");
            try (Connection c = ds.getConnection()) {
                assertTrue(c.isWrapperFor(CitusConnection.class), "the pool must hand out citus-jdbc connections");
            }
            JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
            assertEquals(coord.port(), jdbc.queryForObject("SELECT inet_server_port()", Integer.class));

            TransactionTemplate readOnly = new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
            readOnly.setReadOnly(true);
            Integer port = readOnly.execute(status -> jdbc.queryForObject(
                    "SELECT inet_server_port() FROM pg_dist_node WHERE pg_is_in_recovery() LIMIT 1", Integer.class));
            assertNotNull(port, "a read-only transaction must run on a standby");
            assertEquals(cluster.standbyOf(coord).port(), port, "no tenant: the coordinator's standby");

            TransactionTemplate readWrite = new TransactionTemplate(ctx.getBean(PlatformTransactionManager.class));
            Integer writePort = readWrite.execute(status -> jdbc.queryForObject("SELECT inet_server_port()", Integer.class));
            assertEquals(coord.port(), writePort, "read-write transactions stay on the coordinator");
        }
    }
}
