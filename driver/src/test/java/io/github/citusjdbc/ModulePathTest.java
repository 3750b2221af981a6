package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.testkit.LocalCluster;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The driver as a named module ({@code module-info.java}): an application module that requires
 * {@code io.github.citusjdbc} finds the driver through {@code DriverManager} (its
 * {@code provides java.sql.Driver}), pins a tenant on the real cluster, sees only the exported
 * packages (and pgjdbc alone the one with the socket factory it instantiates for routed logins, which
 * a read-only statement routed to a standby uses here), and can neither compile against nor
 * reflectively call the internal ones. The suite
 * itself runs on the class path; this test starts a JVM of its own on the module path.
 */
class ModulePathTest {

    private static final String APP_MODULE = "module app { requires io.github.citusjdbc; }\n";

    private static final String MAIN = """
            package app;

            import io.github.citusjdbc.CitusConnection;
            import io.github.citusjdbc.CitusDriver;
            import java.sql.*;
            import java.util.TreeSet;

            public final class Main {
                public static void main(String[] a) throws Exception {
                    System.out.println("driver=" + DriverManager.getDriver(a[0]).getClass().getName());
                    try (Connection c = DriverManager.getConnection(a[0], a[1], a[2])) {
                        c.setSchema(a[3]);
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
                            rs.next();
                            System.out.println("schema=" + rs.getString(1));
                        }
                        System.out.println("citusConnection=" + c.isWrapperFor(CitusConnection.class));
                        c.setReadOnly(true); // routed to a standby: pgjdbc instantiates the driver's socket factory
                        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                            rs.next();
                            System.out.println("routedToStandby=" + rs.getBoolean(1));
                        }
                    }
                    Module m = CitusDriver.class.getModule();
                    System.out.println("module=" + m.getName());
                    TreeSet<String> exports = new TreeSet<>();
                    TreeSet<String> exportsTo = new TreeSet<>();
                    m.getDescriptor().exports().forEach(e -> (e.isQualified() ? exportsTo : exports)
                            .add(e.source() + (e.isQualified() ? " to " + e.targets() : "")));
                    System.out.println("exports=" + exports);
                    System.out.println("exportsTo=" + exportsTo);
                    System.out.println("pgjdbcModule=" + Class.forName("org.postgresql.Driver").getModule().getName());
                    Class<?> internal = Class.forName("io.github.citusjdbc.jdbc.LogicalConnections");
                    try {
                        internal.getMethod("open", Driver.class, Class.forName("io.github.citusjdbc.config.DriverConfig"))
                                .invoke(null, null, null);
                        System.out.println("internal=called");
                    } catch (IllegalAccessException e) {
                        System.out.println("internal=refused");
                    }
                }
            }
            """;

    /** An application class that uses an internal package: must not compile on the module path. */
    private static final String INTERNAL_USER = """
            package app;

            public final class UsesInternals {
                Object config = io.github.citusjdbc.config.DriverConfig.class;
            }
            """;

    private static LocalCluster cluster;
    private static String tenant;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.shared();
        tenant = "modpath_" + ThreadLocalRandom.current().nextInt(1_000_000);
        cluster.citus().createTenant(tenant, null, List.of("CREATE TABLE t(id int)"), cluster.user());
    }

    @Test
    void theDriverWorksAsANamedModuleAndExportsOnlyItsApi(@TempDir Path dir) throws Exception {
        String modulePath = modulePath();
        Path classes = dir.resolve("classes");
        List<String> errors = compile(dir.resolve("src"), classes, modulePath, MAIN);
        assertEquals(List.of(), errors);

        String url = cluster.jdbcUrl(cluster.coordinator()).replace("jdbc:postgresql:", "jdbc:citus:");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", classes + File.pathSeparator + modulePath,
                "--module", "app/app.Main", url, cluster.user(), cluster.password(), tenant);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("driver=io.github.citusjdbc.CitusDriver\n"), out);
        assertTrue(out.contains("schema=" + tenant + "\n"), out);
        assertTrue(out.contains("citusConnection=true\n"), out);
        assertTrue(out.contains("module=io.github.citusjdbc\n"), out);
        assertTrue(out.contains("exports=[io.github.citusjdbc, io.github.citusjdbc.hibernate, io.github.citusjdbc.micrometer]\n"), out);
        // pgjdbc alone may instantiate the socket factory of routed logins (by name), and did.
        assertTrue(out.contains("exportsTo=[io.github.citusjdbc.sockets to [org.postgresql.jdbc]]\n"), out);
        assertTrue(out.contains("pgjdbcModule=org.postgresql.jdbc\n"), out);
        assertTrue(out.contains("routedToStandby=true\n"), out);
        assertTrue(out.contains("internal=refused\n"), out);
        assertFalse(out.contains(cluster.password()), "the password never appears in the output");
    }

    @Test
    void anApplicationModuleCannotCompileAgainstInternals(@TempDir Path dir) throws Exception {
        List<String> errors = compile(dir.resolve("src"), dir.resolve("classes"), modulePath(), INTERNAL_USER);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("io.github.citusjdbc.config")
                && errors.get(0).contains("does not export"), errors.get(0));
    }

    /** The driver's classes and the modules it requires, taken from this JVM's class path. */
    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        entries.add(Path.of("target/classes").toAbsolutePath().toString());
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).toString();
            if (name.contains("citus-jdbc-spi") || name.endsWith("spi/target/classes")
                    || name.matches(".*/postgresql-42\\.[0-9.]+\\.jar") || name.matches(".*/slf4j-api-[0-9.]+\\.jar")
                    || name.matches(".*/caffeine-[0-9.]+\\.jar")) {
                entries.add(name);
            }
        }
        assertEquals(5, entries.size(), "driver, spi, pgjdbc, slf4j, caffeine on " + entries);
        return String.join(File.pathSeparator, entries);
    }

    /** Compiles module {@code app} with {@code source} (package {@code app}); returns the error messages. */
    private static List<String> compile(Path src, Path out, String modulePath, String source) throws IOException {
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), APP_MODULE);
        String className = source.substring(source.indexOf("class ") + 6, source.indexOf(' ', source.indexOf("class ") + 6));
        Files.writeString(src.resolve("app").resolve(className + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(
                    src.resolve("module-info.java"), src.resolve("app").resolve(className + ".java"));
            javac.getTask(null, files, diagnostics,
                    List.of("--module-path", modulePath, "--class-path", out.toString(), "-d", out.toString(), "-proc:none"), null, units).call();
        }
        return diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == javax.tools.Diagnostic.Kind.ERROR)
                .map(d -> d.getMessage(null))
                .collect(Collectors.toList());
    }
}
