/**
 * Hibernate ORM 6 (6.4 or later) schema-per-tenant support over citus-jdbc's tenant pinning:
 * {@link io.github.citusjdbc.hibernate.CitusMultiTenantConnectionProvider} and
 * {@link io.github.citusjdbc.hibernate.CitusTenantIdentifierResolver}. Hibernate is an optional
 * dependency of the driver: only users of this package need it on the class path.
 */
package io.github.citusjdbc.hibernate;
