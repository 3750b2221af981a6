package io.github.citusjdbc.testkit;

import io.github.citusjdbc.testkit.citus.CitusOps;
import io.github.citusjdbc.testkit.citus.CitusOpsFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A real multi-node Citus cluster on loopback for tests, examples and benchmarks: a coordinator,
 * workers, streaming-replication hot standbys (Citus secondaries), and two PgBouncers in transaction
 * mode in front of every node: Debian's 1.18 (no parameter tracking) and 1.25 (tracking
 * {@code search_path}, prepared statements kept per client). TLS is on everywhere, as Citus sets it
 * up. Real Citus is required: without the extension the start fails and says how to install it.
 *
 * <p>Use {@link #shared()} for one cluster per JVM (stopped at exit), or {@link #start(Options)}
 * for a private one that a test may damage (kill, promote) and must {@link #close()}.
 * Thread-safe for reads; the node operations ({@link #kill}, {@link #promote}, ...) are synchronized.
 *
 * <p>This class is the facade tests use; the work is done by {@link ClusterBoot} (starting and
 * stopping), {@link ClusterFaults} (damage), {@link ClusterConnections} (URLs, roles and
 * connections), {@link StandbyReplay} (waiting on replication) and {@link ClusterMembers} (which
 * nodes, servers and PgBouncers there are).
 */
public final class LocalCluster implements AutoCloseable {
    /** Superuser of every server (bootstrap user of initdb). */
    public static final String ADMIN_USER = "kit_admin";
    /** The non-superuser application role the tests and the driver log in as. */
    public static final String APP_USER = "app";
    /** The database the cluster serves. */
    public static final String DATABASE = "citus_test";

    private static final String ADMIN_PASSWORD = "kit-admin-pw";
    private static final String APP_PASSWORD = "app-pw";
    /** Environment variable naming an existing cluster's coordinator to use instead of local servers. */
    public static final String EXISTING_URL_ENV = "CITUS_TESTKIT_URL";
    private static LocalCluster shared;

    private final Options options;
    private final Path runDir;
    private final Binaries bin;
    private final boolean attached;
    private final ClusterMembers members = new ClusterMembers();
    private final ClusterConnections connections;
    private final StandbyReplay replay;
    private final ClusterFaults faults;
    private CitusOps citus;
    private Duration startTime;
    private volatile boolean closed;
    private AutoCloseable onClose;
    private BouncerSupervisor supervisor;

    /**
     * How to build the cluster. Immutable; use the {@code with*} methods.
     *
     * @param citus real Citus (the default); false starts one plain PostgreSQL server (no Citus
     *              loaded, so {@code search_path} is not reported), for what the driver does there
     * @param ssl   TLS on a plain PostgreSQL server too (Citus turns it on by itself); every
     *              certificate is self-signed for {@code 127.0.0.1} only ({@link #sslRootCert()})
     */
    public record Options(int workers, boolean coordinatorStandby, boolean worker1Standby, boolean bouncers,
                          boolean citus, boolean ssl) {
        /** Coordinator + 2 workers, a standby of the coordinator and of worker 1, PgBouncers, Citus, TLS. */
        public static Options defaults() {
            return new Options(2, true, true, true, true, true);
        }

        /** One plain PostgreSQL server (no Citus) with its PgBouncers, no TLS. */
        public static Options plainPostgres() {
            return new Options(0, false, false, true, false, false);
        }

        public Options withWorkers(int n) {
            return new Options(n, coordinatorStandby, worker1Standby, bouncers, citus, ssl);
        }

        public Options withStandbys(boolean coordinator, boolean worker1) {
            return new Options(workers, coordinator, worker1, bouncers, citus, ssl);
        }

        public Options withBouncers(boolean on) {
            return new Options(workers, coordinatorStandby, worker1Standby, on, citus, ssl);
        }

        public Options withSsl(boolean on) {
            return new Options(workers, coordinatorStandby, worker1Standby, bouncers, citus, on);
        }

        /** @return whether the servers serve TLS (always with Citus, which requires it between nodes) */
        public boolean tls() {
            return citus || ssl;
        }
    }

    private LocalCluster(Options options, Path runDir, Binaries bin, boolean attached, ClusterConnections connections) {
        this.options = options;
        this.runDir = runDir;
        this.bin = bin;
        this.attached = attached;
        this.connections = connections;
        this.replay = new StandbyReplay(connections);
        this.faults = new ClusterFaults(members, replay, () -> citus, attached);
    }

    /**
     * @return the cluster shared by this JVM: the existing cluster named by {@value #EXISTING_URL_ENV}
     * when set, else local servers started on first use with {@link Options#defaults()}
     */
    public static synchronized LocalCluster shared() {
        if (shared == null || shared.closed) {
            shared = Backends.startSelected();
            LocalCluster c = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(c::close, "citus-testkit-shutdown"));
        }
        return shared;
    }

    /** @return the base directory all runs live under ({@code CITUS_TESTKIT_DIR}, default {@code /tmp/citus-jdbc-testkit}) */
    public static Path baseDir() {
        return Paths.get(System.getenv().getOrDefault("CITUS_TESTKIT_DIR",
                System.getProperty("java.io.tmpdir") + "/citus-jdbc-testkit"));
    }

    /** @return whether this run must not degrade (CI=true): a missing PgBouncer or standby fails. */
    public static boolean strict() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Starts a new private cluster. The caller must {@link #close()} it. */
    public static LocalCluster start(Options options) {
        long t0 = System.nanoTime();
        Binaries bin = Binaries.locate();
        ClusterBoot.requireCitus(options, bin);
        Path base = baseDir();
        LocalCluster c = null;
        try {
            Path run = ClusterBoot.newRunDir(base);
            ClusterBoot.requireBouncers(options, bin);
            c = new LocalCluster(options, run, bin, false,
                    new ClusterConnections(ADMIN_USER, ADMIN_PASSWORD, APP_USER, APP_PASSWORD, DATABASE));
            ClusterBoot boot = new ClusterBoot(options, run, bin, c.members, c.connections, c.replay);
            c.citus = boot.boot();
            c.startTime = Duration.ofNanos(System.nanoTime() - t0);
            log("cluster up in " + c.startTime.toMillis() + " ms (" + boot.phases() + "): " + c.describe());
            log("  binaries: " + bin);
            c.members.nodes().forEach(n -> log("  " + n));
            return c;
        } catch (IOException | SQLException | RuntimeException e) {
            if (c != null) {
                c.close();
            }
            throw new IllegalStateException("cannot start the local cluster: " + e.getMessage(), e);
        }
    }

    /**
     * Uses an existing Citus cluster: nodes and standbys are
     * discovered from {@code pg_dist_node} on the coordinator. Process operations (stop, kill,
     * promote) are not available on such a cluster: see {@link #canControlProcesses()}.
     */
    public static LocalCluster attach(ExistingCluster.Settings settings) {
        try {
            return attach(settings, ExistingCluster.discover(settings), null);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_dist_node at " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Uses servers someone else started, with their client-side addresses given explicitly
     * (e.g. containers' mapped ports); {@code onClose} (may be null) stops them at {@link #close()}.
     */
    static LocalCluster attach(ExistingCluster.Settings settings, List<ClusterNode> clusterNodes, AutoCloseable onClose) {
        LocalCluster c = new LocalCluster(new Options(0, false, false, false, true, false), null, null, true,
                new ClusterConnections(settings.adminUser(), settings.adminPassword(), settings.appUser(),
                        settings.appPassword(), settings.database()));
        c.onClose = onClose;
        try {
            clusterNodes.forEach(c.members::addNode);
            // With the coordinator: the implementation is chosen now and reads the nodes from pg_dist_node.
            c.citus = CitusOpsFactory.detect(c::admin, c.coordinator(), new CitusOpsFactory.Credentials(
                    settings.adminUser(), settings.adminPassword(), settings.appUser(), settings.appPassword(), settings.database()));
            c.startTime = Duration.ZERO;
            log("attached to an existing cluster at " + settings.host() + ":" + settings.port() + ": " + c.citus.describe());
            c.members.nodes().forEach(n -> log("  " + n));
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot attach to the cluster at " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** @return false for an {@linkplain #attach attached} cluster, whose servers the kit did not start */
    public boolean canControlProcesses() { return !attached; }

    // ---------------------------------------------------------------- topology of the test cluster

    /** @return all nodes: coordinator, workers, then standbys */
    public synchronized List<ClusterNode> nodes() { return members.nodes(); }

    public ClusterNode coordinator() { return node("coordinator"); }

    /** @param i 1-based worker number */
    public ClusterNode worker(int i) { return node("worker" + i); }

    public synchronized List<ClusterNode> workers() { return members.workers(); }

    /** @return the standby of a primary; throws when it has none */
    public synchronized ClusterNode standbyOf(ClusterNode primary) { return members.standbyOf(primary); }

    public synchronized ClusterNode node(String name) { return members.node(name); }

    /** @return the primaries in Citus group order (coordinator first) */
    public synchronized List<ClusterNode> primaryNodes() { return members.primaryNodes(); }

    public synchronized List<ClusterNode> standbyNodes() { return members.standbyNodes(); }

    /** @return the Citus operations of this cluster (on a plain PostgreSQL server each says it has no Citus) */
    public CitusOps citus() { return citus; }

    /** @return whether PgBouncers run in front of the nodes */
    public boolean hasBouncers() { return options.bouncers(); }

    /** @return how long {@link #start} took */
    public Duration startTime() { return startTime; }

    /** @return one line naming what runs: Citus and its version, TLS, the PgBouncers */
    public String describe() {
        String what = citus.describe() + (options.tls() ? ", TLS on" : ", TLS off");
        if (options.bouncers()) {
            what += "; PgBouncers " + Binaries.versionOf(bin.pgBouncer().orElseThrow()) + " (no parameter tracking) and "
                    + Binaries.versionOf(bin.pgBouncer125().orElseThrow()) + " (track_extra_parameters = search_path)";
        }
        return what;
    }

    // ---------------------------------------------------------------- roles, URLs and connections

    public String user() { return connections.user(); }

    public String password() { return connections.password(); }

    public String adminUser() { return connections.adminUser(); }

    public String adminPassword() { return connections.adminPassword(); }

    public String database() { return connections.database(); }

    /** @return {@code jdbc:postgresql://127.0.0.1:PORT/DB} straight to the node */
    public String jdbcUrl(ClusterNode node) { return connections.jdbcUrl(node); }

    /** @return the URL of the node's PgBouncer (transaction pooling) */
    public String bouncerJdbcUrl(ClusterNode node) { return connections.bouncerJdbcUrl(node); }

    /** @return the URL of the node's PgBouncer 1.25 (transaction pooling, tracks {@code search_path}) */
    public String trackingBouncerJdbcUrl(ClusterNode node) { return connections.trackingBouncerJdbcUrl(node); }

    /**
     * @return a new connection as the application role through the node's PgBouncer 1.25; named
     *         prepared statements are safe there ({@code max_prepared_statements}), so pgjdbc's defaults stay
     */
    public Connection trackingBouncerConnection(ClusterNode node) throws SQLException {
        return connections.trackingBouncerConnection(node);
    }

    /** @return a new superuser connection straight to the node */
    public Connection admin(ClusterNode node) throws SQLException { return connections.admin(node); }

    /** @return a new connection as the application role straight to the node */
    public Connection appConnection(ClusterNode node) throws SQLException { return connections.appConnection(node); }

    /** @return a new connection as the application role through the node's PgBouncer ({@code prepareThreshold=0}) */
    public Connection bouncerConnection(ClusterNode node) throws SQLException { return connections.bouncerConnection(node); }

    // ---------------------------------------------------------------- node operations

    /** Fast shutdown of a node's server (its PgBouncer keeps running, as a real one would). */
    public synchronized void stop(ClusterNode node) { faults.stop(node); }

    /** Starts a stopped or killed node's server again. */
    public synchronized void start(ClusterNode node) { faults.start(node); }

    /** kill -9 of the node's postmaster and backends. */
    public synchronized void kill(ClusterNode node) { faults.kill(node); }

    /** @return whether the node's server process is alive */
    public synchronized boolean isRunning(ClusterNode node) { return faults.isRunning(node); }

    /** Stops or starts both PgBouncers (1.18 and 1.25) in front of a node. */
    public synchronized void setBouncerRunning(ClusterNode node, boolean running) { faults.setBouncerRunning(node, running); }

    /**
     * @param to the address to dial for a node, e.g. {@link ClusterNode#bouncerAddress()}
     * @return a driver {@code nodeAddressMap} value sending every node's address to {@code to} of it
     */
    public String nodeAddressMap(Function<ClusterNode, String> to) {
        StringBuilder map = new StringBuilder();
        for (ClusterNode n : nodes()) {
            map.append(map.length() == 0 ? "" : ",").append(n.address()).append('=').append(to.apply(n));
        }
        return map.toString();
    }

    /**
     * Runs an admin console command ({@code PAUSE}, {@code RESUME}, ...) on both PgBouncers of a node.
     * {@code PAUSE} returns once every server connection is released: clients then wait (up to
     * PgBouncer's {@code query_wait_timeout}, 10 s here) until {@code RESUME}.
     */
    public void bouncerCommand(ClusterNode node, String command) {
        for (int port : new int[] {node.bouncerPort(), node.trackingBouncerPort()}) {
            console(port, command);
        }
    }

    /**
     * From now on, a PgBouncer of the kit that exits on its own (not stopped by the kit) is started again
     * within about 100 ms, as systemd's {@code Restart=on-failure} would do it, and the restart is logged
     * and recorded ({@link #bouncerRestarts()}). For fault runs through PgBouncer 1.18.0, which exits on a
     * known bug of its cancel handling (see {@link BouncerSupervisor}). Until {@link #close()}.
     */
    public synchronized void superviseBouncers() {
        if (supervisor == null && !attached) {
            supervisor = new BouncerSupervisor(members.allBouncers()); // fixed once the cluster is up
        }
    }

    /**
     * @return every restart of {@link #superviseBouncers()} so far, oldest first, e.g. {@code PgBouncer
     *         1.18 of coordinator exited on its own (<the last FATAL line of its log>); started again}
     */
    public List<String> bouncerRestarts() {
        BouncerSupervisor s;
        synchronized (this) {
            s = supervisor;
        }
        return s == null ? List.of() : s.restarts();
    }

    /**
     * For diagnosis: an admin console command ({@code SHOW POOLS}, ...) on both PgBouncers of a node,
     * each answer under a line naming the PgBouncer; a console that does not answer gives its error.
     */
    public String bouncerShow(ClusterNode node, String command) {
        StringBuilder out = new StringBuilder();
        for (int port : new int[] {node.bouncerPort(), node.trackingBouncerPort()}) {
            out.append("PgBouncer on port ").append(port).append(" of ").append(node.name()).append(", ")
                    .append(command).append(":\n");
            try {
                out.append(console(port, command));
            } catch (RuntimeException e) {
                out.append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    /** @return how many client connections of {@code user} both PgBouncers of a node hold ({@code SHOW CLIENTS}) */
    public int bouncerClients(ClusterNode node, String user) {
        int n = 0;
        for (int port : new int[] {node.bouncerPort(), node.trackingBouncerPort()}) {
            for (String line : console(port, "SHOW CLIENTS").split("\n")) {
                String[] columns = line.split(",");
                n += columns.length > 1 && columns[1].equals(user) ? 1 : 0;
            }
        }
        return n;
    }

    /**
     * The console (database {@code pgbouncer}) speaks only the simple protocol and refuses the SET
     * commands pgjdbc sends after its login, so the kit asks it through psql.
     *
     * @return the output rows, comma-separated columns, no header
     */
    private String console(int port, String command) {
        Exec.Result r = Exec.run(List.of(bin.pgBin().resolve("psql").toString(), "-X", "-A", "-t", "-F", ",",
                "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", connections.adminUser(), "-d", "pgbouncer",
                "-c", command), Map.of("PGPASSWORD", connections.adminPassword()), null, 30);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("PgBouncer console on port " + port + ": " + command + " failed: " + r.output());
        }
        return r.output();
    }

    /**
     * Promotes a standby and repoints the cluster to it ({@link CitusOps#failover}); the old
     * primary keeps running until the caller stops it.
     */
    public synchronized void promote(ClusterNode standby) throws SQLException { faults.promote(standby); }

    /** Blocks until the standby has replayed everything its primary had written when called. */
    public void waitForReplay(ClusterNode primary, ClusterNode standby) throws SQLException { replay.waitForReplay(primary, standby); }

    /** A condition that may throw while the cluster settles. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /** Polls {@code check} every 20 ms until it holds; throws with {@code what} after {@code timeout}. */
    public static void waitUntil(Check check, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            PostgresServer.sleep(Duration.ofMillis(20));
        }
        throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms waiting for " + what, last);
    }

    // ---------------------------------------------------------------- files and processes of the run

    /** @return the PIDs of every server and PgBouncer this cluster started (for leak checks) */
    public synchronized List<Long> processIds() { return members.processIds(); }

    /**
     * @return the certificate every server presents (always on Citus; on plain PostgreSQL {@link Options#withSsl with TLS})
     *         (self-signed, subject alternative name {@code IP:127.0.0.1} only): pgjdbc's {@code sslrootcert}
     */
    public Path sslRootCert() {
        if (!options.tls()) {
            throw new IllegalStateException("this plain PostgreSQL server was started without TLS: Options.withSsl(true)");
        }
        return runDir.resolve("root.crt");
    }

    /** @return the directory of this run (data, logs, configs) */
    public Path runDir() { return runDir; }

    /** Stops every server and PgBouncer (immediate shutdown) and deletes the run directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (supervisor != null) {
            supervisor.close();
        }
        if (attached) {
            if (onClose != null) {
                try {
                    onClose.close();
                } catch (Exception e) {
                    log("stopping the attached cluster failed: " + e.getMessage());
                }
            }
            return; // the servers themselves are not ours to stop
        }
        ClusterBoot.tearDown(members, runDir);
    }

    static void log(String msg) {
        System.out.println("[citus-testkit] " + msg);
    }
}
