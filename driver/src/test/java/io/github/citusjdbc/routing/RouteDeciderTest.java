package io.github.citusjdbc.routing;

import static io.github.citusjdbc.routing.FakeView.COORD;
import static io.github.citusjdbc.routing.FakeView.COORD_STANDBY;
import static io.github.citusjdbc.routing.FakeView.W1;
import static io.github.citusjdbc.routing.FakeView.W1_STANDBY;
import static io.github.citusjdbc.routing.FakeView.W2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.topology.ClusterView;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decision table of {@link RouteDecider}, on hand-built snapshots of the
 * test kit's shape: coordinator + standby (group 0), worker 1 + standby (group 1, tenant t1),
 * worker 2 without standby (group 2, tenant t2), and t0 without placement (group 0).
 */
class RouteDeciderTest {

    private final FakeTicker ticker = new FakeTicker();
    private final NodeHealth health = new NodeHealth(Duration.ofSeconds(1), Duration.ofSeconds(8), ticker);

    private RouteDecider decider(RoutingSettings s) {
        return new RouteDecider(s, health, new RoundRobinSelector(), "default");
    }

    private static RoutingSettings settings(boolean affinity, boolean fallbackError) {
        return RoutingSettings.defaults()
                .withTenantRouting(affinity ? RoutingSettings.TenantRouting.AFFINITY : RoutingSettings.TenantRouting.COORDINATOR)
                .withReadFallback(fallbackError ? RoutingSettings.ReadFallback.ERROR : RoutingSettings.ReadFallback.PRIMARY);
    }

    /** "host:REASON", "url:REASON" or "error:SQLSTATE". */
    private static String where(RouteDecider d, RoutingView v, String tenant, boolean readOnly, WorkKind kind) {
        try {
            Route r = d.decide(v, tenant, readOnly, kind);
            return (r.viaUrl() ? "url" : r.dialAddress().host()) + ":" + r.reason();
        } catch (SQLException e) {
            return "error:" + e.getSQLState();
        }
    }

    @ParameterizedTest(name = "affinity={0} fallback={1} coordStandby={2} readOnly={3} {4} tenant={5} -> {6}")
    @CsvSource({
            // read-write
            "false, primary, true,  false, DATA,        t1,   url:WRITE_COORDINATOR",
            "false, primary, true,  false, DATA,        ,     url:WRITE_COORDINATOR",
            "true,  primary, true,  false, DATA,        t1,   w1:WRITE_TENANT_PRIMARY",
            "true,  primary, true,  false, DATA,        t2,   w2:WRITE_TENANT_PRIMARY",
            "true,  primary, true,  false, DATA,        t0,   url:WRITE_TENANT_PRIMARY",
            "true,  primary, true,  false, DATA,        ,     url:WRITE_COORDINATOR",
            "true,  primary, true,  false, DATA,        nope, url:WRITE_COORDINATOR",
            "true,  primary, true,  false, GENERIC,     t1,   url:WRITE_COORDINATOR",
            "true,  primary, true,  false, COORDINATOR, t1,   url:COORDINATOR_STATEMENT",
            // read-only, tenant known with a secondary
            "false, primary, true,  true,  DATA,        t1,   w1-standby:READ_TENANT_SECONDARY",
            "true,  error,   false, true,  DATA,        t1,   w1-standby:READ_TENANT_SECONDARY",
            "false, primary, true,  true,  GENERIC,     t1,   w1-standby:READ_TENANT_SECONDARY",
            "false, primary, true,  true,  COORDINATOR, t1,   url:COORDINATOR_STATEMENT",
            // read-only, tenant known without a secondary
            "false, primary, true,  true,  DATA,        t2,   coord-standby:READ_COORDINATOR_SECONDARY",
            "false, primary, false, true,  DATA,        t2,   url:READ_FALLBACK_PRIMARY",
            "false, error,   false, true,  DATA,        t2,   error:08001",
            "true,  primary, true,  true,  DATA,        t2,   w2:READ_TENANT_PRIMARY",
            "true,  primary, true,  true,  GENERIC,     t2,   coord-standby:READ_COORDINATOR_SECONDARY",
            "true,  error,   true,  true,  DATA,        t2,   coord-standby:READ_COORDINATOR_SECONDARY",
            "true,  error,   false, true,  DATA,        t2,   error:08001",
            // read-only, tenant in the coordinator's group
            "false, primary, true,  true,  DATA,        t0,   coord-standby:READ_TENANT_SECONDARY",
            "true,  primary, false, true,  DATA,        t0,   url:READ_TENANT_PRIMARY",
            // read-only, no tenant (or one the snapshot does not know yet)
            "false, primary, true,  true,  DATA,        ,     coord-standby:READ_COORDINATOR_SECONDARY",
            "true,  primary, true,  true,  DATA,        nope, coord-standby:READ_COORDINATOR_SECONDARY",
            "false, primary, false, true,  DATA,        ,     url:READ_FALLBACK_PRIMARY",
            "true,  primary, false, true,  DATA,        ,     url:READ_FALLBACK_PRIMARY",
            "false, error,   false, true,  DATA,        ,     error:08001",
    })
    void decisionTable(boolean affinity, String fallback, boolean coordinatorStandby, boolean readOnly, WorkKind kind,
                       String tenant, String expected) {
        FakeView v = FakeView.kit();
        if (!coordinatorStandby) {
            v.without(COORD_STANDBY);
        }
        assertEquals(expected, where(decider(settings(affinity, fallback.equals("error"))), v, tenant, readOnly, kind));
    }

