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
            + "  java -cp <pgjdbc jar> driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java"
            + " benchmarks/src/main/java --stubs";

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
     * The generated final classes only fill in what their hand-written superclasses leave abstract: a
     * generated method that overrode a hand-written one would silently bypass it.
     */
    @Test
    void generatedClassesNeverOverrideHandWrittenMethods() throws NoSuchMethodException {
        for (Class<?> leaf : java.util.List.of(WrappedConnection.class, WrappedStatement.class,
                WrappedPreparedStatement.class, WrappedCallableStatement.class, WrappedDatabaseMetaData.class)) {
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

    /** Every {@link java.sql.Connection} method is written by hand in {@link LogicalConnection} or generated, once. */
    @Test
    void everyConnectionMethodIsHandWrittenOrGeneratedOnce() {
        DelegateGenerator.Spec spec = DelegateGenerator.specs().get(1);
        assertEquals("WrappedConnection", spec.className());
        java.util.Set<String> handWritten = DelegateGenerator.handWritten(spec, Path.of("src/main/java"));
        String source = DelegateGenerator.generate(spec, Path.of("src/main/java"));
        long generated = source.lines().filter(l -> l.trim().equals("@Override")).count();
        java.util.Set<String> methods = new java.util.HashSet<>();
        long written = 0;
        for (java.lang.reflect.Method m : java.sql.Connection.class.getMethods()) {
            if (!java.lang.reflect.Modifier.isStatic(m.getModifiers()) && methods.add(DelegateGenerator.signature(m))
                    && handWritten.contains(DelegateGenerator.signature(m))) {
                written++;
            }
        }
        assertTrue(written > 10, "LogicalConnection writes the session and transaction methods itself");
        assertEquals(methods.size(), generated + written);
    }
}
