package io.github.citusjdbc.benchmarks;

import com.github.benmanes.caffeine.cache.Ticker;
import io.github.citusjdbc.routing.NodeHealth;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.Router;
import io.github.citusjdbc.routing.RoutingSettings;
import io.github.citusjdbc.routing.WorkKind;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.topology.CatalogRead;
import io.github.citusjdbc.topology.ClusterTopology;
import io.github.citusjdbc.topology.ClusterView;
import io.github.citusjdbc.topology.LagMeasurer;
import io.github.citusjdbc.topology.RefreshScheduler;
import io.github.citusjdbc.topology.TopologySettings;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The routing decision of one unit of work (goal: &lt; 1 µs, no allocation), on a real
 * {@link ClusterView} of a {@link ClusterTopology} fed with a synthetic catalog of 100 nodes
 * (coordinator + 49 workers, each with a secondary) and 10,000 tenant schemas, lag measured (0)
 * for every secondary and {@code maxReplicationLag} set, so every check of the table runs. Each
 * invocation takes the next tenant of the 10,000 (the hash lookups see the whole map).
 *
 * <p>{@code viewOnly} is the floor every routed unit pays anyway: {@code lease.current()} and the
 * staleness check ({@code routingEnabled()}, one clock read).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RoutingDecisionBenchmark {

    static final int GROUPS = 50;
    static final int TENANTS = 10_000;

    private ClusterTopology topology;
    private Router plain;
    private Router affinity;
    private String[] tenants;

    /** Per-thread position in the tenant list. */
    @State(Scope.Thread)
    public static class Cursor {
        int i;

        String next(String[] tenants) {
            int n = i++;
            if (i == tenants.length) {
                i = 0;
            }
            return tenants[n];
        }
    }

    /** Loads the synthetic catalog into a real topology holder and builds two routers. */
    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        List<Node> nodes = new ArrayList<>();
        Map<Integer, Long> lags = new HashMap<>();
        int id = 1;
        for (int g = 0; g < GROUPS; g++) {
            nodes.add(new Node(id++, g, new NodeAddress("node-" + g + "-p.cluster.internal", 5432), NodeRole.PRIMARY, true,
                    "default", g != 0));
            lags.put(id, 0L);
            nodes.add(new Node(id++, g, new NodeAddress("node-" + g + "-s.cluster.internal", 5432), NodeRole.SECONDARY,
                    true, "default", true));
        }
        tenants = new String[TENANTS];
        Map<String, Integer> tenantGroups = new HashMap<>();
        for (int t = 0; t < TENANTS; t++) {
            tenants[t] = "tenant_" + t;
            tenantGroups.put(tenants[t], 1 + t % (GROUPS - 1));
        }
        Topology snapshot = new Topology(1, nodes, tenantGroups);
        List<Runnable> due = new ArrayList<>();
        RefreshScheduler manual = (task, delay) -> {
            if (delay == 0) {
                due.add(task);
            }
            return () -> { };
        };
        LagMeasurer fixedLag = (t, dial) -> lags;
        topology = new ClusterTopology("bench", TopologySettings.defaults(), new io.github.citusjdbc.topology.TopologySource() {
            @Override
            public CatalogRead read(long version) {
                return new CatalogRead.Citus(snapshot, true, false);
            }

            @Override
            public void close() {
            }
        }, fixedLag, Ticker.systemTicker(), manual);
        topology.start();
        due.remove(0).run();
        if (!topology.current().routingEnabled()) {
            throw new IllegalStateException("topology not loaded: " + topology.current());
        }
        RoutingSettings base = RoutingSettings.defaults().withMaxReplicationLag(16L << 20);
        plain = Router.create(base, NodeHealth.of(base, Ticker.systemTicker()), "default", "bench");
        RoutingSettings aff = base.withTenantRouting(RoutingSettings.TenantRouting.AFFINITY);
        affinity = Router.create(aff, NodeHealth.of(aff, Ticker.systemTicker()), "default", "bench");
    }

    /** Stops the holder. */
    @TearDown(Level.Trial)
    public void tearDown() {
        topology.close();
    }

    /** @return the floor: the current view and its staleness check */
    @Benchmark
    public boolean viewOnly() {
        return topology.current().routingEnabled();
    }

    /** @return read-only unit of a tenant: its group's secondary (route + ended) */
    @Benchmark
    public Route readOnlyTenant(Cursor c) throws SQLException {
        Route r = plain.route(topology.current(), c.next(tenants), true, WorkKind.DATA);
        plain.ended(r);
        return r;
    }

    /** @return read-only unit without a tenant: a coordinator secondary */
    @Benchmark
    public Route readOnlyNoTenant() throws SQLException {
        Route r = plain.route(topology.current(), null, true, WorkKind.DATA);
        plain.ended(r);
        return r;
    }

    /** @return read-write unit of a tenant with affinity: the tenant's primary */
    @Benchmark
    public Route writeAffinity(Cursor c) throws SQLException {
        Route r = affinity.route(topology.current(), c.next(tenants), false, WorkKind.DATA);
        affinity.ended(r);
        return r;
    }

    /** @return read-write unit, default settings: the coordinator (URL) */
    @Benchmark
    public Route writeCoordinator(Cursor c) throws SQLException {
        Route r = plain.route(topology.current(), c.next(tenants), false, WorkKind.DATA);
        plain.ended(r);
        return r;
    }
}
