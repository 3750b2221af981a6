package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusTenants;
import jakarta.servlet.DispatcherType;
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
 * <p><b>Where the tenant comes from.</b> Without {@code citus.tenant.jwt-claim}: the header
 * ({@code citus.tenant.header}), else the path variable ({@code citus.tenant.path-variable}); when
 * both are present they must name the same tenant (else 400: which one the client meant is not
 * known, and guessing could serve another tenant's data). With
 * it, the claim of the token Spring Security verified ({@link VerifiedClaim}) is the only source; a
 * header or path variable the client sent is a cross-check, since the client controls it:
 * <table>
 *   <caption>With {@code citus.tenant.jwt-claim}</caption>
 *   <tr><th>verified claim</th><th>header / path variable</th><th>outcome</th></tr>
 *   <tr><td>a name</td><td>absent, or the same name</td><td>the claim's tenant is bound</td></tr>
 *   <tr><td>a name</td><td>any other name</td><td>403</td></tr>
 *   <tr><td>none (no verified JWT, or no such claim)</td><td>any name</td><td>403</td></tr>
 *   <tr><td>none</td><td>absent</td><td>no tenant bound</td></tr>
 *   <tr><td>not a string</td><td>absent</td><td>400</td></tr>
 * </table>
 * A name that is not a valid tenant name, from any source, ends the request with 400. Refusals
 * happen before any handler or SQL runs, and never repeat the name.
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
    /** How many forward/include dispatches run inside the dispatch that holds the scope (an Integer). */
    private static final String NESTED = CitusTenantInterceptor.class.getName() + ".nested";

    private final String header;
    private final String pathVariable;
    private final VerifiedClaim claim;

    /**
     * @param header the header naming the tenant, or null
     * @param pathVariable the path variable naming the tenant, or null
     * @param claim the verified token's tenant claim, or null when {@code citus.tenant.jwt-claim} is not set
     */
    CitusTenantInterceptor(String header, String pathVariable, VerifiedClaim claim) {
        this.header = header;
        this.pathVariable = pathVariable;
        this.claim = claim;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) throws IOException {
        DispatcherType type = request.getDispatcherType();
        if ((type == DispatcherType.FORWARD || type == DispatcherType.INCLUDE) && request.getAttribute(SCOPE) != null
                && request.getAttribute(TENANT) != null) {
            // Inside the dispatch that bound the tenant, on the same thread: it stays bound, and
            // this nested dispatch must not replace (and so lose) the scope the outer one closes.
            request.setAttribute(NESTED, nested(request) + 1);
            return true;
        }
        String tenant;
        if (request.getAttribute(TENANT) instanceof String decided) {
            tenant = decided; // the async re-dispatch of a request whose first dispatch decided it
        } else {
            String fromHeader = header == null ? null : request.getHeader(header);
            String fromPath = fromPath(request);
            if (claim == null) {
                if (fromHeader != null && fromPath != null && !fromHeader.equals(fromPath)) {
                    return refuse(response, HttpServletResponse.SC_BAD_REQUEST, "conflicting tenant names");
                }
                tenant = fromHeader != null ? fromHeader : fromPath;
            } else {
                Object granted = claim.value();
                if (granted != null && !(granted instanceof String)) {
                    return refuse(response, HttpServletResponse.SC_BAD_REQUEST, "invalid tenant name");
                }
                if (fromHeader != null && !fromHeader.equals(granted) || fromPath != null && !fromPath.equals(granted)) {
                    return refuse(response, HttpServletResponse.SC_FORBIDDEN, "tenant not granted by the token");
                }
                tenant = (String) granted;
            }
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

    /** The name is not repeated: it came from the client, or from a token about to be refused. */
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

    private static int nested(HttpServletRequest request) {
        return request.getAttribute(NESTED) instanceof Integer n ? n : 0;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler, Exception ex) {
        int nested = nested(request);
        if (nested > 0) {
            request.setAttribute(NESTED, nested - 1); // a forward or include ended: the outer dispatch closes
            return;
        }
        if (request.getAttribute(SCOPE) instanceof CitusTenants.Scope scope) {
            scope.close();
            request.removeAttribute(SCOPE);
        }
    }
}
