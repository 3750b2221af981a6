package io.github.citusjdbc.spi;

/**
 * Tells the driver which tenant (schema) the current unit of work belongs to, e.g. from a
 * request-scoped context of the application.
 *
 * <p>The driver consults the resolver when a transaction starts (for an autocommit statement:
 * when that statement starts): that answer is the transaction's tenant. Inside an open transaction
 * it is asked again at each statement only to check that the statement belongs to that tenant (a
 * statement bound to another tenant is refused with SQLState 25001, so a transaction left open by
 * a previous borrower of a pooled connection never runs the next borrower's work); it never changes
 * the transaction's tenant. Implementations must be thread-safe and fast: they run on the
 * application thread, at least once per transaction.
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
