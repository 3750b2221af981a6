package io.github.citusjdbc.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The starter's wiring without a server: {@code citus.*} properties reach the pool's driver
 * properties, a bad value fails at the first connect with the driver's SQLState, the driver class is
 * filled in for {@code jdbc:citus:} URLs only, the tenant's JWT claim is wired only with Spring
 * Security (and asked for without it, startup fails saying what to add), and the IDE metadata
 * describes the properties.
 */
class CitusAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, CitusAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:citus://127.0.0.1:1/app",
                    "spring.datasource.driver-class-name=io.github.citusjdbc.CitusDriver",
                    "spring.datasource.username=app");

    @Test
    void typedAndFreeFormPropertiesReachThePool() {
        runner.withPropertyValues("citus.tenant-routing=affinity", "citus.read-your-writes=tenant",
                "citus.driver.nodeSelector=random").run(ctx -> {
                    HikariDataSource ds = ctx.getBean(HikariDataSource.class);
                    assertEquals("affinity", ds.getDataSourceProperties().getProperty("tenantRouting"));
                    assertEquals("tenant", ds.getDataSourceProperties().getProperty("readYourWrites"));
                    assertEquals("random", ds.getDataSourceProperties().getProperty("nodeSelector"));
                    assertFalse(ds.getDataSourceProperties().containsKey("readRouting"), "unset: the driver's default");
                });
    }

    @Test
    void aBadValueFailsAtTheFirstConnectNamingTheProperty() {
        runner.withPropertyValues("citus.read-routing=sideways").run(ctx -> {
            HikariDataSource ds = ctx.getBean(HikariDataSource.class);
            Exception e = assertThrows(Exception.class, ds::getConnection); // HikariCP wraps the first failure
            Throwable cause = e;
            while (cause != null && !(cause instanceof SQLException s && "22023".equals(s.getSQLState()))) {
                cause = cause.getCause();
            }
            assertTrue(cause != null, "the driver's 22023 in " + e);
            assertTrue(cause.getMessage().contains("readRouting"), cause.getMessage());
        });
    }

    @Test
    void theDriverClassIsFilledInForCitusUrlsOnly() {
        StandardEnvironment env = new StandardEnvironment();
        new CitusEnvironmentPostProcessor().postProcessEnvironment(env, null);
        assertEquals(null, env.getProperty("spring.datasource.driver-class-name"));
        System.setProperty("spring.datasource.url", "jdbc:citus://h/db");
        try {
            assertEquals("io.github.citusjdbc.CitusDriver", env.getProperty("spring.datasource.driver-class-name"));
            System.setProperty("spring.datasource.driver-class-name", "org.example.Other");
            assertEquals("org.example.Other", env.getProperty("spring.datasource.driver-class-name"), "a given one wins");
        } finally {
            System.clearProperty("spring.datasource.url");
            System.clearProperty("spring.datasource.driver-class-name");
        }
    }

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(CitusAutoConfiguration.class));

    @Test
    void aJwtClaimBindsTheTenantFromSpringSecuritysVerifiedToken() {
        web.withPropertyValues("citus.tenant.jwt-claim=tenant").run(ctx -> {
            assertTrue(ctx.getBean("citusTenantJwtClaim") instanceof JwtTenantClaim);
            assertTrue(ctx.containsBean("citusTenantPerRequest"), "a claim alone turns the interceptor on");
        });
    }

    @Test
    void withoutSpringSecurityTheHeaderWorksAndNoJwtCodeIsWired() {
        web.withClassLoader(new FilteredClassLoader("org.springframework.security")).withPropertyValues(
                "citus.tenant.header=X-Tenant").run(ctx -> {
                    assertTrue(ctx.containsBean("citusTenantPerRequest"));
                    assertFalse(ctx.containsBean("citusTenantJwtClaim"));
                });
    }

    @Test
    void aJwtClaimWithoutSpringSecurityFailsAtStartupNamingWhatToAdd() {
        web.withClassLoader(new FilteredClassLoader(JwtAuthenticationToken.class)).withPropertyValues(
                "citus.tenant.jwt-claim=tenant").run(ctx -> {
                    Throwable failure = ctx.getStartupFailure();
                    assertTrue(failure != null, "the context must not start");
                    while (failure.getCause() != null) {
                        failure = failure.getCause();
                    }
                    assertTrue(failure.getMessage().contains("citus.tenant.jwt-claim=tenant")
                            && failure.getMessage().contains("spring-boot-starter-oauth2-resource-server"), failure.getMessage());
                });
    }

    @Test
    void theIdeMetadataDescribesTheProperties() throws Exception {
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (String name : new String[] {"citus.read-your-writes", "citus.tenant-routing", "citus.tenant.header",
                    "citus.tenant.path-variable", "citus.tenant.jwt-claim", "citus.driver"}) {
                assertTrue(json.contains("\"name\": \"" + name + "\""), name + " in " + json);
            }
            assertTrue(json.contains("read-only work sees this JVM's committed writes"), "descriptions from the Javadoc");
            assertTrue(json.contains("only a token Spring Security verified counts"), json);
        }
    }
}
