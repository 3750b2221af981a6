package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.routing.Route;
import io.opentelemetry.api.trace.Span;

/**
 * The route of a unit of work as attributes of the application's current OpenTelemetry span, when
 * the OpenTelemetry API is on the class path: {@code citus.tenant} (when one is pinned),
 * {@code citus.node} ({@code url} for the URL's hosts) and {@code citus.route} (the reason). Set at
 * the unit's first statement (and again on a retry), only on a span that records. Without the API the
 * check is a constant the JIT removes; with it, one context look-up per routed unit.
 */
final class RouteSpan {
    /** Whether the OpenTelemetry API can be loaded (checked once). */
    static final boolean PRESENT = present();

    private RouteSpan() {
    }

    private static boolean present() {
        try {
            Class.forName("io.opentelemetry.api.trace.Span", false, RouteSpan.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Tags the current span; call only when {@link #PRESENT}. */
    static void tag(String tenant, Route route) {
        Tagger.tag(tenant, route);
    }

    /** Holds the only references to OpenTelemetry types: loaded on the first {@link #tag}, never without the API. */
    private static final class Tagger {
        static void tag(String tenant, Route route) {
            Span span = Span.current();
            if (!span.isRecording()) {
                return;
            }
            if (tenant != null) {
                span.setAttribute("citus.tenant", tenant);
            }
            span.setAttribute("citus.node", route.viaUrl() ? "url" : String.valueOf(route.dialAddress()));
            span.setAttribute("citus.route", route.reason().name());
        }
    }
}
