package io.github.citusjdbc.spring;

import com.zaxxer.hikari.HikariDataSource;
import io.github.citusjdbc.CitusDataSource;
import java.sql.SQLException;
import java.util.Map;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Gives the {@code citus.*} driver properties to the application's data sources before they open a
 * connection: a HikariCP pool whose {@code jdbcUrl} is a {@code jdbc:citus:} URL (Spring Boot's
 * default) gets them as data source properties, which HikariCP passes to the driver with every
 * connect; a {@link CitusDataSource} gets them with {@code setProperty}. Other data sources are left
 * alone.
 */
final class CitusDataSourcePostProcessor implements BeanPostProcessor {

    private final ObjectProvider<CitusProperties> properties;

    CitusDataSourcePostProcessor(ObjectProvider<CitusProperties> properties) {
        this.properties = properties;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        if (bean instanceof HikariDataSource hikari && hikari.getJdbcUrl() != null
                && hikari.getJdbcUrl().startsWith("jdbc:citus:")) {
            driverProperties().forEach(hikari::addDataSourceProperty);
        } else if (bean instanceof CitusDataSource citus) {
            for (Map.Entry<String, String> e : driverProperties().entrySet()) {
                try {
                    citus.setProperty(e.getKey(), e.getValue());
                } catch (SQLException ex) {
                    throw new IllegalStateException("citus." + e.getKey() + ": " + ex.getMessage(), ex);
                }
            }
        }
        return bean;
    }

    private Map<String, String> driverProperties() {
        return properties.getObject().driverProperties();
    }
}
