package io.github.citusjdbc.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed generated sources must be exactly what {@link DelegateGenerator} produces today. */
class GeneratedDelegatesTest {

    private static final String HOW_TO_FIX = "out of date; regenerate from the repository root with:\n"
            + "  java driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java driver/src/main/java\n"
            + "  java driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java benchmarks/src/main/java --stubs";

    @Test
    void committedDelegatesMatchTheGenerator() throws IOException {
        for (DelegateGenerator.Spec spec : DelegateGenerator.specs()) {
            Path path = DelegateGenerator.pathOf(Path.of("src/main/java"), spec);
            assertTrue(Files.exists(path), path + " is missing; " + HOW_TO_FIX);
            assertEquals(DelegateGenerator.generate(spec, Path.of("src/main/java")), Files.readString(path),
                    path + " is " + HOW_TO_FIX);
        }
        Path log = DelegateGenerator.parameterLogPath(Path.of("src/main/java"));
        assertTrue(Files.exists(log), log + " is missing; " + HOW_TO_FIX);
        assertEquals(DelegateGenerator.generateParameterLog(), Files.readString(log), log + " is " + HOW_TO_FIX);
    }

    @Test
    void committedBenchmarkStubsMatchTheGenerator() throws IOException {
        for (DelegateGenerator.Spec spec : DelegateGenerator.stubSpecs()) {
            Path path = DelegateGenerator.pathOf(Path.of("../benchmarks/src/main/java"), spec);
            assertTrue(Files.exists(path), path + " is missing; " + HOW_TO_FIX);
            assertEquals(DelegateGenerator.generate(spec), Files.readString(path), path + " is " + HOW_TO_FIX);
        }
    }

    /**
     * The generated final statement classes only fill in what their hand-written superclasses leave
     * abstract: a generated method that overrode a hand-written one would silently bypass it.
     */
    @Test
    void generatedStatementClassesNeverOverrideHandWrittenMethods() throws NoSuchMethodException {
        for (Class<?> leaf : java.util.List.of(WrappedStatement.class, WrappedPreparedStatement.class,
                WrappedCallableStatement.class)) {
            assertTrue(java.lang.reflect.Modifier.isFinal(leaf.getModifiers()), leaf + " is final");
            assertTrue(java.lang.reflect.Modifier.isAbstract(leaf.getSuperclass().getModifiers()),
                    leaf.getSuperclass() + " is abstract");
            int checked = 0;
            for (java.lang.reflect.Method m : leaf.getDeclaredMethods()) {
                if (m.isSynthetic() || m.isBridge() || !java.lang.reflect.Modifier.isPublic(m.getModifiers())) {
                    continue;
                }
                java.lang.reflect.Method inherited = leaf.getSuperclass().getMethod(m.getName(), m.getParameterTypes());
                // Abstract, or a JDBC interface's default method (delegated so that pgjdbc's own answers).
                assertTrue(java.lang.reflect.Modifier.isAbstract(inherited.getModifiers())
                                || inherited.getDeclaringClass().isInterface(),
                        leaf.getSimpleName() + "." + m.getName() + " overrides the hand-written " + inherited);
                checked++;
            }
            assertTrue(checked > 0, leaf + " delegates something");
            assertEquals(0, leaf.getDeclaredFields().length, leaf + " holds no state");
        }
    }

    @Test
    void generatedConnectionDelegatesEveryInterfaceMethodOnce() {
        String source = DelegateGenerator.generate(DelegateGenerator.specs().get(1));
        long methods = source.lines().filter(l -> l.trim().equals("@Override")).count();
        long expected = java.util.Arrays.stream(java.sql.Connection.class.getMethods())
                .filter(m -> !java.lang.reflect.Modifier.isStatic(m.getModifiers()))
                .map(m -> m.getName() + java.util.Arrays.toString(m.getParameterTypes()))
                .distinct().count();
        assertEquals(expected, methods);
    }
}
