package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.LocalCluster;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With the OpenTelemetry API on the class path, a routed unit of work tags the application's current
 * span with its tenant, node and route, on real Citus; without a current span nothing happens.
 */
class RouteSpanTest {

    @RegisterExtension
    static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

    private static LocalCluster cluster;
    private static String tenant;

    @BeforeAll
    static void tenant() throws SQLException {
        cluster = LocalCluster.shared();
        tenant = Served.tenantOnWorker1("span_", "CREATE TABLE t (id int)");
    }

    @AfterAll
    static void drop() throws SQLException {
        cluster.citus().dropTenant(tenant);
    }

    @Test
    void aRoutedUnitTagsTheCurrentSpan() throws Exception {
        Tracer tracer = OTEL.getOpenTelemetry().getTracer("test");
        try (Connection c = DriverManager.getConnection(Served.url(cluster, null), Served.app(cluster))) {
            c.setSchema(tenant);
            c.setReadOnly(true);
            Span span = tracer.spanBuilder("request").startSpan();
            try (Scope ignored = span.makeCurrent(); Statement s = c.createStatement()) {
                s.execute("SELECT count(*) FROM t");
            } finally {
                span.end();
            }
            try (Statement s = c.createStatement()) {
                s.execute("SELECT count(*) FROM t"); // no current span: nothing to tag, nothing fails
            }
        }
        List<SpanData> spans = OTEL.getSpans();
        assertEquals(1, spans.size());
        SpanData data = spans.get(0);
        assertEquals(tenant, data.getAttributes().get(AttributeKey.stringKey("citus.tenant")));
        assertEquals("READ_TENANT_SECONDARY", data.getAttributes().get(AttributeKey.stringKey("citus.route")));
        assertEquals(cluster.standbyOf(cluster.worker(1)).address().toString(),
                data.getAttributes().get(AttributeKey.stringKey("citus.node")));
        assertTrue(data.getAttributes().size() == 3, data.getAttributes().toString());
    }
}
