package io.github.citusjdbc.routing;

import io.github.citusjdbc.CitusProperty;
import io.github.citusjdbc.spi.NodeSelector;
import java.sql.SQLException;

/**
 * Creates the {@link NodeSelector} named by the {@code nodeSelector} property. Called when a
 * router is built (once per cluster), never per statement; a class name is instantiated there
 * (the only reflective step of routing), and only initialised once it is known to be a
 * {@link NodeSelector}.
 */
public final class NodeSelectors {

    /** The built-in round-robin selector's name. */
    public static final String ROUND_ROBIN = "roundRobin";
    /** The built-in random selector's name. */
    public static final String RANDOM = "random";
    /** The built-in least-outstanding selector's name. */
    public static final String LEAST_OUTSTANDING = "leastOutstanding";

    private NodeSelectors() {
    }

    /**
     * @param name {@code roundRobin}, {@code random}, {@code leastOutstanding}, or the name of a
     *             public class implementing {@link NodeSelector} with a public no-argument constructor
     *             (loaded through the thread's context class loader, else this driver's); null or
     *             blank means {@code roundRobin}
     * @return a new selector (a stateful one must not be shared between clusters)
     * @throws SQLException SQLState {@code 22023} naming {@code nodeSelector} when the class cannot be
     *                      loaded, is not a {@link NodeSelector}, or cannot be instantiated
     */
    public static NodeSelector create(String name) throws SQLException {
        String n = name == null ? "" : name.trim();
        switch (n) {
            case "", ROUND_ROBIN:
                return new RoundRobinSelector();
            case RANDOM:
                return new RandomSelector();
            case LEAST_OUTSTANDING:
                return new LeastOutstandingSelector();
            default:
                return instantiate(n);
        }
    }

    private static NodeSelector instantiate(String className) throws SQLException {
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            // Not initialised before its type is checked: a class named in a URL must not run static code otherwise.
            type = Class.forName(className, false, loader != null ? loader : NodeSelectors.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw invalid(className, "not roundRobin, random, leastOutstanding nor a loadable class: " + e, e);
        }
        if (!NodeSelector.class.isAssignableFrom(type)) {
            throw invalid(className, "the class does not implement " + NodeSelector.class.getName(), null);
        }
        try {
            return (NodeSelector) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw invalid(className, "cannot instantiate it (public no-argument constructor needed): " + e, e);
        }
    }

    private static SQLException invalid(String value, String reason, Throwable cause) {
        SQLException e = CitusProperty.NODE_SELECTOR.invalidValue(value, reason);
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
