package io.github.citusjdbc.tenant;

import io.github.citusjdbc.CitusSqlState;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code search_path} a pinned tenant runs with: the tenant first, then the configured shared
 * schemas (e.g. {@code public} for reference tables), every name validated by
 * {@link TenantName#validate(String)} and quoted. Holds the ready-made statement texts, so
 * build one per tenant and reuse it. Immutable and thread-safe.
 */
public final class TenantPath {
    private final String tenant;
    private final List<String> schemas;
    private final String value;
    private final String setLocal;
    private final String setSession;

    private TenantPath(String tenant, List<String> schemas) {
        this.tenant = tenant;
        this.schemas = schemas;
        StringBuilder sb = new StringBuilder();
        for (String s : schemas) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            TenantName.appendQuoted(sb, s);
        }
        this.value = sb.toString();
        this.setLocal = "SET LOCAL search_path TO " + value;
        this.setSession = "SET search_path TO " + value;
    }

    /**
     * @param tenant the tenant's schema name
     * @param extraSchemas shared schemas searched after the tenant, in order; may be empty, not null
     * @return the path
     * @throws SQLException SQLState {@code 42602} when any name is invalid or
     *     a schema is listed twice
     */
    public static TenantPath of(String tenant, List<String> extraSchemas) throws SQLException {
        Objects.requireNonNull(extraSchemas, "extraSchemas");
        List<String> all = new ArrayList<>(1 + extraSchemas.size());
        all.add(TenantName.validate(tenant));
        for (String s : extraSchemas) {
            TenantName.validate(s);
            if (all.contains(s)) {
                throw new SQLException("schema \"" + s + "\" appears twice in the tenant search path " + all, CitusSqlState.INVALID_NAME.getState());
            }
            all.add(s);
        }
        return new TenantPath(tenant, List.copyOf(all));
    }

    /**
     * @param tenant the tenant's schema name
     * @return the path of the tenant alone (the default shape)
     * @throws SQLException SQLState {@code 42602} when the name is invalid
     */
    public static TenantPath of(String tenant) throws SQLException {
        return of(tenant, List.of());
    }

    /** @return the tenant's schema name */
    public String tenant() {
        return tenant;
    }

    /** @return the tenant, then the extra schemas; unmodifiable */
    public List<String> schemas() {
        return schemas;
    }

    /** @return the quoted list, e.g. {@code "t", "public"} */
    public String value() {
        return value;
    }

    /** @return {@code SET LOCAL search_path TO "t", "public"}: pins for the current transaction only */
    public String setLocalSql() {
        return setLocal;
    }

    /** @return {@code SET search_path TO "t", "public"}: pins for the session (only safe without a transaction pooler) */
    public String setSessionSql() {
        return setSession;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TenantPath p && p.schemas.equals(schemas);
    }

    @Override
    public int hashCode() {
        return schemas.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
