package io.github.citusjdbc.tenant;

import io.github.citusjdbc.spi.TenantResolver;
import java.util.concurrent.atomic.AtomicInteger;

/** A resolver selected by class name in tests that counts how often the driver asks it. */
public final class CountingTenantResolver implements TenantResolver {
    /** The answer; null for none. */
    static volatile String answer;
    /** Times asked since the test last reset it. */
    static final AtomicInteger ASKED = new AtomicInteger();

    /** Instantiated by the driver from the {@code tenantResolver} property. */
    public CountingTenantResolver() {
    }

    @Override
    public String currentTenant() {
        ASKED.incrementAndGet();
        return answer;
    }
}