    /**
     * Every combination (affinity × fallback × coordinator standby × worker-1 standby × read-only ×
     * kind × tenant) against the table written as preference lists.
     */
    @Test
    void everyCombinationFollowsThePreferenceListsOfTheTable() {
        int checked = 0;
        for (boolean affinity : new boolean[] {false, true}) {
            for (boolean fallbackError : new boolean[] {false, true}) {
                for (boolean coordStandby : new boolean[] {false, true}) {
                    for (boolean w1Standby : new boolean[] {false, true}) {
                        FakeView v = FakeView.kit();
                        if (!coordStandby) {
                            v.without(COORD_STANDBY);
                        }
                        if (!w1Standby) {
                            v.without(W1_STANDBY);
                        }
                        RouteDecider d = decider(settings(affinity, fallbackError));
                        for (boolean ro : new boolean[] {false, true}) {
                            for (WorkKind kind : WorkKind.values()) {
                                for (String tenant : new String[] {null, "t0", "t1", "t2", "unknown"}) {
                                    String expected = expected(v, affinity, fallbackError, ro, kind, tenant);
                                    assertEquals(expected, where(d, v, tenant, ro, kind), "affinity=" + affinity
                                            + " fallbackError=" + fallbackError + " coordStandby=" + coordStandby
                                            + " w1Standby=" + w1Standby + " ro=" + ro + " " + kind + " " + tenant);
                                    checked++;
                                }
                            }
                        }
                    }
                }
            }
        }
        assertEquals(480, checked);
    }

    /** The table as preference lists: the first candidate that exists wins. */
    private static String expected(FakeView v, boolean affinity, boolean fallbackError, boolean ro, WorkKind kind,
                                   String tenant) {
        Integer group = tenant == null ? null : v.tenants.get(tenant);
        List<String> prefs = new ArrayList<>();
        if (kind == WorkKind.COORDINATOR) {
            return "url:COORDINATOR_STATEMENT";
        }
        boolean tenantPrimary = affinity && kind == WorkKind.DATA && group != null;
        if (!ro) {
            if (!tenantPrimary) {
                return "url:WRITE_COORDINATOR";
            }
            return group == 0 ? "url:WRITE_TENANT_PRIMARY" : primaryHost(group) + ":WRITE_TENANT_PRIMARY";
        }
        if (group != null) {
            secondaryHost(v, group).ifPresent(h -> prefs.add(h + ":READ_TENANT_SECONDARY"));
            if (tenantPrimary && !fallbackError) {
                prefs.add((group == 0 ? "url" : primaryHost(group)) + ":READ_TENANT_PRIMARY");
            }
        }
        if (group == null || group != 0) {
            secondaryHost(v, 0).ifPresent(h -> prefs.add(h + ":READ_COORDINATOR_SECONDARY"));
        }
        prefs.add(fallbackError ? "error:08001" : "url:READ_FALLBACK_PRIMARY");
        return prefs.get(0);
    }

    private static String primaryHost(int group) {
        return group == 1 ? "w1" : "w2";
    }

    private static java.util.Optional<String> secondaryHost(FakeView v, int group) {
        return v.nodes.stream().filter(n -> n.groupId() == group && n.role() == io.github.citusjdbc.spi.NodeRole.SECONDARY)
                .map(n -> n.address().host()).findFirst();
    }

