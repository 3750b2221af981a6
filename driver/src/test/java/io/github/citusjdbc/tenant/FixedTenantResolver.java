package io.github.citusjdbc.tenant;

import io.github.citusjdbc.spi.TenantResolver;

/** A resolver selected by class name in tests: answers whatever the test put in {@link #answer}, unvalidated. */
public final class FixedTenantResolver implements TenantResolver {
    /** The answer; null for none. */
    static volatile String answer;

    /** Instantiated by the driver from the {@code tenantResolver} property. */
    public FixedTenantResolver() {
    }

    @Override
    public String currentTenant() {
        return answer;
    }
}
