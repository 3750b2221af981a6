/**
 * Internal: the JDBC wrappers, the unit of work and tenant pinning. A {@code Logical*} class is
 * hand-written and overrides what the driver intercepts. The connection, metadata and result set
 * extend a generated {@code Delegating*} class that forwards everything else to the physical pgjdbc
 * object; the statements are hand-written abstract classes ({@code LogicalStatement} &larr;
 * {@code LogicalPreparedStatement} &larr; {@code LogicalCallableStatement}) with a generated final
 * class at the bottom of each ({@code Wrapped*Statement}) that forwards the rest.
 *
 * <p>Every execution runs through {@code UnitRunner.inUnit}: {@code TenantPins.begin} decides
 * the {@code UnitOfWork} at its first statement (the tenant resolver asked once), routing
 * ({@code RouteSession}) moves the logical connection to the unit's node, and the statement's pin is
 * planned by the connection's {@code Pinning} ({@code TransactionPinning} or {@code SessionPinning}).
 * On Citus a {@code RouteSession} owns the physical connections ({@code Physical}: the URL's, and at
 * most one per routed node) and applies the session state ({@code SessionState}) to each one it
 * switches to; statements follow by re-creating their physical statements
 * ({@code LogicalStatement.retargetIfNeeded}). {@code docs/architecture.md} walks one statement
 * through these classes. Not API; may change without notice.
 */
package io.github.citusjdbc.jdbc;