    @ParameterizedTest(name = "affinity={0} fallbackError={1} {2} tenant={3} -> {4}")
    @CsvSource({
            "false, false, DATA,     t1, url:READ_OWN_WRITES_PRIMARY",
            "true,  false, DATA,     t1, w1:READ_OWN_WRITES_PRIMARY",
            "true,  false, DATA,     t2, w2:READ_OWN_WRITES_PRIMARY",
            "true,  false, DATA,     ,   url:READ_OWN_WRITES_PRIMARY",
            "true,  false, GENERIC,  t1, url:READ_OWN_WRITES_PRIMARY",
            "false, true,  DATA,     t1, error:08001",
            "true,  true,  DATA,     t1, error:08001",
    })
    void readsThatMustSeeTheApplicationsWritesGoToThePrimaryItsAffinityWouldUse(boolean affinity, boolean fallbackError,
                                                                              WorkKind kind, String tenant,
                                                                              String expected) {
        RouteDecider d = decider(settings(affinity, fallbackError));
        String actual;
        try {
            Route r = d.decideOwnWrites(FakeView.kit(), tenant, kind);
            actual = (r.viaUrl() ? "url" : r.dialAddress().host()) + ":" + r.reason();
        } catch (SQLException e) {
            actual = "error:" + e.getSQLState();
        }
        assertEquals(expected, actual);
    }

    /** {@code lastServedBy().fallbackCause()}: why read-only work did not run on its tenant group's secondary. */
    @Test
    void theFallbackCauseNamesWhyNoSecondaryOfTheGroupServed() throws SQLException {
        RouteDecider plain = decider(settings(false, false));
        FakeView kit = FakeView.kit();
        Route onStandby = plain.decide(kit, "t1", true, WorkKind.DATA);
        assertEquals(RouteReason.READ_TENANT_SECONDARY, onStandby.reason());
        assertEquals(null, plain.fallbackCause(kit, "t1", onStandby), "no fallback");
        assertEquals(-1, onStandby.lagBytes(), "lag not measured");

        Route t2 = plain.decide(kit, "t2", true, WorkKind.DATA);
        assertEquals(RouteReason.READ_COORDINATOR_SECONDARY, t2.reason());
        assertEquals("no secondary in the group", plain.fallbackCause(kit, "t2", t2));

        FakeView inactive = FakeView.kit().replace(FakeView.W1_STANDBY, FakeView.inactive(FakeView.W1_STANDBY));
        assertEquals("secondary w1-standby:5432 inactive",
                plain.fallbackCause(inactive, "t1", plain.decide(inactive, "t1", true, WorkKind.DATA)));

        RouteDecider lagged = decider(settings(false, false).withMaxReplicationLag(100));
        FakeView lag = FakeView.kit();
        lag.lags.put(FakeView.W1_STANDBY.nodeId(), 500L);
        lag.lags.put(FakeView.COORD_STANDBY.nodeId(), 20L);
        Route r = lagged.decide(lag, "t1", true, WorkKind.DATA);
        assertEquals(RouteReason.READ_COORDINATOR_SECONDARY, r.reason());
        assertEquals(20, r.lagBytes(), "the lag of the secondary chosen, as the decision saw it");
        assertEquals("secondary w1-standby:5432 lag 500 bytes, above maxReplicationLag", lagged.fallbackCause(lag, "t1", r));

        FakeView noCoordStandby = FakeView.kit().without(FakeView.COORD_STANDBY).without(FakeView.W1_STANDBY);
        Route last = plain.decide(noCoordStandby, "t1", true, WorkKind.DATA);
        assertEquals(RouteReason.READ_FALLBACK_PRIMARY, last.reason());
        assertEquals("no secondary in the group; coordinator: no secondary in the group",
                plain.fallbackCause(noCoordStandby, "t1", last));
        assertEquals("no tenant; coordinator: no secondary in the group",
                plain.fallbackCause(noCoordStandby, null, plain.decide(noCoordStandby, null, true, WorkKind.DATA)));
    }

    @Test
    void readRoutingPrimaryRoutesReadOnlyWorkAsReadWrite() {
        RoutingSettings off = RoutingSettings.defaults().withReadRouting(RoutingSettings.ReadRouting.PRIMARY);
        assertEquals("url:WRITE_COORDINATOR", where(decider(off), FakeView.kit(), "t1", true, WorkKind.DATA));
        RoutingSettings offAffinity = off.withTenantRouting(RoutingSettings.TenantRouting.AFFINITY);
        assertEquals("w1:WRITE_TENANT_PRIMARY", where(decider(offAffinity), FakeView.kit(), "t1", true, WorkKind.DATA));
    }

