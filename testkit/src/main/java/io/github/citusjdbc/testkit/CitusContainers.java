package io.github.citusjdbc.testkit;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Real Citus in Docker through Testcontainers ({@code citusdata/citus}): a coordinator and two
 * workers on a private network. Selected with {@code CITUS_TESTKIT_BACKEND=testcontainers}
 * where Docker runs (not on the project's CI machines, which have no Docker engine). No standbys
 * and no PgBouncer: tests that need them fail on this backend, by design of the strict mode.
 *
 * <p>The workers are registered in {@code pg_dist_node} under their network aliases, which the
 * client cannot resolve; the nodes handed to tests carry the mapped loopback ports instead, and
 * a driver under test needs {@code nodeAddressMap} for them.
 */
final class CitusContainers {
    static final String IMAGE = System.getenv().getOrDefault("CITUS_TESTKIT_IMAGE", "citusdata/citus:12.1");
    private static final String PASSWORD = "kit-admin-pw";

    private CitusContainers() {
    }

    static LocalCluster start() {
        Network network = Network.newNetwork();
        List<GenericContainer<?>> containers = new ArrayList<>();
        try {
            for (String alias : List.of("coordinator", "worker1", "worker2")) {
                GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(IMAGE))
                        .withNetwork(network)
                        .withNetworkAliases(alias)
                        .withEnv("POSTGRES_PASSWORD", PASSWORD)
                        .withEnv("POSTGRES_DB", LocalCluster.DATABASE)
                        .withExposedPorts(5432)
                        .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
                containers.add(c);
            }
            containers.forEach(GenericContainer::start);
            List<ClusterNode> nodes = new ArrayList<>();
            for (int i = 0; i < containers.size(); i++) {
                GenericContainer<?> c = containers.get(i);
                nodes.add(new ClusterNode(i == 0 ? "coordinator" : "worker" + i, i == 0 ? NodeRole.COORDINATOR : NodeRole.WORKER,
                        i, c.getHost(), c.getMappedPort(5432), -1, null));
            }
            ClusterNode coord = nodes.get(0);
            try (Connection conn = ClusterConnections.connect(coord.host(), coord.port(), LocalCluster.DATABASE, "postgres", PASSWORD);
                 Statement s = conn.createStatement()) {
                s.execute("CREATE ROLE " + LocalCluster.APP_USER + " LOGIN PASSWORD 'app-pw'");
                s.execute("GRANT ALL ON DATABASE " + LocalCluster.DATABASE + " TO " + LocalCluster.APP_USER);
                s.execute("GRANT ALL ON SCHEMA public TO " + LocalCluster.APP_USER);
                // Registered under the network aliases: the addresses the coordinator itself resolves.
                s.execute("SELECT citus_set_coordinator_host('coordinator', 5432)");
                s.execute("SELECT citus_add_node('worker1', 5432)");
                s.execute("SELECT citus_add_node('worker2', 5432)");
            }
            ExistingCluster.Settings settings = new ExistingCluster.Settings(coord.host(), coord.port(), LocalCluster.DATABASE,
                    "postgres", PASSWORD, LocalCluster.APP_USER, "app-pw");
            LocalCluster cluster = LocalCluster.attach(settings, nodes, () -> {
                containers.forEach(GenericContainer::stop);
                network.close();
            });
            return cluster;
        } catch (SQLException | RuntimeException e) {
            containers.forEach(GenericContainer::stop);
            network.close();
            throw new IllegalStateException("cannot start Citus containers (" + IMAGE + "): " + e.getMessage(), e);
        }
    }
}
