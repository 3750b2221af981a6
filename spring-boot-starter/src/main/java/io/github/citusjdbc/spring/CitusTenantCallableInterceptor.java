package io.github.citusjdbc.spring;

import io.github.citusjdbc.CitusTenants;
import java.util.concurrent.Callable;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.async.CallableProcessingInterceptor;

/**
 * Binds the request's tenant on the thread that runs a handler's {@code Callable} (also
 * {@code WebAsyncTask} and {@code StreamingResponseBody}): Spring MVC calls {@link #preProcess} and
 * {@link #postProcess} on that thread, around the task, {@code postProcess} even when the task
 * fails. The tenant is the one {@link CitusTenantInterceptor} decided at the request's first
 * dispatch; it was stored in the request before the task was submitted, and this thread only reads
 * it. The open scope stays with the thread that opened it, which is the one that must close it.
 */
final class CitusTenantCallableInterceptor implements CallableProcessingInterceptor {

    private static final ThreadLocal<CitusTenants.Scope> OPEN = new ThreadLocal<>();

    @Override
    public <T> void preProcess(NativeWebRequest request, Callable<T> task) throws Exception {
        if (request.getAttribute(CitusTenantInterceptor.TENANT, RequestAttributes.SCOPE_REQUEST) instanceof String tenant) {
            OPEN.set(CitusTenants.bind(tenant));
        }
    }

    @Override
    public <T> void postProcess(NativeWebRequest request, Callable<T> task, Object concurrentResult) {
        CitusTenants.Scope scope = OPEN.get();
        if (scope != null) {
            OPEN.remove();
            scope.close();
        }
    }
}
