package io.github.citusjdbc.tenant;

import io.github.citusjdbc.spi.TenantResolver;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;

/**
 * The tenant configuration of a data source: mode, resolver, shared schemas and default tenant.
 * Immutable and thread-safe.
 *
 * @param mode          how the tenant is pinned
 * @param resolver      consulted when a transaction starts; its non-null answer wins over the
 *                      connection's own tenant
 * @param sharedSchemas schemas searched after the tenant, validated; may be empty
 * @param defaultTenant the tenant of a new connection ({@code currentSchema}), or null
 */
public record TenantSettings(PinningMode mode, TenantResolver resolver, List<String> sharedSchemas,
                             TenantPath defaultTenant) {

    /** Validates and copies. */
    public TenantSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(resolver, "resolver");
        sharedSchemas = List.copyOf(sharedSchemas);
    }

    /**
     * Builds the path of a tenant with the configured shared schemas.
     *
     * @param tenant a schema name
     * @return its path
     * @throws SQLException SQLState {@code 42602} for an invalid name
     */
    public TenantPath pathOf(String tenant) throws SQLException {
        return TenantPath.of(tenant, sharedSchemas.contains(tenant)
                ? sharedSchemas.stream().filter(s -> !s.equals(tenant)).toList() : sharedSchemas);
    }
}
