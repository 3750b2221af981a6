package io.github.citusjdbc.tenant;

import io.github.citusjdbc.ThreadTenantResolver;
import io.github.citusjdbc.spi.TenantResolver;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Instantiates the {@code tenantResolver} class once per class name (at connect time, never per
 * statement) and shares the instance, which must therefore be thread-safe.
 */
public final class TenantResolvers {

    private static final TenantResolver THREAD = new ThreadTenantResolver();
    private static final ConcurrentHashMap<String, TenantResolver> BY_NAME = new ConcurrentHashMap<>();

    private TenantResolvers() {
    }

    /**
     * @param className a class implementing {@link TenantResolver} with a public no-argument
     *                  constructor; blank or {@link ThreadTenantResolver} for the default
     * @return the shared instance
     * @throws SQLException SQLState {@code 22023} naming {@code tenantResolver} when the class
     *                      cannot be loaded, is not a resolver, or cannot be instantiated
     */
    public static TenantResolver forName(String className) throws SQLException {
        if (className == null || className.isBlank() || className.equals(ThreadTenantResolver.class.getName())) {
            return THREAD;
        }
        TenantResolver known = BY_NAME.get(className);
        if (known != null) {
            return known;
        }
        TenantResolver created = instantiate(className.trim());
        TenantResolver raced = BY_NAME.putIfAbsent(className, created);
        return raced == null ? created : raced;
    }

    private static TenantResolver instantiate(String className) throws SQLException {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName(className, true,
                    loader != null ? loader : TenantResolvers.class.getClassLoader());
            if (!TenantResolver.class.isAssignableFrom(type)) {
                throw invalid(className, "the class does not implement " + TenantResolver.class.getName(), null);
            }
            return (TenantResolver) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            throw invalid(className, "cannot instantiate it: " + e, e);
        }
    }

    private static SQLException invalid(String className, String reason, Throwable cause) {
        return new SQLException("Invalid value for citus-jdbc property tenantResolver: '" + className + "'; " + reason,
                "22023", cause);
    }
}
