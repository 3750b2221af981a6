package io.github.citusjdbc.jdbc;

import io.github.citusjdbc.metrics.TenantActivity;
import io.github.citusjdbc.tenant.TenantPath;
import java.sql.Connection;

/**
 * What one unit of work is, decided once at its first statement ({@link TenantPins#begin}) and then
 * only read: an autocommit statement, or a transaction (opened by pgjdbc's {@code BEGIN} with
 * autocommit off, or by SQL text). The tenant resolver is asked once for it. Tenant pinning plans
 * the pin from it and routing routes it; neither decides these values again. Immutable: a
 * {@code setSchema} inside an open transaction replaces it ({@link #withTenant}).
 *
 * @param tenant      the tenant's search path, or null when no tenant is pinned
 * @param autocommit  whether the connection was in autocommit when the unit started
 * @param transaction whether the unit is a transaction (false: one autocommit statement)
 * @param readOnly    whether the unit is read-only work a standby may serve (read-only, and not
 *                    SERIALIZABLE, which hot standbys refuse)
 * @param activity    the tenant's counters the unit's statements are added to ({@code metricsTenants}),
 *                    or null
 */
record UnitOfWork(TenantPath tenant, boolean autocommit, boolean transaction, boolean readOnly,
                  TenantActivity activity) {

    /** @return whether {@code isolation} (a {@link Connection} constant, or -1) lets read-only work go to a standby */
    static boolean standbyServes(int isolation) {
        return isolation != Connection.TRANSACTION_SERIALIZABLE;
    }

    /** @return the tenant's name, or null */
    String tenantName() {
        return tenant == null ? null : tenant.tenant();
    }

    /** @return this unit in another tenant ({@code setSchema} inside its transaction), counted as {@code counters} */
    UnitOfWork withTenant(TenantPath path, TenantActivity counters) {
        return new UnitOfWork(path, autocommit, transaction, readOnly, counters);
    }
}
