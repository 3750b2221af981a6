package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The cluster as the driver sees it, for Spring Boot's health endpoint ({@code citus}): UP with the
 * topology version and age, the nodes, and the nodes routing avoids after a failure; DOWN when no
 * connection can be opened; UNKNOWN when the data source does not route (plain PostgreSQL). Opens
 * one connection per check (from the pool).
 */
final class CitusHealthIndicator extends AbstractHealthIndicator {

    private final DataSource dataSource;

    CitusHealthIndicator(DataSource dataSource) {
        super("citus-jdbc health check failed");
        this.dataSource = dataSource;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws SQLException {
        CitusMetrics m;
        try (Connection c = dataSource.getConnection()) {
            m = c.isWrapperFor(CitusConnection.class) ? c.unwrap(CitusConnection.class).metrics() : null;
        }
        if (m == null) {
            builder.unknown().withDetail("routing", "off (not Citus, or nothing to route)");
            return;
        }
        builder.up()
                .withDetail("topologyVersion", m.getTopologyVersion())
                .withDetail("topologyAgeMillis", m.getTopologyAgeMillis())
                .withDetail("nodes", m.getNodes())
                .withDetail("unhealthyNodes", m.getUnhealthyNodes());
    }
}
