package io.github.citusjdbc.topology;

import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A catalog that the test changes at will; stands in for the server to test the cache logic only. */
final class FakeSource implements TopologySource {

    volatile List<Node> nodes = List.of(node(1, 0, 9700, NodeRole.PRIMARY), node(2, 1, 9701, NodeRole.PRIMARY),
            node(3, 1, 9711, NodeRole.SECONDARY));
    volatile Map<String, Integer> tenants = Map.of("tenant_a", 1);
    volatile boolean citus = true;
    volatile SQLException failure;
    volatile Runnable duringRead = () -> { };
    final AtomicInteger reads = new AtomicInteger();
    volatile boolean closed;

    static Node node(int id, int group, int port, NodeRole role) {
        return new Node(id, group, new NodeAddress("10.0.0." + id, port), role, true, "default", group != 0);
    }

    @Override
    public CatalogRead read(long version) throws SQLException {
        reads.incrementAndGet();
        duringRead.run();
        if (failure != null) {
            throw failure;
        }
        if (!citus) {
            return new CatalogRead.NotCitus(false);
        }
        return new CatalogRead.Citus(new Topology(version, nodes, tenants), true, false);
    }

    @Override
    public void close() {
        closed = true;
    }
}
