package io.github.citusjdbc.routing;

import static io.github.citusjdbc.routing.FakeView.COORD_STANDBY;
import static io.github.citusjdbc.routing.FakeView.W1_STANDBY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.routing.RetryPolicy.Phase;
import io.github.citusjdbc.routing.SqlErrors.Kind;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol the logical connection follows: route, connected, failed, retryRoute, ended. */
class RouterTest {

    private final FakeTicker ticker = new FakeTicker();
    private final NodeHealth health = new NodeHealth(Duration.ofSeconds(1), Duration.ofSeconds(30), ticker);
    private final List<String> refreshes = new ArrayList<>();
    private final EarlyRefresh refresh = reason -> refreshes.add(reason);

    private Router router(RoutingSettings s) throws SQLException {
        return Router.create(s, health, "default", "test");
    }

    private static SQLException refused() {
        return new SQLException("Connection to w1-standby:5432 refused", "08001", new ConnectException("refused"));
    }

    @Test
    void aRefusedStandbyIsMarkedDownTheTopologyRefreshedAndTheStatementRetriedElsewhere() throws SQLException {
        Router router = router(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        Route first = router.route(v, "t1", true, WorkKind.DATA);
        assertEquals(W1_STANDBY, first.node());
        Kind kind = router.failed(first, refused(), false, refresh);
        assertEquals(Kind.NODE_UNAVAILABLE, kind);
        assertEquals(NodeHealth.State.DOWN, health.state(W1_STANDBY.address()));
        assertEquals(1, refreshes.size());
        Route retry = router.retryRoute(v, first, kind, Phase.CONNECT, true, "t1", true, WorkKind.DATA);
        assertEquals(COORD_STANDBY, retry.node());
        router.ended(first);
        router.connected(retry);
        router.ended(retry);
        assertEquals(COORD_STANDBY, router.retryRoute(v, first, kind, Phase.CONNECT, false, "t1", true, WorkKind.DATA).node(),
                "a transaction that could not connect has sent nothing: it moves on");
        assertNull(router.retryRoute(v, first, kind, Phase.BEFORE_RESULT, false, "t1", true, WorkKind.DATA),
                "a transaction that sent a statement is never retried");
        assertEquals(COORD_STANDBY, router.route(v, "t1", true, WorkKind.DATA).node(), "later units avoid the node");
    }

    @Test
    void aSuccessfulProbeEndsTheBackOff() throws SQLException {
        Router router = router(RoutingSettings.defaults());
        FakeView v = FakeView.kit();
        router.failed(router.route(v, "t1", true, WorkKind.DATA), refused(), false, refresh);
        ticker.advance(Duration.ofSeconds(1));
        Route probe = router.route(v, "t1", true, WorkKind.DATA);
        assertEquals(W1_STANDBY, probe.node());
        router.connected(probe);
        assertEquals(NodeHealth.State.UP, health.state(W1_STANDBY.address()));
        assertEquals(W1_STANDBY, router.route(v, "t1", true, WorkKind.DATA).node());
    }

    @Test
    void aReadOnlyViolationOnAWriteAsksForARefreshButMarksNothing() throws SQLException {
        Router router = router(RoutingSettings.defaults().withTenantRouting(RoutingSettings.TenantRouting.AFFINITY));
        Route w = router.route(FakeView.kit(), "t1", false, WorkKind.DATA);
        SQLException readOnly = SqlErrorsTest.server("25006", "cannot execute INSERT in a read-only transaction");
        assertEquals(Kind.READ_ONLY_VIOLATION, router.failed(w, readOnly, true, refresh));
        assertEquals(1, refreshes.size());
        assertTrue(health.isUp(w.dialAddress()));
        router.failed(w, SqlErrorsTest.server("42P01", "relation does not exist"), true, refresh);
        assertEquals(1, refreshes.size(), "application errors do nothing");
    }

    @Test
    void failuresOfTheUrlAreLeftToPgjdbcButRefreshTheTopology() throws SQLException {
        Router router = router(RoutingSettings.defaults());
        Route url = router.route(FakeView.kit(), null, false, WorkKind.DATA);
        assertEquals(Kind.NODE_UNAVAILABLE, router.failed(url, refused(), true, refresh));
        assertTrue(!health.anyDown());
        assertEquals(1, refreshes.size());
    }

    @Test
    void leastOutstandingCountsUnitsBetweenRouteAndEnded() throws SQLException {
        Router router = router(RoutingSettings.defaults().withNodeSelector("leastOutstanding"));
        FakeView v = FakeView.kit();
        io.github.citusjdbc.spi.Node second = FakeView.secondary(10, 1, "w1-standby2");
        v.nodes.add(second);
        Route a = router.route(v, "t1", true, WorkKind.DATA);
        Route b = router.route(v, "t1", true, WorkKind.DATA);
        assertTrue(a.node() != b.node(), "the second unit goes to the idle standby");
        router.ended(a);
        Route c = router.route(v, "t1", true, WorkKind.DATA);
        assertEquals(a.node(), c.node(), "the standby whose unit ended is the idle one again");
        LeastOutstandingSelector s = (LeastOutstandingSelector) router.decider().selector();
        router.ended(b);
        router.ended(c);
        assertEquals(0, s.outstanding(W1_STANDBY));
        assertEquals(0, s.outstanding(second));
    }
}
