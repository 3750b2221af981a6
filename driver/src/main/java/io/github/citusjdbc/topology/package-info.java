/**
 * Internal: the cluster behind a URL as the Citus catalogs describe it. {@link
 * io.github.citusjdbc.topology.TopologyReader} reads {@code pg_dist_node}, the distributed schemas
 * and their placements; {@link io.github.citusjdbc.topology.ViewRefresh} turns one read (and the
 * standbys' replication lag) into an immutable {@link io.github.citusjdbc.topology.ClusterView};
 * {@link io.github.citusjdbc.topology.ClusterTopology} refreshes it in the background, early when
 * routing asks, and {@link io.github.citusjdbc.topology.TopologyRegistry} shares one per cluster
 * among the connections to it. Not API; may change without notice.
 */
package io.github.citusjdbc.topology;
