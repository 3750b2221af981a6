/**
 * Internal: the JDBC wrappers. A {@code Logical*} class is hand-written and overrides what the
 * driver intercepts; its generated {@code Delegating*} superclass forwards everything else to the
 * physical pgjdbc object. On Citus a {@code RouteSession} gives a {@code LogicalConnection} its
 * routing: the physical connections it owns ({@code Physical}: the URL's, and at most one per routed
 * node), the unit of work's route, and the session state ({@code SessionState}) applied to each
 * physical connection it switches to; statements follow by re-creating their physical statements
 * ({@code LogicalStatement.retargetIfNeeded}). Not API; may change without notice.
 */
package io.github.citusjdbc.jdbc;
