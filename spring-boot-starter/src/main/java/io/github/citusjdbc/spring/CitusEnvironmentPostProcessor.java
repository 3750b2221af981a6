package io.github.citusjdbc.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * Spring Boot finds a JDBC driver class from the URL's prefix and does not know {@code jdbc:citus:}:
 * without this, {@code spring.datasource.url=jdbc:citus:...} also needs
 * {@code spring.datasource.driver-class-name=io.github.citusjdbc.CitusDriver}. With the starter the
 * driver class is filled in when the URL is a citus-jdbc one and none is given: the property source
 * is added last (a given driver class wins) and looks the URL up when asked, so a URL added later
 * (a test's {@code @DynamicPropertySource}) counts too.
 */
public final class CitusEnvironmentPostProcessor implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new DriverClass(environment));
    }

    /**
     * Answers {@code spring.datasource.driver-class-name} for {@code jdbc:citus:} URLs only. Its source
     * is not the environment itself: Spring Boot descends into property sources whose source is an
     * environment, which would then loop forever.
     */
    static final class DriverClass extends PropertySource<Object> {
        static final String URL = "spring.datasource.url";
        static final String DRIVER = "spring.datasource.driver-class-name";
        private final ConfigurableEnvironment environment;

        DriverClass(ConfigurableEnvironment environment) {
            super("citus-jdbc driver class", new Object());
            this.environment = environment;
        }

        @Override
        public Object getProperty(String name) {
            if (!DRIVER.equals(name)) {
                return null;
            }
            String url = environment.getProperty(URL);
            return url != null && url.startsWith("jdbc:citus:") ? "io.github.citusjdbc.CitusDriver" : null;
        }
    }
}
