package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusTenants;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.sql.SQLException;
import java.util.Map;
import org.springframework.web.servlet.AsyncHandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Binds each request's tenant to the thread that handles it with {@link CitusTenants#bind}, and
 * restores the previous binding when the request completes, so that no tenant outlives its request
 * on a pooled thread.
 *
 * <p>The tenant comes from the header ({@code citus.tenant.header}), else the path variable
 * ({@code citus.tenant.path-variable}). A tenant name that is not valid ends the request with 400
 * before any handler or SQL runs; the name is not repeated.
 *
 * <p><b>Asynchronous requests.</b> The tenant is decided once, at the request's first dispatch, and
 * kept in the request. When the handler starts asynchronous processing the binding is released on
 * the container thread ({@link #afterConcurrentHandlingStarted}); {@link CitusTenantCallableInterceptor}
 * binds it on the thread running a {@code Callable}; the async re-dispatch binds it again and
 * releases it when that dispatch completes. Each scope is closed on the thread that opened it.
 */
final class CitusTenantInterceptor implements AsyncHandlerInterceptor {

    /** The request attribute holding the tenant decided at the first dispatch. */
    static final String TENANT = CitusTenantInterceptor.class.getName() + ".tenant";
    private static final String SCOPE = CitusTenantInterceptor.class.getName() + ".scope";

    private final String header;
    private final String pathVariable;

    /**
     * @param header the header naming the tenant, or null
     * @param pathVariable the path variable naming the tenant, or null
     */
    CitusTenantInterceptor(String header, String pathVariable) {
        this.header = header;
        this.pathVariable = pathVariable;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws IOException {
        String tenant;
        if (request.getAttribute(TENANT) instanceof String decided) {
            tenant = decided; // the async re-dispatch of a request whose first dispatch decided it
        } else {
            String fromHeader = header == null ? null : request.getHeader(header);
            tenant = fromHeader != null ? fromHeader : fromPath(request);
            if (tenant == null) {
                return true;
            }
        }
        try {
            request.setAttribute(SCOPE, CitusTenants.bind(tenant));
            request.setAttribute(TENANT, tenant);
            return true;
        } catch (SQLException invalid) {
            return refuse(response, HttpServletResponse.SC_BAD_REQUEST, "invalid tenant name");
        }
    }

    private String fromPath(HttpServletRequest request) {
        if (pathVariable != null
                && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> vars) {
            Object v = vars.get(pathVariable);
            return v == null ? null : v.toString();
        }
        return null;
    }

    /** The name is not repeated: it came from the client. */
    private static boolean refuse(HttpServletResponse response, int status, String reason) throws IOException {
        response.sendError(status, reason);
        return false;
    }

    /**
     * Releases the binding on the container thread, which goes back to its pool while the
     * asynchronous work runs. The attribute is left in place: the thread running a {@code Callable}
     * may be reading the request's attributes now, and the re-dispatch replaces it.
     */
    @Override
    public void afterConcurrentHandlingStarted(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (request.getAttribute(SCOPE) instanceof CitusTenants.Scope scope) {
            scope.close();
        }
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        if (request.getAttribute(SCOPE) instanceof CitusTenants.Scope scope) {
            scope.close();
            request.removeAttribute(SCOPE);
        }
    }
}
