package io.github.citusjdbc.testkit;

import io.github.citusjdbc.testkit.citus.CitusOps;

import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The damage a test may do to a cluster the kit started, as an operator or a crash would: stop,
 * start or kill a node's server, stop or start the PgBouncers in front of it, and promote a standby
 * with a Citus failover. On an attached cluster (servers someone else started) every server
 * operation throws {@link UnsupportedOperationException}.
 *
 * <p>Not thread-safe on its own: {@link LocalCluster} synchronizes every call.
 */
final class ClusterFaults {
    private final ClusterMembers members;
    private final StandbyReplay replay;
    private final Supplier<CitusOps> citus;
    private final boolean attached;

    /**
     * @param citus    the cluster's Citus operations, asked at the time of a failover (the cluster
     *                 knows them only once it has started)
     * @param attached the kit did not start the servers, so it may not touch them
     */
    ClusterFaults(ClusterMembers members, StandbyReplay replay, Supplier<CitusOps> citus, boolean attached) {
        this.members = members;
        this.replay = replay;
        this.citus = citus;
        this.attached = attached;
    }

    /** Fast shutdown of a node's server (its PgBouncer keeps running, as a real one would). */
    void stop(ClusterNode node) {
        server(node).stop();
    }

    /** Starts a stopped or killed node's server again. */
    void start(ClusterNode node) {
        server(node).start();
    }

    /** kill -9 of the node's postmaster and backends. */
    void kill(ClusterNode node) {
        server(node).kill();
    }

    /** @return whether the node's server process is alive */
    boolean isRunning(ClusterNode node) {
        return server(node).isRunning();
    }

    /** Stops or starts both PgBouncers (1.18 and 1.25) in front of a node. */
    void setBouncerRunning(ClusterNode node, boolean running) {
        List<PgBouncerProcess> pair = members.bouncers(node);
        if (pair == null) {
            throw new IllegalStateException(node.name() + " has no PgBouncer");
        }
        for (PgBouncerProcess b : pair) {
            if (running && !b.isRunning()) {
                b.start();
            } else if (!running) {
                b.stop();
            }
        }
    }

    /**
     * Promotes a standby and repoints the cluster to it ({@link CitusOps#failover}); the old
     * primary keeps running until the caller stops it.
     */
    void promote(ClusterNode standby) throws SQLException {
        ClusterNode primary = members.primaryOf(standby);
        if (primary == null) {
            throw new IllegalArgumentException(standby.name() + " is not a standby");
        }
        server(standby).promote();
        replay.waitUntilPromoted(standby);
        citus.get().failover(primary, standby);
        members.forgetStandbyLink(standby);
    }

    private PostgresServer server(ClusterNode node) {
        if (attached) {
            throw new UnsupportedOperationException("the kit did not start " + node.name()
                    + " (attached to an existing cluster): it cannot stop, kill, start or promote it");
        }
        PostgresServer s = members.server(node);
        if (s == null) {
            throw new IllegalArgumentException("no server " + node.name());
        }
        return s;
    }
}
