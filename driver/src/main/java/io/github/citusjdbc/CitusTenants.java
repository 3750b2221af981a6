package io.github.citusjdbc;

import io.github.citusjdbc.tenant.TenantName;
import java.sql.SQLException;

/**
 * Binds a tenant to the current thread for the duration of a try-with-resources block:
 * <pre>{@code
 * try (CitusTenants.Scope scope = CitusTenants.bind("tenant_7")) {
 *     // every transaction started by this thread on a citus-jdbc connection runs in tenant_7
 * }
 * }</pre>
 *
 * <p>The default {@code tenantResolver} ({@link ThreadTenantResolver}) reads this binding when a
 * transaction starts. <b>Precedence</b>: a bound tenant wins over a tenant set earlier with
 * {@link java.sql.Connection#setSchema(String)} and over {@code currentSchema}; so a pooled
 * connection whose previous borrower called {@code setSchema} still runs in the tenant the
 * current request bound. A binding does not change a transaction already started: it applies from
 * the next transaction on.
 *
 * <p>Scopes nest: closing a scope restores the binding that was current when it was opened. Close
 * them in reverse order of opening, on the thread that opened them. The binding is per thread
 * ({@link ThreadLocal}); it is not inherited by other threads.
 */
public final class CitusTenants {

    private CitusTenants() {
    }

    /**
     * Binds {@code tenant} to the calling thread until the returned scope is closed.
     *
     * @param tenant the tenant's schema name; validated here, before anything is sent
     * @return the scope; close it to restore the previous binding
     * @throws SQLException SQLState {@code 42602} when the name is not a valid tenant name
     */
    public static Scope bind(String tenant) throws SQLException {
        TenantName.validate(tenant);
        return new Scope(tenant);
    }

    /** @return the tenant bound to the calling thread, or null when none is */
    public static String current() {
        return ThreadTenantResolver.BOUND.get();
    }

    /** A binding of a tenant to a thread; {@link #close()} restores the previous one. */
    public static final class Scope extends ThreadBinding<String> {
        private Scope(String tenant) {
            super(ThreadTenantResolver.BOUND, tenant);
        }
    }
}
