package io.github.citusjdbc;

import io.github.citusjdbc.spi.TenantResolver;

/**
 * The default {@link TenantResolver}: the tenant bound to the calling thread with
 * {@link CitusTenants#bind(String)}, or null when none is bound. Stateless and thread-safe.
 */
public final class ThreadTenantResolver implements TenantResolver {

    /** Creates the resolver (the driver does, from the {@code tenantResolver} property). */
    public ThreadTenantResolver() {
    }

    /** @return {@link CitusTenants#current()} */
    @Override
    public String currentTenant() {
        return CitusTenants.current();
    }
}
