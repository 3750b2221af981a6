/**
 * Tenant pinning: running every statement with {@code search_path} set to one tenant's schema,
 * safely behind a transaction-pooling PgBouncer.
 *
 * <p>{@link io.github.citusjdbc.tenant.TenantName} validates and quotes names;
 * {@link io.github.citusjdbc.tenant.TenantPath} builds the pin statements;
 * {@link io.github.citusjdbc.tenant.TenantSettings} holds the configuration (mode, resolver,
 * shared schemas, default tenant). The per-connection logic lives with the JDBC wrappers
 * ({@code io.github.citusjdbc.jdbc.TenantPins}, {@code Envelope}, the {@code Logical*}
 * statements), which apply them.
 *
 * <p>The measured pgjdbc behaviour the pinning code is built on (what an envelope returns, the
 * failed-transaction state, pgjdbc's Sync split, the statement cache) is in docs/facts.md, "pgjdbc
 * with the pin in the same string"; docs/pinning.md is the user-facing contract.
 */
package io.github.citusjdbc.tenant;
