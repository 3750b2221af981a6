/**
 * Internal: what the driver knows about the cluster behind a URL. Today only whether it is a
 * Citus cluster at all; topology snapshots follow. Not API; may change without notice.
 */
package io.github.citusjdbc.topology;
