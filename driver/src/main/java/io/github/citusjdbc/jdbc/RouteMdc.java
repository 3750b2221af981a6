package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.routing.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The route of the unit of work in progress, in SLF4J's MDC for the application's own log lines,
 * while the routing logger ({@code io.github.citusjdbc.routing.Router}) is at DEBUG:
 * {@code citus.tenant} (empty when none), {@code citus.node} ({@code url} for the URL's hosts) and
 * {@code citus.route} (the reason). Set on the thread that starts the unit, removed when it ends.
 * When DEBUG is off the cost is one level check per unit.
 */
final class RouteMdc {
    static final String TENANT = "citus.tenant";
    static final String NODE = "citus.node";
    static final String ROUTE = "citus.route";
    private static final Logger ROUTING = LoggerFactory.getLogger(Router.class);

    private RouteMdc() {
    }

    /** @return whether units should put their route in the MDC now */
    static boolean enabled() {
        return ROUTING.isDebugEnabled();
    }

    static void put(String tenant, Route route) {
        MDC.put(TENANT, tenant == null ? "" : tenant);
        MDC.put(NODE, route.viaUrl() ? "url" : String.valueOf(route.dialAddress()));
        MDC.put(ROUTE, route.reason().name());
    }

    static void clear() {
        MDC.remove(TENANT);
        MDC.remove(NODE);
        MDC.remove(ROUTE);
    }
}
