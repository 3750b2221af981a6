package io.github.citusjdbc.spi;

/**
 * Tells the driver which tenant (schema) the current unit of work belongs to, e.g. from a
 * request-scoped context of the application.
 *
 * <p>The driver consults the resolver when a transaction starts (for an autocommit statement:
 * when that statement starts), never in the middle of a transaction. Implementations must be
 * thread-safe and fast: they run on the application thread, once per transaction.
 */
@FunctionalInterface
public interface TenantResolver {
    /**
     * Returns the tenant of the unit of work that is starting on the calling thread.
     *
     * @return the tenant schema name, or null when the unit of work belongs to no tenant
     */
    String currentTenant();
}
