package io.github.citusjdbc.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.citusjdbc.routing.RetryPolicy.Phase;
import io.github.citusjdbc.routing.SqlErrors.Kind;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final Route secondary;
    private final Route url;

    RetryPolicyTest() throws SQLException {
        RouteDecider d = new RouteDecider(RoutingSettings.defaults(), new NodeHealth(java.time.Duration.ofSeconds(1),
                java.time.Duration.ofSeconds(1), new FakeTicker()), new RoundRobinSelector(), "default");
        secondary = d.decide(FakeView.kit(), "t1", true, WorkKind.DATA);
        url = d.decide(FakeView.kit(), "t1", false, WorkKind.DATA);
    }

    @Test
    void aUnitThatCouldNotConnectOrAnAutocommitReadBeforeItsResultOnASecondaryIsRetriedOnce() {
        int retried = 0;
        for (boolean autocommit : new boolean[] {false, true}) {
            for (boolean readOnly : new boolean[] {false, true}) {
                for (int attempt = 1; attempt <= 2; attempt++) {
                    for (Phase phase : Phase.values()) {
                        for (Kind kind : Kind.values()) {
                            for (Route r : new Route[] {secondary, url}) {
                                boolean may = RetryPolicy.mayRetry(autocommit, readOnly, attempt, phase, kind, r);
                                boolean expected = attempt == 1 && kind == Kind.NODE_UNAVAILABLE && (phase == Phase.CONNECT
                                        || (autocommit && readOnly && phase == Phase.BEFORE_RESULT && r == secondary));
                                assertEquals(expected, may, autocommit + " " + readOnly + " " + attempt + " " + phase
                                        + " " + kind + " " + r);
                                retried += may ? 1 : 0;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(9, retried, "connect on either route for every unit (8), before result on the secondary (1)");
    }
}
