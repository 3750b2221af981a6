package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.micrometer.CitusMeterBinder;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * citus-jdbc in Spring Boot: {@code spring.datasource.url=jdbc:citus:...} works without this starter;
 * with it the application also gets the typed {@code citus.*} properties ({@link CitusProperties}),
 * the tenant of each request bound from a header, a path variable or a verified JWT claim (also
 * while its {@code Callable} runs on another thread), the driver's metrics in Micrometer and a
 * {@code citus} health indicator. {@code @Transactional(readOnly = true)} needs nothing: Spring
 * calls {@code setReadOnly(true)}, which routes the transaction to a standby.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@EnableConfigurationProperties(CitusProperties.class)
public class CitusAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CitusAutoConfiguration.class);

    /** @return the post-processor giving the {@code citus.*} driver properties to the data sources */
    @Bean
    static CitusDataSourcePostProcessor citusDataSourcePostProcessor(ObjectProvider<CitusProperties> properties) {
        return new CitusDataSourcePostProcessor(properties);
    }

    /**
     * Binds each request's tenant in Spring MVC applications that name a header, a path variable or
     * a JWT claim, also on the threads running the request's {@code Callable}s.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(WebMvcConfigurer.class)
    @ConditionalOnExpression("'${citus.tenant.header:}' != '' or '${citus.tenant.path-variable:}' != ''"
            + " or '${citus.tenant.jwt-claim:}' != ''")
    static class TenantPerRequest {
        @Bean
        WebMvcConfigurer citusTenantPerRequest(CitusProperties properties, ObjectProvider<VerifiedClaim> verifiedClaim) {
            CitusProperties.Tenant tenant = properties.getTenant();
            String jwtClaim = blankToNull(tenant.getJwtClaim());
            VerifiedClaim claim = jwtClaim == null ? null : verifiedClaim.getIfAvailable();
            if (jwtClaim != null && claim == null) {
                throw new IllegalStateException("citus.tenant.jwt-claim=" + jwtClaim + " reads the claim of a JWT verified by"
                        + " Spring Security's OAuth2 resource server, which is not on the class path: add"
                        + " org.springframework.boot:spring-boot-starter-oauth2-resource-server");
            }
            CitusTenantInterceptor interceptor = new CitusTenantInterceptor(blankToNull(tenant.getHeader()),
                    blankToNull(tenant.getPathVariable()), claim);
            CitusTenantCallableInterceptor onAsyncThread = new CitusTenantCallableInterceptor();
            return new WebMvcConfigurer() {
                @Override
                public void addInterceptors(InterceptorRegistry registry) {
                    registry.addInterceptor(interceptor);
                }

                @Override
                public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
                    configurer.registerCallableInterceptors(onAsyncThread);
                }
            };
        }
    }

    /** {@code citus.tenant.jwt-claim}: the only place that loads {@link JwtTenantClaim} and so Spring Security. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({JwtAuthenticationToken.class, Jwt.class})
    @ConditionalOnExpression("'${citus.tenant.jwt-claim:}' != ''")
    static class TenantFromJwt {
        @Bean
        VerifiedClaim citusTenantJwtClaim(CitusProperties properties) {
            return new JwtTenantClaim(blankToNull(properties.getTenant().getJwtClaim()));
        }
    }

    /** The driver's metrics of the data source's cluster, in Micrometer, tagged {@code cluster=<spring.application.name>}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    @ConditionalOnBean(DataSource.class)
    static class Metrics {
        @Bean
        @ConditionalOnMissingBean(name = "citusMeterBinder")
        MeterBinder citusMeterBinder(DataSource dataSource,
                                     @org.springframework.beans.factory.annotation.Value("${spring.application.name:application}") String name) {
            return registry -> {
                CitusMetrics metrics = metricsOf(dataSource);
                if (metrics != null) {
                    new CitusMeterBinder(metrics, name).bindTo(registry);
                }
            };
        }
    }

    /** The {@code citus} health indicator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    @ConditionalOnBean(DataSource.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "citusHealthIndicator")
        HealthIndicator citusHealthIndicator(DataSource dataSource) {
            return new CitusHealthIndicator(dataSource);
        }
    }

    /** @return the data source's cluster metrics; null when it does not route or cannot connect now */
    static CitusMetrics metricsOf(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return c.isWrapperFor(CitusConnection.class) ? c.unwrap(CitusConnection.class).metrics() : null;
        } catch (SQLException e) {
            LOG.warn("citus-jdbc metrics not registered: no connection at startup ({})", e.getSQLState());
            return null;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
