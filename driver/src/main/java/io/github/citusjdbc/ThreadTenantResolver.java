package io.github.citusjdbc;

import io.github.citusjdbc.spi.TenantResolver;

/**
 * The default {@link TenantResolver}: the tenant bound to the calling thread with
 * {@link CitusTenants#bind(String)}, or null when none is bound. Stateless and thread-safe.
 */
public final class ThreadTenantResolver implements TenantResolver {

    /** Creates the resolver (the driver does, from the {@code tenantResolver} property). */
    /**
     * The tenant bound on each thread by {@link CitusTenants#bind}; kept here so that this resolver,
     * which the internal packages use as the default, depends on nothing of theirs.
     */
    static final ThreadLocal<String> BOUND = new ThreadLocal<>();

    public ThreadTenantResolver() {
    }

    /** @return {@link CitusTenants#current()} */
    @Override
    public String currentTenant() {
        return BOUND.get();
    }
}
