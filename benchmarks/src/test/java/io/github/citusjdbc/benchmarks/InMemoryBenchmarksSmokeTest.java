package io.github.citusjdbc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.routing.Route;
import org.junit.jupiter.api.Test;

/**
 * Runs the in-memory benchmarks (snapshot building, routing decisions) once, so that one whose
 * setup breaks fails the build, and checks each answers what it claims to measure.
 * {@code TopologyReadBenchmark} (10,000 schemas in its own cluster) is left to manual runs.
 */
class InMemoryBenchmarksSmokeTest {

    @Test
    void topologySnapshotBuildsAndComparesEqual() {
        TopologySnapshotBenchmark b = new TopologySnapshotBenchmark();
        b.setUp();
        assertEquals(TopologySnapshotBenchmark.TENANTS, b.build().tenantGroups().size());
        assertTrue(b.compareUnchanged());
    }

    @Test
    void routingDecisionsRouteWhereTheyClaim() throws Exception {
        RoutingDecisionBenchmark b = new RoutingDecisionBenchmark();
        b.setUp();
        try {
            RoutingDecisionBenchmark.Cursor c = new RoutingDecisionBenchmark.Cursor();
            assertTrue(b.viewOnly());
            Route readOnly = b.readOnlyTenant(c);
            Route affinity = b.writeAffinity(c);
            Route coordinator = b.writeCoordinator(c);
            Route noTenant = b.readOnlyNoTenant();
            assertTrue(readOnly.readsSecondary() && !readOnly.viaUrl(), readOnly.toString());
            assertTrue(!affinity.readsSecondary() && !affinity.viaUrl(), affinity.toString());
            assertTrue(coordinator.viaUrl(), coordinator.toString());
            assertTrue(noTenant.readsSecondary(), noTenant.toString());
            assertNotEquals(readOnly.dialAddress(), affinity.dialAddress(), "a secondary vs the tenant's primary");
        } finally {
            b.tearDown();
        }
    }
}
