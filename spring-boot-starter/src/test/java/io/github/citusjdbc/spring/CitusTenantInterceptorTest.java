package io.github.citusjdbc.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusTenants;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.servlet.HandlerMapping;

/**
 * The interceptor's decision table (its Javadoc) with a fake verified claim, and the bindings of an
 * asynchronous request, thread by thread, without a server.
 */
class CitusTenantInterceptorTest {

    private static final Object NO_CLAIM = new Object();
    /** The last request's response (a refused one is committed). */
    private MockHttpServletResponse response = new MockHttpServletResponse();

    @AfterEach
    void nothingLeftBound() {
        assertEquals(null, CitusTenants.current());
    }

    /** @return the tenant bound while the handler would run, or the refusal's status */
    private Object handle(Object claim, String header, String path) throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", "tenant",
                claim == NO_CLAIM ? null : () -> claim);
        MockHttpServletRequest request = request(header, path);
        response = new MockHttpServletResponse();
        if (!interceptor.preHandle(request, response, null)) {
            assertEquals(null, CitusTenants.current(), "nothing bound when refused");
            return response.getStatus();
        }
        String bound = CitusTenants.current();
        interceptor.afterCompletion(request, response, null, null);
        return bound;
    }

    private static MockHttpServletRequest request(String header, String path) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/");
        if (header != null) {
            request.addHeader("X-Tenant", header);
        }
        if (path != null) {
            request.setAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE, Map.of("tenant", path));
        }
        return request;
    }

    @Test
    void withoutAClaimTheHeaderOrThePathNamesTheTenantAndTheyMustAgree() throws Exception {
        assertEquals("t_a", handle(NO_CLAIM, "t_a", null));
        assertEquals("t_a", handle(NO_CLAIM, "t_a", "t_a"));
        assertEquals(400, handle(NO_CLAIM, "t_header", "t_path"), "never one of them silently");
        assertEquals("conflicting tenant names", response.getErrorMessage());
        assertEquals("t_path", handle(NO_CLAIM, null, "t_path"));
        assertEquals(null, handle(NO_CLAIM, null, null));
        assertEquals(400, handle(NO_CLAIM, "a;b", null));
        assertEquals("invalid tenant name", response.getErrorMessage());
    }

    @Test
    void theVerifiedClaimIsTheTenantAndHeaderOrPathMayOnlyRepeatIt() throws Exception {
        assertEquals("t_a", handle("t_a", null, null));
        assertEquals("t_a", handle("t_a", "t_a", "t_a"));
        assertEquals(403, handle("t_a", "t_b", null));
        assertEquals(403, handle("t_a", null, "t_b"));
        assertEquals(403, handle("t_a", "t_a", "t_b"), "both are checked, not just the header");
        assertEquals("tenant not granted by the token", response.getErrorMessage());
    }

    @Test
    void withoutAVerifiedClaimNoTenantCanBeChosen() throws Exception {
        assertEquals(403, handle(null, "t_a", null));
        assertEquals(403, handle(null, null, "t_a"));
        assertEquals(null, handle(null, null, null), "no tenant asked, none bound");
    }

    @Test
    void aClaimThatIsNotATenantNameIs400() throws Exception {
        assertEquals(400, handle("a;b", null, null));
        assertEquals(400, handle(List.of("t_a"), null, null));
        assertEquals(400, handle(true, null, null), "not the tenant \"true\"");
        assertEquals("invalid tenant name", response.getErrorMessage());
    }

    @Test
    void anAsyncRequestIsBoundOnEachThreadOnlyWhileItWorksThere() throws Exception {
        String[] claim = {"t_a"};
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor(null, null, () -> claim[0]);
        CitusTenantCallableInterceptor onAsyncThread = new CitusTenantCallableInterceptor();
        MockHttpServletRequest request = request(null, null);
        ServletWebRequest web = new ServletWebRequest(request);
        Callable<String> task = CitusTenants::current;
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            assertTrue(interceptor.preHandle(request, response, null));
            assertEquals("t_a", CitusTenants.current());
            interceptor.afterConcurrentHandlingStarted(request, response, null);
            assertEquals(null, CitusTenants.current(), "released on the container thread");

            String inTask = executor.submit(() -> {
                onAsyncThread.preProcess(web, task);
                try {
                    return task.call();
                } finally {
                    onAsyncThread.postProcess(web, task, null);
                }
            }).get();
            assertEquals("t_a", inTask, "bound while the Callable runs");
            assertEquals(null, executor.submit(CitusTenants::current).get(), "released on the executor's thread");

            claim[0] = null; // the re-dispatch uses the tenant decided at the first dispatch
            assertTrue(interceptor.preHandle(request, response, null));
            assertEquals("t_a", CitusTenants.current());
            interceptor.afterCompletion(request, response, null, null);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aRefusedRequestBindsNothingForItsCallables() throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", null, () -> "t_a");
        MockHttpServletRequest request = request("t_b", null);
        assertFalse(interceptor.preHandle(request, response, null));
        CitusTenantCallableInterceptor onAsyncThread = new CitusTenantCallableInterceptor();
        ServletWebRequest web = new ServletWebRequest(request);
        Callable<String> task = CitusTenants::current;
        onAsyncThread.preProcess(web, task);
        assertEquals(null, CitusTenants.current());
        onAsyncThread.postProcess(web, task, null);
    }

    @Test
    void aForwardInsideTheRequestKeepsTheTenantAndLeavesNothingBoundAfterIt() throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", "tenant", null);
        MockHttpServletRequest request = request("t_a", null);
        assertTrue(interceptor.preHandle(request, response, null));
        request.setDispatcherType(jakarta.servlet.DispatcherType.FORWARD);
        assertTrue(interceptor.preHandle(request, response, null));
        assertEquals("t_a", CitusTenants.current(), "bound in the forwarded handler");
        interceptor.afterCompletion(request, response, null, null);
        assertEquals("t_a", CitusTenants.current(), "the forward's end does not unbind the request's tenant");
        request.setDispatcherType(jakarta.servlet.DispatcherType.REQUEST);
        interceptor.afterCompletion(request, response, null, null);
        assertEquals(null, CitusTenants.current(), "the request's end unbinds it");
    }
}
