package io.github.citusjdbc.hibernate;

import io.github.citusjdbc.CitusTenants;

import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

/**
 * Tells Hibernate the current tenant from the driver's thread binding
 * ({@link CitusTenants#bind(String)}), so one binding per request decides both the Hibernate
 * session's tenant and the driver's pin:
 * <pre>{@code
 * try (CitusTenants.Scope scope = CitusTenants.bind(tenantOf(request));
 *      Session session = sessionFactory.openSession()) {    // tenant taken from the binding
 *     ...
 * }
 * }</pre>
 *
 * <p>Set it as {@code hibernate.tenant_identifier_resolver} (class name or instance). With no
 * binding, it answers the default tenant given to the constructor, or {@code null} (the no-argument
 * constructor), and Hibernate then refuses to open a session without an explicit
 * {@code tenantIdentifier(...)}. Stateless and thread-safe.
 */
public class CitusTenantIdentifierResolver implements CurrentTenantIdentifierResolver<String> {
    private final String defaultTenant;

    /** A resolver with no default tenant (for Hibernate, by class name). */
    public CitusTenantIdentifierResolver() {
        this(null);
    }

    /** @param defaultTenant the tenant answered when none is bound to the thread; may be null */
    public CitusTenantIdentifierResolver(String defaultTenant) {
        this.defaultTenant = defaultTenant;
    }

    /** @return the tenant bound to the calling thread, else the default tenant (possibly null) */
    @Override
    public String resolveCurrentTenantIdentifier() {
        String bound = CitusTenants.current();
        return bound != null ? bound : defaultTenant;
    }

    /** @return true: a current session ({@code getCurrentSession()}) must belong to the current tenant */
    @Override
    public boolean validateExistingCurrentSessions() {
        return true;
    }
}
