package io.github.citusjdbc.jdbc;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Writes the generated parts of the JDBC wrappers in {@code io.github.citusjdbc.jdbc} from the JDBC
 * interfaces: {@code ClosedConnection.java}, {@code ParameterLog.java}, and the final classes at the
 * bottom of the hand-written ones ({@code Wrapped*.java}, as in HikariCP's layering): each delegates
 * every interface method its hand-written abstract superclasses ({@link #HAND_WRITTEN}: for example
 * {@code LogicalConnection}, {@code LogicalStatement}) do not implement, found by reading their
 * sources for {@code @Override public} methods.
 *
 * <p>Why generated source rather than a runtime proxy: no reflection or runtime class generation
 * on the statement path (GraalVM-friendly, no ByteBuddy at run time), and every delegating call is
 * a plain virtual call the JIT inlines. Generated classes hold no state. JDK only for the driver's
 * classes, so it runs even when the main sources do not compile:
 * <pre>java driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java driver/src/main/java</pre>
 * The benchmarks' stub driver bases come from the same code (the connection from pgjdbc's
 * {@code BaseConnection}, so pgjdbc goes on the class path):
 * <pre>java -cp postgresql.jar driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java benchmarks/src/main/java --stubs</pre>
 * {@code GeneratedDelegatesTest} fails when a committed file differs from what this produces.
 */
public final class DelegateGenerator {

    /** How the generated methods behave. */
    enum Mode { DELEGATE, LEAF, THROW_CLOSED, UNSUPPORTED }

    /** For each generated final class, the hand-written superclasses whose overrides it leaves alone. */
    static final Map<String, List<String>> HAND_WRITTEN = Map.of(
            "WrappedConnection", List.of("LogicalConnection"),
            "WrappedDatabaseMetaData", List.of("LogicalDatabaseMetaData"),
            "WrappedStatement", List.of("LogicalStatement"),
            "WrappedPreparedStatement", List.of("LogicalPreparedStatement", "LogicalStatement"),
            "WrappedCallableStatement", List.of("LogicalCallableStatement", "LogicalPreparedStatement",
                    "LogicalStatement"));

    /**
     * One generated class.
     *
     * @param className      simple name
     * @param iface          the JDBC interface whose methods are generated
     * @param inherited      an interface whose methods the superclass already implements, or null
     * @param declaration    class declaration line up to and including '{'
     * @param members        fields and constructors, verbatim
     * @param target         expression the calls go to
     * @param wrapResultSets whether ResultSet results pass through {@code wrapResultSet}
     * @param mode           delegate (a base class or a final leaf), or throw
     * @param doc            class Javadoc body (one line)
     */
    record Spec(String className, Class<?> iface, Class<?> inherited, String declaration, String members,
                String target, boolean wrapResultSets, Mode mode, String doc, String packageName) {
        Spec(String className, Class<?> iface, Class<?> inherited, String declaration, String members,
             String target, boolean wrapResultSets, Mode mode, String doc) {
            this(className, iface, inherited, declaration, members, target, wrapResultSets, mode, doc, PACKAGE);
        }
    }

    static final String PACKAGE = "io.github.citusjdbc.jdbc";

    static List<Spec> specs() {
        return List.of(
                new Spec("ClosedConnection", Connection.class, null,
                        "final class ClosedConnection implements Connection {",
                        "    /** The only instance. */\n"
                                + "    static final ClosedConnection INSTANCE = new ClosedConnection();\n\n"
                                + "    private ClosedConnection() {\n    }\n\n"
                                + "    static SQLException closed() {\n"
                                + "        return new SQLException(\"This connection has been closed.\", CitusSqlState.CONNECTION_DOES_NOT_EXIST.getState());\n"
                                + "    }\n\n"
                                + "    static SQLClientInfoException closedClientInfo() {\n"
                                + "        return new SQLClientInfoException(\"This connection has been closed.\", CitusSqlState.CONNECTION_DOES_NOT_EXIST.getState(), 0, null);\n"
                                + "    }\n",
                        null, false, Mode.THROW_CLOSED,
                        "Stands in for the physical connection once a logical connection is closed: every method throws SQLState 08003."),
                new Spec("WrappedConnection", Connection.class, null,
                        "final class WrappedConnection extends LogicalConnection {",
                        "    WrappedConnection(Connection physical, io.github.citusjdbc.config.DriverConfig config, boolean citus) {\n"
                                + "        super(physical, config, citus);\n"
                                + "    }\n",
                        "delegate", false, Mode.LEAF,
                        "A logical connection: {@link LogicalConnection} plus every other {@link Connection} method"
                                + " delegated to the current physical connection."),
                new Spec("WrappedStatement", Statement.class, null,
                        "final class WrappedStatement extends LogicalStatement {",
                        "    WrappedStatement(LogicalConnection connection, Statement delegate) {\n"
                                + "        super(connection, delegate);\n"
                                + "    }\n",
                        null, true, Mode.LEAF,
                        "A {@link Statement} of a logical connection: {@link LogicalStatement} plus every other method"
                                + " delegated to the physical statement."),
                new Spec("WrappedPreparedStatement", PreparedStatement.class, null,
                        "final class WrappedPreparedStatement extends LogicalPreparedStatement {",
                        "    WrappedPreparedStatement(LogicalConnection connection, PreparedStatement delegate, String sql,\n"
                                + "                             String[] keyColumns, int type, int concurrency, int holdability) {\n"
                                + "        super(connection, delegate, sql, keyColumns, type, concurrency, holdability);\n"
                                + "    }\n",
                        null, true, Mode.LEAF,
                        "A {@link PreparedStatement} of a logical connection: {@link LogicalPreparedStatement} plus every"
                                + " other method delegated to the physical statement, parameter setters recorded."),
                new Spec("WrappedCallableStatement", CallableStatement.class, null,
                        "final class WrappedCallableStatement extends LogicalCallableStatement {",
                        "    WrappedCallableStatement(LogicalConnection connection, CallableStatement delegate, String sql,\n"
                                + "                             int type, int concurrency, int holdability) {\n"
                                + "        super(connection, delegate, sql, type, concurrency, holdability);\n"
                                + "    }\n",
                        null, true, Mode.LEAF,
                        "A {@link CallableStatement} of a logical connection: {@link LogicalCallableStatement} plus every"
                                + " other method delegated, the methods {@link CallableStatement} adds to the physical callable"
                                + " statement ({@code plain}), which keeps the OUT parameter registrations."),
                new Spec("WrappedDatabaseMetaData", DatabaseMetaData.class, null,
                        "final class WrappedDatabaseMetaData extends LogicalDatabaseMetaData {",
                        "    WrappedDatabaseMetaData(LogicalConnection connection, DatabaseMetaData delegate) {\n"
                                + "        super(connection, delegate);\n"
                                + "    }\n",
                        "delegate", true, Mode.LEAF,
                        "The metadata of a logical connection: {@link LogicalDatabaseMetaData} plus every other"
                                + " {@link DatabaseMetaData} method delegated to the physical metadata, after {@code beforeQuery()}."),
                // The one generated base that holds state: the result set's physical object. Two hand-written
                // classes share its delegation (LogicalResultSet, and BatchKeys, which moves it from one
                // entry's keys to the next); a final leaf under each would repeat the 190 methods.
                new Spec("DelegatingResultSet", ResultSet.class, null,
                        "abstract class DelegatingResultSet implements ResultSet {",
                        "    /** The current physical result set (a chain of them for batch generated keys). */\n"
                                + "    ResultSet delegate;\n\n"
                                + "    DelegatingResultSet(ResultSet delegate) {\n"
                                + "        this.delegate = delegate;\n"
                                + "    }\n",
                        "delegate", false, Mode.DELEGATE,
                        "Delegates every {@link ResultSet} method to the physical result set."));
    }

    /** Base classes for the benchmarks' stub driver: every method throws until a subclass overrides it. */
    static List<Spec> stubSpecs() {
        String pkg = "io.github.citusjdbc.benchmarks.stub";
        return List.of(
                // pgjdbc's interface too: the driver reads the transaction state and the server's reports from it.
                // Loaded by name, so that the driver's own classes are generated with the JDK alone.
                stub("AbstractStubConnection", pgjdbcBaseConnection(), pkg),
                stub("AbstractStubStatement", Statement.class, pkg),
                stub("AbstractStubPreparedStatement", PreparedStatement.class, pkg),
                stub("AbstractStubResultSet", ResultSet.class, pkg));
    }

    private static Class<?> pgjdbcBaseConnection() {
        try {
            return Class.forName("org.postgresql.core.BaseConnection");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("--stubs needs pgjdbc on the class path (-cp postgresql-<version>.jar)", e);
        }
    }

    private static Spec stub(String name, Class<?> iface, String pkg) {
        String type = name(iface);
        return new Spec(name, iface, null, "public abstract class " + name + " implements " + type + " {",
                "", null, false, Mode.UNSUPPORTED,
                "A {@link " + type + "} whose every method throws UnsupportedOperationException.", pkg);
    }

    static String generate(Spec spec) {
        return generate(spec, Path.of("src/main/java"));
    }

    /**
     * @param sourceRoot the main source root, where the hand-written superclasses of a
     *                   {@link Mode#LEAF} class are read
     */
    static String generate(Spec spec, Path sourceRoot) {
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by DelegateGenerator (driver/src/test/java/io/github/citusjdbc/jdbc). DO NOT EDIT.\n");
        sb.append("package ").append(spec.packageName()).append(";\n\n");
        if (spec.members() != null && spec.members().contains("CitusSqlState.")) {
            sb.append("import io.github.citusjdbc.CitusSqlState;\n");
        }
        sb.append("import java.sql.*;\n\n");
        sb.append("/** ").append(spec.doc()).append(" Generated; do not edit. */\n");
        sb.append("@SuppressWarnings(\"deprecation\")\n");
        sb.append(spec.declaration()).append('\n');
        if (!spec.members().isEmpty()) {
            sb.append('\n').append(spec.members());
        }
        java.util.Set<String> handWritten = handWritten(spec, sourceRoot);
        for (Method m : methods(spec)) {
            if (handWritten.contains(signature(m))) {
                continue;
            }
            sb.append('\n');
            appendMethod(sb, spec, m);
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static List<Method> methods(Spec spec) {
        Map<String, Method> bySignature = new LinkedHashMap<>();
        for (Method m : spec.iface().getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (spec.inherited() != null && declares(spec.inherited(), m)) {
                continue;
            }
            String key = m.getName() + Arrays.toString(m.getParameterTypes());
            Method existing = bySignature.get(key);
            // Keep the most specific declaration (Statement.close over AutoCloseable.close).
            if (existing == null || existing.getDeclaringClass().isAssignableFrom(m.getDeclaringClass())) {
                bySignature.put(key, m);
            }
        }
        List<Method> result = new ArrayList<>(bySignature.values());
        result.sort(Comparator.comparing(Method::getName).thenComparing(DelegateGenerator::parameterKey));
        return result;
    }

    /** {@code name(SimpleType,...)}: how a method is matched with a hand-written one. */
    static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(",", "(", ")"));
    }

    private static final java.util.regex.Pattern OVERRIDE = java.util.regex.Pattern.compile(
            "@Override\\s+public\\s+(?:final\\s+)?(?:<[^>]*>\\s+)?[\\w.\\[\\]<>?, ]+?\\s+(\\w+)\\s*\\(([^)]*)\\)");

    /** The signatures of the {@code @Override public} methods of a leaf's hand-written superclasses. */
    static java.util.Set<String> handWritten(Spec spec, Path sourceRoot) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String className : HAND_WRITTEN.getOrDefault(spec.className(), List.of())) {
            Path file = sourceRoot.resolve(spec.packageName().replace('.', '/')).resolve(className + ".java");
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + file, e);
            }
            java.util.regex.Matcher m = OVERRIDE.matcher(text);
            while (m.find()) {
                StringJoiner types = new StringJoiner(",", m.group(1) + "(", ")");
                for (String param : topLevel(m.group(2))) {
                    types.add(simpleType(param));
                }
                out.add(types.toString());
            }
        }
        return out;
    }

    /** Splits a parameter list at the commas outside type arguments. */
    private static List<String> topLevel(String params) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int from = 0;
        for (int i = 0; i < params.length(); i++) {
            char c = params.charAt(i);
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(params.substring(from, i));
                from = i + 1;
            }
        }
        if (!params.isBlank()) {
            out.add(params.substring(from));
        }
        return out;
    }

    /** {@code final java.util.Map<String, Class<?>> map} to {@code Map}. */
    private static String simpleType(String param) {
        String p = param.trim().replaceAll("^(final\\s+|@\\w+\\s+)+", "");
        p = p.substring(0, p.lastIndexOf(' ')).trim(); // drop the name
        String erased = p.replaceAll("<.*>", "").replace(" ", "");
        return erased.substring(erased.lastIndexOf('.') + 1);
    }

    private static boolean declares(Class<?> iface, Method m) {
        try {
            iface.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String parameterKey(Method m) {
        return Arrays.stream(m.getParameterTypes()).map(Class::getTypeName).collect(Collectors.joining(","));
    }

    private static void appendMethod(StringBuilder sb, Spec spec, Method m) {
        if (m.isAnnotationPresent(Deprecated.class)) {
            sb.append("    @Deprecated\n");
        }
        sb.append("    @Override\n    public ");
        TypeVariable<Method>[] typeParameters = m.getTypeParameters();
        if (typeParameters.length > 0) {
            StringJoiner tp = new StringJoiner(", ", "<", "> ");
            for (TypeVariable<Method> v : typeParameters) {
                tp.add(v.getName());
            }
            sb.append(tp);
        }
        sb.append(name(m.getGenericReturnType())).append(' ').append(m.getName()).append('(');
        Type[] params = m.getGenericParameterTypes();
        StringJoiner decl = new StringJoiner(", ");
        StringJoiner args = new StringJoiner(", ");
        for (int i = 0; i < params.length; i++) {
            String type = name(params[i]);
            if (m.isVarArgs() && i == params.length - 1) { // pgjdbc's BaseConnection.createQuery(..., String...)
                type = type.substring(0, type.length() - 2) + "...";
            }
            decl.add(type + " p" + (i + 1));
            args.add("p" + (i + 1));
        }
        sb.append(decl).append(')');
        Class<?>[] exceptions = m.getExceptionTypes();
        if (exceptions.length > 0) {
            sb.append(" throws ").append(Arrays.stream(exceptions).map(DelegateGenerator::name)
                    .collect(Collectors.joining(", ")));
        }
        sb.append(" {\n        ");
        if (spec.mode() == Mode.UNSUPPORTED) {
            sb.append("throw new UnsupportedOperationException(\"").append(m.getName()).append("\");\n    }\n");
            return;
        }
        if (spec.mode() == Mode.THROW_CLOSED) {
            sb.append("throw ").append(closedException(m)).append(";\n    }\n");
            return;
        }
        String target = spec.target() != null ? spec.target() : leafTarget(m);
        String call = target + "." + m.getName() + "(" + args + ")";
        if (spec.iface() == DatabaseMetaData.class && Arrays.asList(exceptions).contains(java.sql.SQLException.class)) {
            sb.append("beforeQuery();\n        ");
        }
        if (spec.mode() == Mode.LEAF && isParameterSetter(m) && isStreamSetter(m)) {
            // Streams are read once and large objects written once, so that the value can be set again.
            sb.append("StreamSetters.").append(m.getName()).append('(').append(target).append(", parameters, ")
                    .append(args).append(");\n    }\n");
        } else if (spec.mode() == Mode.LEAF && isParameterSetter(m)) {
            // Recorded after pgjdbc accepted it, so that a re-targeted statement gets the same parameters.
            sb.append(call).append(";\n        parameters.").append(m.getName()).append('(').append(args)
                    .append(");\n    }\n");
        } else if (m.getReturnType() == void.class) {
            sb.append(call).append(";\n    }\n");
        } else if (spec.wrapResultSets() && m.getReturnType() == ResultSet.class) {
            sb.append("return wrapResultSet(").append(call).append(");\n    }\n");
        } else {
            sb.append("return ").append(call).append(";\n    }\n");
        }
    }

    /**
     * Where a final statement class sends a method: the methods {@link CallableStatement} adds go to
     * the physical callable statement ({@code plain}, which keeps the OUT registrations), the others
     * to the physical statement that executes ({@code delegate}).
     */
    private static String leafTarget(Method m) {
        if (declares(Statement.class, m)) {
            return "delegate";
        }
        if (declares(PreparedStatement.class, m)) {
            return "((PreparedStatement) delegate)";
        }
        return "((CallableStatement) plain)";
    }

    /** @return whether {@code m} is a {@link PreparedStatement} parameter setter: {@code setXxx(int index, ...)} */
    static boolean isParameterSetter(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return m.getName().startsWith("set") && p.length >= 2 && p[0] == int.class
                && m.getDeclaringClass() == PreparedStatement.class;
    }

    /**
     * @return whether {@code m} is a parameter setter handled by {@code StreamSetters}: one taking a
     *         stream, a Reader, a Blob or Clob, or {@code setObject} (whose value may be any of them)
     */
    static boolean isStreamSetter(Method m) {
        if (m.getName().equals("setObject")) {
            return true;
        }
        for (Class<?> p : m.getParameterTypes()) {
            if (p == java.io.InputStream.class || p == java.io.Reader.class || java.sql.Blob.class.isAssignableFrom(p)
                    || java.sql.Clob.class.isAssignableFrom(p)) {
                return true;
            }
        }
        return false;
    }

    /** The path of {@link #generateParameterLog()}'s class under a source root. */
    static Path parameterLogPath(Path sourceRoot) {
        return sourceRoot.resolve(PACKAGE.replace('.', '/')).resolve("ParameterLog.java");
    }

    /**
     * Generates {@code ParameterLog}: one recording method per parameter setter of
     * {@link PreparedStatement}, storing primitives in {@code long} slots (no boxing) and objects in
     * {@code Object} slots, and {@code replay} calling the same setters on another statement.
     */
    static String generateParameterLog() {
        List<Method> setters = new ArrayList<>();
        for (Method m : methods(specs().get(3))) {
            if (isParameterSetter(m)) {
                setters.add(m);
            }
        }
        if (setters.size() > 127) {
            throw new IllegalStateException("too many setters for a byte code: " + setters.size());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by DelegateGenerator (driver/src/test/java/io/github/citusjdbc/jdbc). DO NOT EDIT.\n");
        sb.append("package ").append(PACKAGE).append(";\n\n");
        sb.append("import java.sql.*;\n\n");
        sb.append("/**\n * The parameters set on a logical prepared statement, by index, as the setter calls that set them,\n"
                + " * so that they can be replayed onto another physical statement (another tenant's envelope, or\n"
                + " * another connection). Primitives are kept unboxed; recording allocates only when the\n"
                + " * statement has more parameters than ever before. Not thread-safe. Generated; do not edit.\n */\n");
        sb.append("@SuppressWarnings(\"deprecation\")\nfinal class ParameterLog {\n");
        sb.append("    private byte[] op = new byte[0];\n");
        for (int j = 0; j < 3; j++) {
            sb.append("    private long[] l").append(j).append(" = new long[0];\n");
            sb.append("    private Object[] o").append(j).append(" = new Object[0];\n");
        }
        sb.append("\n    /** Forgets every parameter (as {@code clearParameters}). */\n    void clear() {\n"
                + "        java.util.Arrays.fill(op, (byte) 0);\n        java.util.Arrays.fill(o0, null);\n"
                + "        java.util.Arrays.fill(o1, null);\n        java.util.Arrays.fill(o2, null);\n    }\n");
        sb.append("\n    /** @return whether no parameter is recorded */\n    boolean isEmpty() {\n"
                + "        for (byte b : op) {\n            if (b != 0) {\n                return false;\n            }\n"
                + "        }\n        return true;\n    }\n");
        sb.append("\n    /** @return an independent copy (a batch entry's parameters at {@code addBatch}) */\n"
                + "    ParameterLog copy() {\n        int n = op.length;\n        while (n > 1 && op[n - 1] == 0) {\n"
                + "            n--;\n        }\n        ParameterLog c = new ParameterLog();\n"
                + "        c.op = java.util.Arrays.copyOf(op, n);\n");
        for (int j = 0; j < 3; j++) {
            sb.append("        c.l").append(j).append(" = java.util.Arrays.copyOf(l").append(j).append(", n);\n");
            sb.append("        c.o").append(j).append(" = java.util.Arrays.copyOf(o").append(j).append(", n);\n");
        }
        sb.append("        return c;\n    }\n");
        sb.append("\n    /** @return whether every index from 1 to {@code count} has a value */\n"
                + "    boolean covers(int count) {\n        if (count >= op.length) {\n            return count == 0;\n        }\n"
                + "        for (int i = 1; i <= count; i++) {\n            if (op[i] == 0) {\n                return false;\n"
                + "            }\n        }\n        return true;\n    }\n");
        sb.append("\n    /** @return whether a value is recorded for parameter {@code index} (1-based) */\n"
                + "    boolean isSet(int index) {\n        return index > 0 && index < op.length && op[index] != 0;\n    }\n");
        // Only the first value's arrays grow with the index (one growth to 8 for most statements):
        // the second and third, used by a few setters (setObject with type and scale...), grow in wide().
        sb.append("\n    private void slot(int index, int code) {\n        if (index >= op.length) {\n"
                + "            int n = Math.max(Math.max(index + 1, 8), op.length * 2);\n"
                + "            op = java.util.Arrays.copyOf(op, n);\n"
                + "            l0 = java.util.Arrays.copyOf(l0, n);\n"
                + "            o0 = java.util.Arrays.copyOf(o0, n);\n");
        sb.append("        }\n        op[index] = (byte) code;\n        o0[index] = null;\n"
                + "        if (index < o1.length) {\n            o1[index] = null;\n            o2[index] = null;\n"
                + "        }\n    }\n");
        sb.append("\n    /** Sizes the second and third values' arrays as the first's, for a setter that records them. */\n"
                + "    private void wide() {\n        if (l1.length < op.length) {\n            int n = op.length;\n");
        for (int j = 1; j < 3; j++) {
            sb.append("            l").append(j).append(" = java.util.Arrays.copyOf(l").append(j).append(", n);\n");
            sb.append("            o").append(j).append(" = java.util.Arrays.copyOf(o").append(j).append(", n);\n");
        }
        sb.append("        }\n    }\n");
        int code = 1;
        StringBuilder replay = new StringBuilder();
        for (Method m : setters) {
            Type[] types = m.getGenericParameterTypes();
            Class<?>[] raw = m.getParameterTypes();
            sb.append("\n    void ").append(m.getName()).append("(int index");
            for (int i = 1; i < types.length; i++) {
                sb.append(", ").append(name(types[i])).append(" p").append(i + 1);
            }
            sb.append(") {\n        if (index < 1) {\n            return;\n        }\n        slot(index, ").append(code).append(");\n");
            if (types.length > 2) {
                sb.append("        wide();\n");
            }
            StringJoiner args = new StringJoiner(", ");
            args.add("i");
            for (int i = 1; i < types.length; i++) {
                int j = i - 1;
                String p = "p" + (i + 1);
                if (raw[i].isPrimitive()) {
                    sb.append("        l").append(j).append("[index] = ").append(encode(raw[i], p)).append(";\n");
                    args.add(decode(raw[i], "l" + j + "[p]"));
                } else if (raw[i] == java.io.InputStream.class || raw[i] == java.io.Reader.class
                        || raw[i] == Object.class) {
                    // A stream read once (StreamValues) is given to each target from its start.
                    sb.append("        o").append(j).append("[index] = ").append(p).append(";\n");
                    args.add("(" + name(types[i]) + ") StreamValues.again(o" + j + "[p])");
                } else {
                    sb.append("        o").append(j).append("[index] = ").append(p).append(";\n");
                    args.add("(" + name(types[i]) + ") o" + j + "[p]");
                }
            }
            sb.append("    }\n");
            replay.append("                case ").append(code).append(" -> target.").append(m.getName()).append('(')
                    .append(args).append(");\n");
            code++;
        }
        sb.append("\n    /**\n     * Sets every recorded parameter on {@code target}, in index order, with the same setter.\n"
                + "     *\n     * @param target a statement of the same SQL text (any connection)\n"
                + "     * @throws SQLException as the target's setter throws it\n     */\n"
                + "    void replay(PreparedStatement target) throws SQLException {\n"
                + "        replay(target, 0);\n    }\n"
                + "\n    /**\n     * Sets every recorded parameter on {@code target} at its index plus {@code offset} (a copy of\n"
                + "     * the SQL repeated in one multi-statement text), in index order, with the same setter.\n"
                + "     *\n     * @param target a statement whose text holds the SQL at parameter offset {@code offset}\n"
                + "     * @param offset added to every index\n"
                + "     * @throws SQLException as the target's setter throws it\n     */\n"
                + "    void replay(PreparedStatement target, int offset) throws SQLException {\n"
                + "        for (int p = 1; p < op.length; p++) {\n            int i = p + offset;\n"
                + "            switch (op[p]) {\n"
                + "                case 0 -> {\n                }\n");
        sb.append(replay);
        sb.append("                default -> throw new IllegalStateException(\"unknown setter \" + op[p]);\n"
                + "            }\n        }\n    }\n}\n");
        return sb.toString();
    }

    private static String encode(Class<?> type, String v) {
        if (type == boolean.class) {
            return v + " ? 1L : 0L";
        }
        if (type == float.class) {
            return "Float.floatToRawIntBits(" + v + ")";
        }
        if (type == double.class) {
            return "Double.doubleToRawLongBits(" + v + ")";
        }
        return v;
    }

    private static String decode(Class<?> type, String slot) {
        if (type == boolean.class) {
            return slot + " != 0";
        }
        if (type == float.class) {
            return "Float.intBitsToFloat((int) " + slot + ")";
        }
        if (type == double.class) {
            return "Double.longBitsToDouble(" + slot + ")";
        }
        if (type == long.class) {
            return slot;
        }
        return "(" + type.getName() + ") " + slot;
    }

    private static String closedException(Method m) {
        for (Class<?> e : m.getExceptionTypes()) {
            if (e.isAssignableFrom(SQLException.class)) {
                return "closed()";
            }
        }
        for (Class<?> e : m.getExceptionTypes()) {
            if (e == SQLClientInfoException.class) {
                return "closedClientInfo()";
            }
        }
        throw new IllegalStateException("cannot throw SQLException from " + m);
    }

    private static String name(Type type) {
        return type.getTypeName().replaceAll("\\bjava\\.(lang|sql)\\.(?=[A-Z])", "").replace('$', '.'); // nested types
    }

    static Path pathOf(Path sourceRoot, Spec spec) {
        return sourceRoot.resolve(spec.packageName().replace('.', '/')).resolve(spec.className() + ".java");
    }

    /**
     * Writes every generated class.
     *
     * @param args the main source root, e.g. {@code driver/src/main/java}; with a second argument
     *             {@code --stubs}, writes the benchmarks' stub base classes under that root instead
     * @throws IOException when a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/main/java");
        boolean stubs = args.length > 1 && args[1].equals("--stubs");
        for (Spec spec : stubs ? stubSpecs() : specs()) {
            Path path = pathOf(root, spec);
            Files.createDirectories(path.getParent());
            Files.writeString(path, generate(spec, root), StandardCharsets.UTF_8);
            System.out.println("wrote " + path);
        }
        if (!stubs) {
            Files.writeString(parameterLogPath(root), generateParameterLog(), StandardCharsets.UTF_8);
            System.out.println("wrote " + parameterLogPath(root));
        }
    }
}
