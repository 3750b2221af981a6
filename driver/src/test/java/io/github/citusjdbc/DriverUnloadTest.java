package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.citusjdbc.spi.TenantResolver;
import io.github.citusjdbc.tenant.FixedTenantResolver;
import io.github.citusjdbc.testkit.LocalCluster;
import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The driver leaks no class loader, as in an application server: the driver (with pgjdbc, Caffeine,
 * SLF4J and the SPI) in a "server" class loader of its own, a web application in a child loader that
 * is the context class loader while it uses the driver (with a {@code tenantResolver} of its own).
 * Undeploying the application must let its loader be collected while the driver stays; unloading the
 * driver (deregistration, as containers do) must stop its threads and let the driver's loader be
 * collected too.
 */
class DriverUnloadTest {

    private static final String TTL = "pgjdbc.config.cleanup.thread.ttl";
    private static String previousTtl;
    private static LocalCluster cluster;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.shared();
        previousTtl = System.getProperty(TTL);
        System.setProperty(TTL, "200"); // the separate pgjdbc's cleaner thread ends soon after its last use
    }

    @AfterAll
    static void restore() {
        if (previousTtl == null) {
            System.clearProperty(TTL);
        } else {
            System.setProperty(TTL, previousTtl);
        }
    }

    private static URL where(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    @Test
    void neitherTheApplicationsNorTheDriversLoaderLeaks() throws Exception {
        awaitCollected(useAndUnloadTheDriver(), "the deregistered driver's class loader");
    }

    /** @return the driver's loader, weakly: every strong reference is gone with this frame */
    private static WeakReference<ClassLoader> useAndUnloadTheDriver() throws Exception {
        URLClassLoader server = new URLClassLoader("server", new URL[] {where(CitusDriver.class),
                where(TenantResolver.class), where(org.postgresql.Driver.class), where(Caffeine.class),
                where(LoggerFactory.class)}, ClassLoader.getPlatformClassLoader());
        awaitCollected(useTheDriverFromAnApplication(server),
                "the undeployed application's class loader (the driver still loaded)");

        server.loadClass(CitusDriver.class.getName()).getMethod("deregister").invoke(null);
        server.loadClass(org.postgresql.Driver.class.getName()).getMethod("deregister").invoke(null);
        // Well within the threads' idle keep-alive: deregistration itself stops them.
        LocalCluster.waitUntil(() -> topologyThreadsOf(server).isEmpty(), Duration.ofSeconds(2),
                "the unloaded driver's topology threads to end");
        server.close();
        forgetLastRecordTypes();
        return new WeakReference<>(server);
    }

    /** @return the application's loader, weakly, after it used the driver and was "undeployed" */
    private static WeakReference<ClassLoader> useTheDriverFromAnApplication(ClassLoader server) throws Exception {
        URLClassLoader webapp = new URLClassLoader("webapp", new URL[] {where(FixedTenantResolver.class)}, server);
        useTheDriver(server, webapp);
        webapp.close();
        return new WeakReference<>(webapp);
    }

    /** Opens and closes a connection through the "server" driver with the application's loader as context. */
    private static void useTheDriver(ClassLoader server, ClassLoader webapp) throws Exception {
        Driver driver = (Driver) server.loadClass(CitusDriver.class.getName()).getConstructor().newInstance();
        assertEquals(server, driver.getClass().getClassLoader());
        Properties p = new Properties();
        p.setProperty("user", cluster.user());
        p.setProperty("password", cluster.password());
        String url = "jdbc:citus://" + cluster.coordinator().address() + "/" + cluster.database()
                // Without TLS: what is tested is the driver's own references, not the JDK's TLS caches.
                + "?sslmode=disable&topologyRefreshInterval=500ms&clusterName=unload_test&tenantResolver="
                + FixedTenantResolver.class.getName();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(webapp);
        try (Connection c = driver.connect(url, p); Statement st = c.createStatement()) {
            assertEquals(server, st.getClass().getClassLoader(), "the statement is the server driver's");
            st.execute("SELECT 1");
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** A record of this test's own loader, see {@link #forgetLastRecordTypes()}. */
    private record Flush(String text, List<String> list, int number) {
    }

    /**
     * JDK 17's {@code java.lang.runtime.ObjectMethods} (the code behind every record's equals, hashCode
     * and toString) keeps, per shared method handle, the last method type it adapted it to
     * ({@code MethodHandle.asTypeCache}): a strong reference to the last class loader whose records used
     * them, here the driver's ({@code NodeAddress}, {@code ClusterKey}...), until any other record does.
     * That is the JDK's, not the driver's (later JDKs hold it softly); one use of a record of this test's
     * loader replaces it, as the next record used anywhere in a real JVM would.
     */
    private static void forgetLastRecordTypes() {
        Flush a = new Flush("a", List.of(), 1);
        Flush b = new Flush("b", List.of("b"), 2);
        assertEquals(false, a.equals(b) || a.hashCode() == b.hashCode() && a.toString().equals(b.toString()));
    }

    private static List<Thread> topologyThreadsOf(ClassLoader server) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("citus-jdbc-topology"))
                .filter(t -> t.getContextClassLoader() == server)
                .toList();
    }

    private static void awaitCollected(WeakReference<ClassLoader> ref, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(100);
        }
        assertNull(ref.get(), what + " was not collected within 20 s");
    }
}
