package io.github.citusjdbc.testkit.faults;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import io.github.citusjdbc.testkit.wire.RoundTripRelay;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/** The fault kinds the kit can inject into a cluster it started. */
public final class Faults {
    private Faults() {
    }

    private interface Action {
        void run() throws Exception;
    }

    private static Fault fault(String name, Action inject, Action heal, boolean permanent) {
        return new Fault() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void inject() throws Exception {
                inject.run();
            }

            @Override
            public void heal() throws Exception {
                heal.run();
            }

            @Override
            public boolean permanent() {
                return permanent;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** {@code pg_terminate_backend} of every backend of {@code applicationName} on every node. */
    public static Fault terminateBackends(LocalCluster cluster, String applicationName) {
        return fault("terminate backends", () -> {
            for (ClusterNode n : cluster.nodes()) {
                if (cluster.isRunning(n)) {
                    sql(cluster, n, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '"
                            + applicationName + "' AND pid <> pg_backend_pid()");
                }
            }
        }, () -> { }, false);
    }

    /** {@code kill -9} of a node's server, started again at heal. */
    public static Fault killAndRestart(LocalCluster cluster, ClusterNode node) {
        return fault("kill " + node.name(), () -> cluster.kill(node), () -> cluster.start(node), false);
    }

    /**
     * A node's server stopped (fast shutdown: committed work is flushed, even with the kit's
     * {@code synchronous_commit=off}, which a {@code kill -9} of a primary would lose) and started
     * again at heal.
     */
    public static Fault stopAndStart(LocalCluster cluster, ClusterNode node) {
        return fault(node.name() + " stopped", () -> cluster.stop(node), () -> cluster.start(node), false);
    }

    /** A standby that stops replaying ({@code pg_wal_replay_pause()}) until heal: its lag grows. */
    public static Fault pauseReplay(LocalCluster cluster, ClusterNode standby) {
        return fault("replay paused on " + standby.name(), () -> sql(cluster, standby, "SELECT pg_wal_replay_pause()"),
                () -> sql(cluster, standby, "SELECT pg_wal_replay_resume()"), false);
    }

    /** {@code citus_schema_move} of a tenant to whichever of {@code workers} does not hold it. */
    public static Fault moveTenant(LocalCluster cluster, String tenant, List<ClusterNode> workers, String transferMode) {
        return fault("move " + tenant + " (" + transferMode + ")", () -> {
            int group = cluster.citus().tenantGroup(tenant).orElseThrow();
            ClusterNode target = workers.stream().filter(w -> w.groupId() != group).findFirst().orElseThrow();
            cluster.citus().moveTenant(tenant, target, transferMode);
        }, () -> { }, false);
    }

    /** Both PgBouncers of a node killed, started again at heal. */
    public static Fault restartBouncers(LocalCluster cluster, ClusterNode node) {
        return fault("PgBouncers of " + node.name() + " killed", () -> cluster.setBouncerRunning(node, false),
                () -> cluster.setBouncerRunning(node, true), false);
    }

    /** {@code PAUSE} on both PgBouncers of a node, {@code RESUME} at heal. */
    public static Fault pauseBouncers(LocalCluster cluster, ClusterNode node) {
        return fault("PgBouncers of " + node.name() + " paused", () -> cluster.bouncerCommand(node, "PAUSE"),
                () -> cluster.bouncerCommand(node, "RESUME"), false);
    }

    /** The node behind {@code relay} stalls (accepts connections, answers nothing) until heal. */
    public static Fault stall(RoundTripRelay relay, ClusterNode node) {
        return fault(node.name() + " stalled", relay::freeze, relay::thaw, false);
    }

    /** The next {@code times} results from the node behind {@code relay} are cut by a connection reset. */
    public static Fault resetMidResult(RoundTripRelay relay, ClusterNode node, int times) {
        return fault(node.name() + " resets " + times + " results", () -> relay.resetMidResult(times),
                () -> relay.resetMidResult(0), false);
    }

    /**
     * A worker failover as an operator does it on Citus 12.1: the primary stopped, its standby promoted
     * and put in its place in {@code pg_dist_node}. Permanent: the group has no standby afterwards.
     */
    public static Fault failOver(LocalCluster cluster, ClusterNode primary) {
        ClusterNode standby = cluster.standbyOf(primary);
        return fault("failover of " + primary.name(), () -> {
            cluster.stop(primary);
            cluster.promote(standby);
        }, () -> { }, true);
    }

    private static void sql(LocalCluster cluster, ClusterNode node, String sql) throws Exception {
        try (Connection c = cluster.admin(node); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
