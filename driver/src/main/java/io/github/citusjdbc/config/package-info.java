/**
 * Internal: parsing of {@code jdbc:citus:} URLs and configuration into an immutable
 * {@link io.github.citusjdbc.config.DriverConfig}. Not API; may change without notice.
 */
package io.github.citusjdbc.config;
