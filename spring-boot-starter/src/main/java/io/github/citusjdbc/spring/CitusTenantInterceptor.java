package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusTenants;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.sql.SQLException;
import java.util.Map;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Binds each request's tenant ({@code citus.tenant.header} or {@code citus.tenant.path-variable}) to
 * the thread that handles it with {@link CitusTenants#bind}, and restores the previous binding when
 * the request completes, so that no tenant outlives its request on a pooled thread. A tenant name
 * that is not valid ends the request with 400 before any handler or SQL runs. The header wins when
 * both are present.
 */
final class CitusTenantInterceptor implements HandlerInterceptor {

    private static final String SCOPE = CitusTenantInterceptor.class.getName() + ".scope";

    private final String header;
    private final String pathVariable;

    CitusTenantInterceptor(String header, String pathVariable) {
        this.header = header;
        this.pathVariable = pathVariable;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws Exception {
        String tenant = header == null ? null : request.getHeader(header);
        if (tenant == null && pathVariable != null
                && request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE) instanceof Map<?, ?> vars) {
            Object v = vars.get(pathVariable);
            tenant = v == null ? null : v.toString();
        }
        if (tenant == null) {
            return true;
        }
        try {
            request.setAttribute(SCOPE, CitusTenants.bind(tenant));
            return true;
        } catch (SQLException invalid) {
            // The name is not repeated: it came from the client.
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "invalid tenant name");
            return false;
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
