package io.github.citusjdbc.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusTenants;
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

/** Where the interceptor takes the tenant from, and the bindings of an asynchronous request thread by thread, without a server. */
class CitusTenantInterceptorTest {

    /** The last request's response (a refused one is committed). */
    private MockHttpServletResponse response = new MockHttpServletResponse();

    @AfterEach
    void nothingLeftBound() {
        assertEquals(null, CitusTenants.current());
    }

    /** @return the tenant bound while the handler would run, or the refusal's status */
    private Object handle(String header, String path) throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", "tenant");
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
    void theHeaderWinsOverThePath() throws Exception {
        assertEquals("t_header", handle("t_header", "t_path"));
        assertEquals("t_path", handle(null, "t_path"));
        assertEquals(null, handle(null, null));
        assertEquals(400, handle("a;b", null));
        assertEquals("invalid tenant name", response.getErrorMessage());
    }

    @Test
    void anAsyncRequestIsBoundOnEachThreadOnlyWhileItWorksThere() throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", null);
        CitusTenantCallableInterceptor onAsyncThread = new CitusTenantCallableInterceptor();
        MockHttpServletRequest request = request("t_a", null);
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

            request.removeHeader("X-Tenant"); // the re-dispatch uses the tenant decided at the first dispatch
            assertTrue(interceptor.preHandle(request, response, null));
            assertEquals("t_a", CitusTenants.current());
            interceptor.afterCompletion(request, response, null, null);
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void aRefusedRequestBindsNothingForItsCallables() throws Exception {
        CitusTenantInterceptor interceptor = new CitusTenantInterceptor("X-Tenant", null);
        MockHttpServletRequest request = request("a;b", null);
        assertFalse(interceptor.preHandle(request, response, null));
        CitusTenantCallableInterceptor onAsyncThread = new CitusTenantCallableInterceptor();
        ServletWebRequest web = new ServletWebRequest(request);
        Callable<String> task = CitusTenants::current;
        onAsyncThread.preProcess(web, task);
        assertEquals(null, CitusTenants.current());
        onAsyncThread.postProcess(web, task, null);
    }
}
