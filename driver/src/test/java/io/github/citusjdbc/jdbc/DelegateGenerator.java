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
 * Writes the delegating base classes of the JDBC wrappers ({@code Delegating*.java} and
 * {@code ClosedConnection.java} in {@code io.github.citusjdbc.jdbc}) from the JDBC interfaces.
 *
 * <p>Why generated source rather than a runtime proxy: no reflection or runtime class generation
 * on the statement path (GraalVM-friendly, no ByteBuddy at run time), and every delegating call is
 * a plain virtual call the JIT inlines. Hand-written {@code Logical*} subclasses override only what
 * they intercept. JDK only, so it runs even when the main sources do not compile:
 * <pre>java driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java driver/src/main/java</pre>
 * The benchmarks' stub driver bases come from the same code:
 * <pre>java driver/src/test/java/io/github/citusjdbc/jdbc/DelegateGenerator.java benchmarks/src/main/java --stubs</pre>
 * {@code GeneratedDelegatesTest} fails when a committed file differs from what this produces.
 */
public final class DelegateGenerator {

    /** How the generated methods behave. */
    enum Mode { DELEGATE, THROW_CLOSED, UNSUPPORTED }

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
     * @param mode           delegate or throw
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
        String abstractWrap = "    /** Wraps a result set of the delegate so that its identity leads back to the wrappers. */\n"
                + "    abstract ResultSet wrapResultSet(ResultSet resultSet) throws SQLException;\n";
        return List.of(
                new Spec("ClosedConnection", Connection.class, null,
                        "final class ClosedConnection implements Connection {",
                        "    /** The only instance. */\n"
                                + "    static final ClosedConnection INSTANCE = new ClosedConnection();\n\n"
                                + "    private ClosedConnection() {\n    }\n\n"
                                + "    static SQLException closed() {\n"
                                + "        return new SQLException(\"This connection has been closed.\", \"08003\");\n"
                                + "    }\n\n"
                                + "    static SQLClientInfoException closedClientInfo() {\n"
                                + "        return new SQLClientInfoException(\"This connection has been closed.\", \"08003\", 0, null);\n"
                                + "    }\n",
                        null, false, Mode.THROW_CLOSED,
                        "Stands in for the physical connection once a logical connection is closed: every method throws SQLState 08003."),
                new Spec("DelegatingConnection", Connection.class, null,
                        "abstract class DelegatingConnection implements Connection {",
                        "    /** The current physical connection; routing may swap it between transactions. */\n"
                                + "    Connection delegate;\n\n"
                                + "    DelegatingConnection(Connection delegate) {\n"
                                + "        this.delegate = delegate;\n"
                                + "    }\n",
                        "delegate", false, Mode.DELEGATE,
                        "Delegates every {@link Connection} method to the current physical connection."),
                new Spec("DelegatingStatement", Statement.class, null,
                        "abstract class DelegatingStatement implements Statement {",
                        "    /** The physical statement; re-targeting may swap it. */\n"
                                + "    Statement delegate;\n\n"
                                + "    DelegatingStatement(Statement delegate) {\n"
                                + "        this.delegate = delegate;\n"
                                + "    }\n\n" + abstractWrap,
                        "delegate", true, Mode.DELEGATE,
                        "Delegates every {@link Statement} method to the physical statement."),
                new Spec("DelegatingPreparedStatement", PreparedStatement.class, Statement.class,
                        "abstract class DelegatingPreparedStatement extends LogicalStatement implements PreparedStatement {",
                        "    DelegatingPreparedStatement(LogicalConnection connection, PreparedStatement delegate) {\n"
                                + "        super(connection, delegate);\n"
                                + "    }\n",
                        "((PreparedStatement) delegate)", true, Mode.DELEGATE,
                        "Delegates the methods {@link PreparedStatement} adds to {@link Statement}."),
                new Spec("DelegatingCallableStatement", CallableStatement.class, PreparedStatement.class,
                        "abstract class DelegatingCallableStatement extends LogicalPreparedStatement implements CallableStatement {",
                        "    DelegatingCallableStatement(LogicalConnection connection, CallableStatement delegate) {\n"
                                + "        super(connection, delegate);\n"
                                + "    }\n",
                        "((CallableStatement) delegate)", true, Mode.DELEGATE,
                        "Delegates the methods {@link CallableStatement} adds to {@link PreparedStatement}."),
                new Spec("DelegatingDatabaseMetaData", DatabaseMetaData.class, null,
                        "abstract class DelegatingDatabaseMetaData implements DatabaseMetaData {",
                        "    final DatabaseMetaData delegate;\n\n"
                                + "    DelegatingDatabaseMetaData(DatabaseMetaData delegate) {\n"
                                + "        this.delegate = delegate;\n"
                                + "    }\n\n" + abstractWrap,
                        "delegate", true, Mode.DELEGATE,
                        "Delegates every {@link DatabaseMetaData} method to the physical metadata."),
                new Spec("DelegatingResultSet", ResultSet.class, null,
                        "abstract class DelegatingResultSet implements ResultSet {",
                        "    final ResultSet delegate;\n\n"
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
                stub("AbstractStubConnection", Connection.class, pkg),
                stub("AbstractStubStatement", Statement.class, pkg),
                stub("AbstractStubPreparedStatement", PreparedStatement.class, pkg),
                stub("AbstractStubResultSet", ResultSet.class, pkg));
    }

    private static Spec stub(String name, Class<?> iface, String pkg) {
        return new Spec(name, iface, null, "public abstract class " + name + " implements " + iface.getSimpleName() + " {",
                "", null, false, Mode.UNSUPPORTED,
                "A {@link " + iface.getSimpleName() + "} whose every method throws UnsupportedOperationException.", pkg);
    }

    static String generate(Spec spec) {
        StringBuilder sb = new StringBuilder();
        sb.append("// GENERATED by DelegateGenerator (driver/src/test/java/io/github/citusjdbc/jdbc). DO NOT EDIT.\n");
        sb.append("package ").append(spec.packageName()).append(";\n\n");
        sb.append("import java.sql.*;\n\n");
        sb.append("/** ").append(spec.doc()).append(" Generated; do not edit. */\n");
        sb.append("@SuppressWarnings(\"deprecation\")\n");
        sb.append(spec.declaration()).append('\n');
        if (!spec.members().isEmpty()) {
            sb.append('\n').append(spec.members());
        }
        for (Method m : methods(spec)) {
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
        if (m.isVarArgs()) {
            throw new IllegalStateException("varargs not supported: " + m);
        }
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
            decl.add(name(params[i]) + " p" + (i + 1));
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
        String call = spec.target() + "." + m.getName() + "(" + args + ")";
        if (m.getReturnType() == void.class) {
            sb.append(call).append(";\n    }\n");
        } else if (spec.wrapResultSets() && m.getReturnType() == ResultSet.class) {
            sb.append("return wrapResultSet(").append(call).append(");\n    }\n");
        } else {
            sb.append("return ").append(call).append(";\n    }\n");
        }
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
        return type.getTypeName().replaceAll("\\bjava\\.(lang|sql)\\.(?=[A-Z])", "");
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
            Files.writeString(path, generate(spec), StandardCharsets.UTF_8);
            System.out.println("wrote " + path);
        }
    }
}
