package io.github.citusjdbc.routing;

/**
 * Why a unit of work went where it went: for DEBUG logs and for {@code CitusConnection}'s
 * observability.
 */
public enum RouteReason {
    /** The server has no Citus catalogs: routing is off, the URL's hosts serve everything. */
    NOT_CITUS(false),
    /** No usable topology (first read pending or failed, or older than the maximum staleness): the URL's hosts. */
    TOPOLOGY_UNAVAILABLE(false),
    /** DDL, {@code CREATE SCHEMA}, non-transactional maintenance or a Citus function: the coordinator. */
    COORDINATOR_STATEMENT(false),
    /** Read-write work (or read-only work with {@code readRouting=primary}): the coordinator. */
    WRITE_COORDINATOR(false),
    /** Read-write work for a known tenant with {@code tenantRouting=affinity}: the tenant's primary. */
    WRITE_TENANT_PRIMARY(false),
    /** As {@link #WRITE_TENANT_PRIMARY}, but that primary is inactive, down or not allowed: the coordinator. */
    WRITE_TENANT_PRIMARY_UNAVAILABLE(false),
    /** Read-only work for a known tenant: an eligible secondary of the tenant's group. */
    READ_TENANT_SECONDARY(true),
    /** Read-only work for a known tenant whose group has no eligible secondary, with affinity: the tenant's primary. */
    READ_TENANT_PRIMARY(false),
    /** Read-only work without a (known) tenant, or whose tenant has no eligible secondary: a coordinator secondary. */
    READ_COORDINATOR_SECONDARY(true),
    /** Read-only work that no secondary can serve, {@code readFallback=primary}: the coordinator. */
    READ_FALLBACK_PRIMARY(false),
    /**
     * Read-only work ({@code readYourWrites=tenant}) whose secondary had not replayed this JVM's last
     * write to the group within {@code readYourWritesWait}: the tenant's primary with affinity, else the coordinator.
     */
    READ_OWN_WRITES_PRIMARY(false);

    private final boolean readsSecondary;

    RouteReason(boolean readsSecondary) {
        this.readsSecondary = readsSecondary;
    }

    /** @return whether the route is a secondary (which rejects writes) */
    public boolean readsSecondary() {
        return readsSecondary;
    }
}
