package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.ServedBy;
import io.github.citusjdbc.routing.Route;
import io.github.citusjdbc.spi.Node;
import io.github.citusjdbc.spi.NodeAddress;
import io.github.citusjdbc.spi.NodeRole;
import java.sql.SQLException;
import org.postgresql.core.BaseConnection;
import org.postgresql.util.HostSpec;

/**
 * The answers of {@code CitusConnection.lastServedBy()} and {@code explain()}: where a unit of work
 * went (or would go) and why, read from the connection's {@link RouteSession}. Nothing here runs on
 * the path of a statement.
 */
final class RouteReport {

    private RouteReport() {
    }

    /** @return where the last unit of work ran, or null when nothing was routed yet */
    static ServedBy lastServedBy(LogicalConnection connection) {
        RouteSession r = connection.routing;
        if (r == null || !r.served()) {
            return null;
        }
        Route route = r.lastRoute();
        NodeAddress dialled = r.current().address;
        return servedBy(route, dialled == null ? urlHost(connection) : dialled, r.lastReason().name(),
                route == null ? r.topologyVersion() : route.topologyVersion(), r.lastTenant(), r.fallbackCause());
    }

    /** @return where a unit of {@code tenant} would go now, or null when the connection routes nothing */
    static ServedBy explain(LogicalConnection connection, String tenant, boolean readOnly) throws SQLException {
        RouteSession r = connection.routing;
        if (r == null) {
            return null;
        }
        Route route = r.explain(tenant, readOnly);
        return servedBy(route, route.viaUrl() ? urlHost(connection) : route.dialAddress(), route.reason().name(),
                route.topologyVersion(), tenant, r.fallbackCause(tenant, route));
    }

    private static ServedBy servedBy(Route route, NodeAddress dialled, String reason, long version, String tenant,
                                     String fallbackCause) {
        Node node = route == null ? null : route.node();
        return new ServedBy(dialled, node, node == null ? NodeRole.PRIMARY : node.role(), reason, version, tenant,
                route == null ? -1 : route.lagBytes(), fallbackCause);
    }

    /** The host the URL's physical connection reached (pgjdbc picks one of the URL's hosts). */
    private static NodeAddress urlHost(LogicalConnection connection) {
        try {
            HostSpec h = connection.routing.url.connection.unwrap(BaseConnection.class).getQueryExecutor().getHostSpec();
            return new NodeAddress(h.getHost(), h.getPort());
        } catch (SQLException e) {
            return connection.config().hosts().get(0);
        }
    }
}