    @Test
    void inactiveSecondaryIsSkipped() {
        FakeView v = FakeView.kit().replace(W1_STANDBY, FakeView.inactive(W1_STANDBY));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(decider(RoutingSettings.defaults()), v, "t1", true,
                WorkKind.DATA));
    }

    @Test
    void inactiveTenantPrimaryGivesTheCoordinatorForWrites() {
        FakeView v = FakeView.kit().replace(W2, FakeView.inactive(W2));
        assertEquals("url:WRITE_TENANT_PRIMARY_UNAVAILABLE", where(decider(settings(true, false)), v, "t2", false,
                WorkKind.DATA));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(decider(settings(true, false)), v, "t2", true,
                WorkKind.DATA));
    }

    @Test
    void secondaryOfAnotherClusterIsNotEligible() {
        FakeView v = FakeView.kit().replace(W1_STANDBY, FakeView.inCluster(W1_STANDBY, "analytics"));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(decider(RoutingSettings.defaults()), v, "t1", true,
                WorkKind.DATA));
        RouteDecider analytics = new RouteDecider(RoutingSettings.defaults(), health, new RoundRobinSelector(), "analytics");
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(analytics, v, "t1", true, WorkKind.DATA));
    }

    @Test
    void lagAboveTheLimitOrUnknownMakesASecondaryIneligible() {
        RoutingSettings s = RoutingSettings.defaults().withMaxReplicationLag(1000);
        FakeView within = FakeView.kit();
        within.lags.put(W1_STANDBY.nodeId(), 1000L);
        within.lags.put(COORD_STANDBY.nodeId(), 0L);
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(decider(s), within, "t1", true, WorkKind.DATA));
        FakeView over = FakeView.kit();
        over.lags.put(W1_STANDBY.nodeId(), 1001L);
        over.lags.put(COORD_STANDBY.nodeId(), 0L);
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(decider(s), over, "t1", true, WorkKind.DATA));
        FakeView unknown = FakeView.kit(); // nothing measured: no secondary can be shown fresh
        assertEquals("url:READ_FALLBACK_PRIMARY", where(decider(s), unknown, "t1", true, WorkKind.DATA));
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(decider(RoutingSettings.defaults()), unknown, "t1", true,
                WorkKind.DATA), "unchecked lag: unknown lag is fine");
    }

    @Test
    void lagIsReevaluatedForEachNewViewOfTheSameTopology() {
        RouteDecider d = decider(RoutingSettings.defaults().withMaxReplicationLag(100));
        FakeView behind = FakeView.kit();
        behind.lags.put(W1_STANDBY.nodeId(), 5000L);
        assertEquals("url:READ_FALLBACK_PRIMARY", where(d, behind, "t1", true, WorkKind.DATA));
        FakeView caughtUp = FakeView.kit();
        caughtUp.lags.put(W1_STANDBY.nodeId(), 0L);
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(d, caughtUp, "t1", true, WorkKind.DATA));
    }

    @Test
    void downSecondaryIsAvoidedUntilItsBackOffExpiresThenProbedOnce() throws SQLException {
        RouteDecider d = decider(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        health.markDown(W1_STANDBY.address(), "test");
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        ticker.advance(Duration.ofMillis(999));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        ticker.advance(Duration.ofMillis(1));
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(d, v, "t1", true, WorkKind.DATA), "the probe");
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA),
                "others keep away while the probe runs");
        Route duringProbe = d.decide(v, "t1", true, WorkKind.DATA);
        health.markUp(W1_STANDBY.address());
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        assertEquals(RouteReason.READ_COORDINATOR_SECONDARY, duringProbe.reason());
    }

    @Test
    void failedProbeDoublesTheBackOff() {
        RouteDecider d = decider(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        health.markDown(W1_STANDBY.address(), "refused");
        ticker.advance(Duration.ofSeconds(1));
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        assertEquals(Duration.ofSeconds(2), health.markDown(W1_STANDBY.address(), "refused again"));
        ticker.advance(Duration.ofMillis(1999));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        ticker.advance(Duration.ofMillis(1));
        assertEquals("w1-standby:READ_TENANT_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
    }

    @Test
    void downTenantPrimaryWithAffinity() {
        RouteDecider d = decider(settings(true, false));
        FakeView v = FakeView.kit();
        health.markDown(W2.address(), "refused");
        assertEquals("url:WRITE_TENANT_PRIMARY_UNAVAILABLE", where(d, v, "t2", false, WorkKind.DATA));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t2", true, WorkKind.DATA));
        ticker.advance(Duration.ofSeconds(1));
        assertEquals("w2:WRITE_TENANT_PRIMARY", where(d, v, "t2", false, WorkKind.DATA));
    }

    @Test
    void everyDownSecondaryWithFallbackErrorFails() {
        RouteDecider d = decider(settings(false, true));
        FakeView v = FakeView.kit();
        health.markDown(W1_STANDBY.address(), "x");
        health.markDown(COORD_STANDBY.address(), "x");
        SQLException e = assertThrows(SQLException.class, () -> d.decide(v, "t1", true, WorkKind.DATA));
        assertEquals(CitusSqlState.UNABLE_TO_CONNECT.getState(), e.getSQLState());
        assertTrue(e.getMessage().contains("readFallback"), e.getMessage());
    }

    @Test
    void coordinatorIsNeverSkippedEvenWhenMarkedDown() {
        RouteDecider d = decider(settings(true, false));
        health.markDown(COORD.address(), "x");
        assertEquals("url:WRITE_COORDINATOR", where(d, FakeView.kit(), null, false, WorkKind.DATA));
        assertEquals("url:COORDINATOR_STATEMENT", where(d, FakeView.kit(), "t1", false, WorkKind.COORDINATOR));
    }

    @ParameterizedTest
    @CsvSource({"LOADING, true, TOPOLOGY_UNAVAILABLE", "UNREACHABLE, true, TOPOLOGY_UNAVAILABLE",
            "CITUS, false, TOPOLOGY_UNAVAILABLE", "NOT_CITUS, true, NOT_CITUS"})
    void routingOffGivesTheUrl(ClusterView.Status status, boolean fresh, RouteReason reason) throws SQLException {
        FakeView v = FakeView.kit();
        v.status = status;
        v.enabled = fresh;
        for (boolean ro : new boolean[] {false, true}) {
            for (WorkKind kind : WorkKind.values()) {
                Route r = decider(settings(true, true)).decide(v, "t1", ro, kind);
                assertTrue(r.viaUrl());
                assertNull(r.node());
                assertEquals(reason, r.reason());
            }
        }
    }

    @Test
    void withoutTenantCatalogRoutingIsByNodeOnly() {
        FakeView v = FakeView.kit();
        v.tenantsSupported = false;
        RouteDecider d = decider(settings(true, false));
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        assertEquals("url:WRITE_COORDINATOR", where(d, v, "t1", false, WorkKind.DATA));
    }

    @Test
    void routesCarryTheTranslatedAddressAndTheNode() throws SQLException {
        FakeView v = FakeView.kit();
        NodeAddress bouncer = new NodeAddress("bouncer-w1s", 6432);
        v.dial.put(W1_STANDBY.nodeId(), bouncer);
        Route r = decider(RoutingSettings.defaults()).decide(v, "t1", true, WorkKind.DATA);
        assertEquals(bouncer, r.dialAddress());
        assertEquals(W1_STANDBY, r.node());
        assertEquals(1, r.topologyVersion());
        assertTrue(r.readsSecondary());
        Route w = decider(RoutingSettings.defaults()).decide(v, "t1", false, WorkKind.DATA);
        assertEquals(COORD, w.node(), "the URL route names the coordinator");
        assertNull(w.dialAddress());
    }

    @Test
    void allowListExcludesNodesByDialledAddress() throws SQLException {
        RoutingSettings s = settings(true, false).withAllowedHosts(HostAllowList.parse("coord-standby,*.example.com"));
        FakeView v = FakeView.kit();
        v.dial.put(W2.nodeId(), new NodeAddress("w2.example.com", 6432));
        RouteDecider d = decider(s);
        assertEquals("coord-standby:READ_COORDINATOR_SECONDARY", where(d, v, "t1", true, WorkKind.DATA));
        assertEquals("url:WRITE_TENANT_PRIMARY_UNAVAILABLE", where(d, v, "t1", false, WorkKind.DATA));
        assertEquals("w2.example.com:WRITE_TENANT_PRIMARY", where(d, v, "t2", false, WorkKind.DATA));
        assertEquals("url:WRITE_COORDINATOR", where(d, v, null, false, WorkKind.DATA), "the URL is always allowed");
    }

    @Test
    void sameViewGivesTheSameRouteInstances() throws SQLException {
        RouteDecider d = decider(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        assertSame(d.decide(v, "t1", true, WorkKind.DATA), d.decide(v, "t1", true, WorkKind.DATA));
        assertSame(d.decide(v, null, false, WorkKind.DATA), d.decide(v, "t2", false, WorkKind.DATA));
    }

    @Test
    void aMovedTenantIsFollowedWithTheNextView() {
        RouteDecider d = decider(settings(true, false));
        FakeView before = FakeView.kit();
        assertEquals("w1:WRITE_TENANT_PRIMARY", where(d, before, "t1", false, WorkKind.DATA));
        FakeView after = FakeView.kit();
        after.version = 2;
        after.tenants.put("t1", 2);
        assertEquals("w2:WRITE_TENANT_PRIMARY", where(d, after, "t1", false, WorkKind.DATA));
        assertEquals("w2:READ_TENANT_PRIMARY", where(d, after, "t1", true, WorkKind.DATA));
    }

    @Test
    void decideAvoidingNeverReturnsTheFailedTarget() throws SQLException {
        RouteDecider d = decider(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        Route first = d.decide(v, "t1", true, WorkKind.DATA);
        assertEquals(W1_STANDBY, first.node());
        Route second = d.decideAvoiding(v, "t1", true, WorkKind.DATA, first);
        assertEquals(COORD_STANDBY, second.node());
        // Router.failed marks each failed node down; the argument only guards the retry against a node not marked.
        health.markDown(first.dialAddress(), "failed");
        health.markDown(second.dialAddress(), "failed");
        Route third = d.decideAvoiding(v, "t1", true, WorkKind.DATA, second);
        assertTrue(third.viaUrl(), "the coordinator standby failed too: the fallback primary");
        assertNull(d.decideAvoiding(v, "t1", true, WorkKind.DATA, third), "no other target than the URL");
        assertNull(d.decideAvoiding(v, null, false, WorkKind.DATA, d.decide(v, null, false, WorkKind.DATA)));
    }

    @Test
    void selectorSpreadsReadsOverTheSecondariesOfAGroup() throws SQLException {
        FakeView v = FakeView.kit();
        Node second = FakeView.secondary(10, 1, "w1-standby2");
        v.nodes.add(second);
        RouteDecider d = decider(RoutingSettings.defaults());
        int onSecond = 0;
        for (int i = 0; i < 1000; i++) {
            if (d.decide(v, "t1", true, WorkKind.DATA).node() == second) {
                onSecond++;
            }
        }
        assertEquals(500, onSecond);
        health.markDown(second.address(), "x");
        for (int i = 0; i < 10; i++) {
            assertEquals(W1_STANDBY, d.decide(v, "t1", true, WorkKind.DATA).node());
        }
    }

    @Test
    void aDecisionAllocatesNothingWhileNoNodeIsDown() throws SQLException {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        RouteDecider d = decider(settings(true, false));
        FakeView v = FakeView.kit();
        Node second = FakeView.secondary(10, 1, "w1-standby2");
        v.nodes.add(second);
        for (int i = 0; i < 20_000; i++) { // warm up: tables built, routes created, code compiled
            d.decide(v, "t1", i % 2 == 0, WorkKind.DATA);
            d.decide(v, "t2", i % 2 == 0, WorkKind.DATA);
            d.decide(v, null, i % 2 == 0, WorkKind.GENERIC);
        }
        long tid = Thread.currentThread().getId();
        // On a busy machine the compiler may still be at work after the warm-up, and a few objects of
        // its transitions (not of the decisions) land in the first measured round: the steady state is
        // the least of a few rounds.
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 5 && allocated >= 4096; round++) {
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                d.decide(v, "t1", i % 2 == 0, WorkKind.DATA);
                d.decide(v, "t2", i % 2 == 0, WorkKind.DATA);
                d.decide(v, null, i % 2 == 0, WorkKind.GENERIC);
            }
            allocated = Math.min(allocated, threads.getThreadAllocatedBytes(tid) - before);
        }
        assertTrue(allocated < 4096, "300,000 decisions allocated " + allocated + " bytes");
    }
}
