package io.github.citusjdbc.tenant;

import io.github.citusjdbc.CitusSqlState;
import io.github.citusjdbc.ThreadTenantResolver;
import io.github.citusjdbc.spi.TenantResolver;
import java.sql.SQLException;

/**
 * Instantiates the {@code tenantResolver} class once per class (at connect time, never per
 * statement) and shares the instance, which must therefore be thread-safe.
 *
 * <p>The class is loaded without being initialised and initialised (by its instantiation) only once
 * it is known to be a {@link TenantResolver}: a class name from a URL runs no static code otherwise.
 * Instances are kept in a {@link ClassValue}, that is with the resolver's class itself, so the driver
 * holds no reference to an application's class loader once the application is gone.
 */
public final class TenantResolvers {

    private static final TenantResolver THREAD = new ThreadTenantResolver();
    private static final ClassValue<TenantResolver> INSTANCES = new ClassValue<>() {
        @Override
        protected TenantResolver computeValue(Class<?> type) {
            try {
                return (TenantResolver) type.getConstructor().newInstance();
            } catch (ReflectiveOperationException e) {
                throw new InstantiationFailed(e);
            }
        }
    };

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
        if (className == null || className.isBlank() || className.trim().equals(ThreadTenantResolver.class.getName())) {
            return THREAD;
        }
        String name = className.trim();
        Class<?> type;
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            type = Class.forName(name, false, loader != null ? loader : TenantResolvers.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw invalid(name, "cannot load it: " + e, e);
        }
        if (!TenantResolver.class.isAssignableFrom(type)) {
            throw invalid(name, "the class does not implement " + TenantResolver.class.getName(), null);
        }
        try {
            return INSTANCES.get(type);
        } catch (InstantiationFailed e) {
            throw invalid(name, "cannot instantiate it: " + e.getCause(), e.getCause());
        } catch (RuntimeException | LinkageError e) {
            throw invalid(name, "cannot instantiate it: " + e, e);
        }
    }

    private static SQLException invalid(String className, String reason, Throwable cause) {
        return new SQLException("Invalid value for citus-jdbc property tenantResolver: '" + className + "'; " + reason,
                CitusSqlState.INVALID_PARAMETER_VALUE.getState(), cause);
    }

    /** Carries a checked instantiation failure out of {@link ClassValue#computeValue}. */
    private static final class InstantiationFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InstantiationFailed(ReflectiveOperationException cause) {
            super(cause);
        }
    }
}
