/**
 * Internal: where a unit of work (a transaction, or one autocommit statement) runs.
 *
 * <p>{@link io.github.citusjdbc.routing.Router} is the one object the logical connection talks to:
 * it asks for a {@link io.github.citusjdbc.routing.Route} when a unit of work starts
 * ({@link io.github.citusjdbc.routing.RouteDecider}: its decision table, O(1) per unit
 * through a {@code RoutingTable} precomputed per topology snapshot), reports failures
 * ({@link io.github.citusjdbc.routing.SqlErrors} classifies them,
 * {@link io.github.citusjdbc.routing.NodeHealth} backs off dead nodes, the topology is asked for an
 * early refresh) and asks {@link io.github.citusjdbc.routing.RetryPolicy} whether a failed
 * statement may run again elsewhere. Configuration: {@link io.github.citusjdbc.routing.RoutingSettings}.
 * Not API; may change without notice.
 */
package io.github.citusjdbc.routing;
