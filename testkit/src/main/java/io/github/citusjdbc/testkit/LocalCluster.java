package io.github.citusjdbc.testkit;

import io.github.citusjdbc.testkit.citus.CitusOps;
import io.github.citusjdbc.testkit.citus.CitusOpsFactory;
import io.github.citusjdbc.testkit.citus.NoCitus;
import io.github.citusjdbc.testkit.citus.RealCitus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    private final Map<String, ClusterNode> nodes = new LinkedHashMap<>();
    private final Map<String, PostgresServer> servers = new LinkedHashMap<>();
    /** Per node: PgBouncer 1.18, then PgBouncer 1.25 (tracking). */
    private final Map<String, List<PgBouncerProcess>> bouncers = new LinkedHashMap<>();
    private final Map<String, String> standbyOf = new LinkedHashMap<>();
    private CitusOps citus;
    private Duration startTime;
    private volatile boolean closed;
    private final boolean attached;
    private final String adminUser;
    private final String adminPassword;
    private final String appUser;
    private final String appPassword;
    private final String database;
    private AutoCloseable onClose;

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

    private LocalCluster(Options options, Path runDir, Binaries bin) {
        this.options = options;
        this.runDir = runDir;
        this.bin = bin;
        this.attached = false;
        this.adminUser = ADMIN_USER;
        this.adminPassword = ADMIN_PASSWORD;
        this.appUser = APP_USER;
        this.appPassword = APP_PASSWORD;
        this.database = DATABASE;
    }

    private LocalCluster(ExistingCluster.Settings s) {
        this.options = new Options(0, false, false, false, true, false);
        this.runDir = null;
        this.bin = null;
        this.attached = true;
        this.adminUser = s.adminUser();
        this.adminPassword = s.adminPassword();
        this.appUser = s.appUser();
        this.appPassword = s.appPassword();
        this.database = s.database();
    }

    /**
     * @return the cluster shared by this JVM: the existing cluster named by {@value #EXISTING_URL_ENV}
     * when set, else local servers started on first use with {@link Options#defaults()}
     */
    public static synchronized LocalCluster shared() {
        if (shared == null || shared.closed) {
            String url = System.getenv(EXISTING_URL_ENV);
            if ("testcontainers".equals(System.getenv("CITUS_TESTKIT_BACKEND"))) {
                try {
                    Class.forName("org.testcontainers.containers.GenericContainer", false, LocalCluster.class.getClassLoader());
                } catch (ClassNotFoundException e) {
                    // An optional dependency of the kit: say what to add rather than fail with NoClassDefFoundError.
                    throw new IllegalStateException("CITUS_TESTKIT_BACKEND=testcontainers needs"
                            + " org.testcontainers:testcontainers on the test class path", e);
                }
                shared = CitusContainers.start();
            } else if (url != null && !url.isBlank()) {
                shared = attach(ExistingCluster.Settings.fromEnvironment());
            } else {
                shared = start(Options.defaults());
            }
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
        if (options.citus() && !bin.hasCitus()) {
            throw new IllegalStateException("real Citus is required but the citus extension is not installed for the PostgreSQL at "
                    + bin.pgBin() + ": run scripts/prerequisites.sh (it builds Citus from CITUS_SOURCE, by default"
                    + " ../shared/vendor/citus-12.1.12.tar.gz)");
        }
        Path base = baseDir();
        LocalCluster c = null;
        try {
            Files.createDirectories(base);
            int stale = Leftovers.clean(base);
            if (stale > 0) {
                log("removed " + stale + " stale run(s) left by a killed JVM");
            }
            Path run = Files.createTempDirectory(base, "run-" + ProcessHandle.current().pid() + "-");
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
            try {
                // The service user must traverse it; only the owner may change its mode.
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (IOException ignored) {
                // Someone else's base directory: it is traversable already or the start fails loudly below.
            }
            Leftovers.writeOwner(run);
            if (options.bouncers() && (bin.pgBouncer().isEmpty() || bin.pgBouncer125().isEmpty())) {
                throw new IllegalStateException("PgBouncer 1.18 (Debian's pgbouncer) and 1.25 (built from PGBOUNCER_SOURCE into "
                        + Binaries.PGBOUNCER_1_25_DEFAULT + ") are required: run scripts/prerequisites.sh; found " + bin);
            }
            c = new LocalCluster(options, run, bin);
            c.boot();
            c.startTime = Duration.ofNanos(System.nanoTime() - t0);
            log("cluster up in " + c.startTime.toMillis() + " ms (" + c.phases + "): " + c.describe());
            log("  binaries: " + bin);
            for (ClusterNode n : c.nodes.values()) {
                log("  " + n);
            }
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
        LocalCluster c = new LocalCluster(settings);
        c.onClose = onClose;
        try {
            for (ClusterNode n : clusterNodes) {
                c.nodes.put(n.name(), n);
                if (n.isStandby()) {
                    c.standbyOf.put(n.name(), n.primaryName());
                }
            }
            // With the coordinator: the implementation is chosen now and reads the nodes from pg_dist_node.
            c.citus = CitusOpsFactory.detect(c::admin, c.coordinator(), new CitusOpsFactory.Credentials(
                    settings.adminUser(), settings.adminPassword(), settings.appUser(), settings.appPassword(), settings.database()));
            c.startTime = Duration.ZERO;
            log("attached to an existing cluster at " + settings.host() + ":" + settings.port() + ": " + c.citus.describe());
            for (ClusterNode n : c.nodes.values()) {
                log("  " + n);
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot attach to the cluster at " + settings.host() + ":" + settings.port()
                    + ": " + e.getMessage(), e);
        }
    }

    /** @return false for an {@linkplain #attach attached} cluster, whose servers the kit did not start */
    public boolean canControlProcesses() {
        return !attached;
    }

    private void boot() throws IOException, SQLException {
        Path sock = runDir.resolve("sock");
        Files.createDirectories(sock);
        Path pw = runDir.resolve("pw");
        Files.writeString(pw, ADMIN_PASSWORD + "\n", StandardCharsets.UTF_8);
        Exec.chownToService(runDir);

        // Citus connects between nodes as the calling user; like an operator's ~/.pgpass, this file
        // (PGPASSFILE of every server) gives it the passwords of the kit's roles.
        Path pgpass = runDir.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:" + APP_USER + ":" + APP_PASSWORD + "\n*:*:*:" + ADMIN_USER + ":" + ADMIN_PASSWORD + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Exec.chownToService(runDir);

        // One initdb, then copies: initdb is the slow part, and identical nodes are what Citus wants.
        Path template = runDir.resolve("template");
        PostgresServer.initdb(bin, template, ADMIN_USER, pw);
        Files.delete(pw);
        PostgresServer.configure(template, ADMIN_USER, options.citus());
        if (options.tls()) {
            // Citus would make a certificate per node at CREATE EXTENSION; one for 127.0.0.1 made
            // before the copies and base backups lets every node, standbys and promoted standbys
            // included, serve TLS that sslmode=verify-full accepts.
            SelfSignedCert.install(template, runDir.resolve("root.crt"));
        }
        PostgresServer tmpl = new PostgresServer("template", bin, template, sock, Ports.free());
        tmpl.start();
        try (Connection c = connect(tmpl.port(), "postgres", ADMIN_USER, ADMIN_PASSWORD); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + APP_USER);
        }
        tmpl.stop();

        List<String> primaries = new ArrayList<>();
        primaries.add("coordinator");
        for (int i = 1; i <= options.workers(); i++) {
            primaries.add("worker" + i);
        }
        List<Runnable> startPrimaries = new ArrayList<>();
        for (int i = 0; i < primaries.size(); i++) {
            String name = primaries.get(i);
            Path data = runDir.resolve(name);
            copyDir(template, data);
            PostgresServer srv = new PostgresServer(name, bin, data, sock, Ports.free());
            servers.put(name, srv);
            nodes.put(name, new ClusterNode(name, i == 0 ? NodeRole.COORDINATOR : NodeRole.WORKER, i,
                    "127.0.0.1", srv.port(), options.bouncers() ? Ports.free() : -1, options.bouncers() ? Ports.free() : -1, null));
            startPrimaries.add(srv::start);
        }
        Leftovers.deleteTree(template);
        phase("initdb and template");
        parallel(startPrimaries);
        phase("primaries started");

        List<Runnable> startStandbys = new ArrayList<>();
        if (options.coordinatorStandby()) {
            startStandbys.add(() -> addStandby("coordinator"));
        }
        if (options.worker1Standby() && options.workers() >= 1) {
            startStandbys.add(() -> addStandby("worker1"));
        }
        // Standbys are built one at a time but alongside the bouncers: two cores, little I/O.
        for (Runnable r : startStandbys) {
            r.run();
        }
        phase("standbys started");
        if (options.bouncers()) {
            List<Runnable> startBouncers = new ArrayList<>();
            for (ClusterNode n : nodes.values()) {
                PgBouncerProcess b = new PgBouncerProcess(n.name(), bin.pgBouncer().orElseThrow(),
                        runDir.resolve("bouncer-" + n.name()), n.bouncerPort(), n.port(), false);
                PgBouncerProcess t = new PgBouncerProcess(n.name() + " (1.25)", bin.pgBouncer125().orElseThrow(),
                        runDir.resolve("bouncer125-" + n.name()), n.trackingBouncerPort(), n.port(), true);
                for (PgBouncerProcess p : List.of(b, t)) {
                    p.configure(List.of(new String[]{APP_USER, APP_PASSWORD}, new String[]{ADMIN_USER, ADMIN_PASSWORD}));
                    startBouncers.add(p::start);
                }
                bouncers.put(n.name(), List.of(b, t));
            }
            Exec.chownToService(runDir);
            parallel(startBouncers);
            phase("PgBouncers started");
        }

        if (!options.citus()) {
            citus = new NoCitus();
            return;
        }
        citus = new RealCitus(this::admin, null, new CitusOpsFactory.Credentials(
                ADMIN_USER, ADMIN_PASSWORD, APP_USER, APP_PASSWORD, DATABASE));
        citus.install(primaryNodes(), standbyNodes());
        phase("Citus installed");
        for (ClusterNode s : standbyNodes()) {
            waitForReplay(nodes.get(standbyOf.get(s.name())), s);
        }
        phase("standbys caught up");
    }

    private long phaseStart = System.nanoTime();
    private final StringBuilder phases = new StringBuilder();

    private void phase(String what) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ", ").append(what).append(' ').append((now - phaseStart) / 1_000_000).append(" ms");
        phaseStart = now;
    }

    private void addStandby(String primaryName) {
        String name = primaryName + "-standby";
        Path data = runDir.resolve(name);
        PostgresServer primary = servers.get(primaryName);
        primary.baseBackupTo(data, ADMIN_USER);
        PostgresServer srv = new PostgresServer(name, bin, data, runDir.resolve("sock"), Ports.free());
        srv.start();
        ClusterNode p = nodes.get(primaryName);
        servers.put(name, srv);
        standbyOf.put(name, primaryName);
        nodes.put(name, new ClusterNode(name, NodeRole.STANDBY, p.groupId(), "127.0.0.1", srv.port(),
                options.bouncers() ? Ports.free() : -1, options.bouncers() ? Ports.free() : -1, primaryName));
    }

    private static void copyDir(Path from, Path to) {
        Exec.runAsService(List.of("cp", "-a", from.toString(), to.toString()), null, 120);
    }

    private static void parallel(List<Runnable> tasks) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(tasks.size(), 4)));
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (Runnable r : tasks) {
                fs.add(pool.submit(r));
            }
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- topology of the test cluster

    /** @return all nodes: coordinator, workers, then standbys */
    public synchronized List<ClusterNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public ClusterNode coordinator() {
        return node("coordinator");
    }

    /** @param i 1-based worker number */
    public ClusterNode worker(int i) {
        return node("worker" + i);
    }

    public synchronized List<ClusterNode> workers() {
        return nodes.values().stream().filter(n -> n.role() == NodeRole.WORKER).toList();
    }

    /** @return the standby of a primary; throws when it has none */
    public synchronized ClusterNode standbyOf(ClusterNode primary) {
        for (Map.Entry<String, String> e : standbyOf.entrySet()) {
            if (e.getValue().equals(primary.name())) {
                return nodes.get(e.getKey());
            }
        }
        throw new IllegalArgumentException(primary.name() + " has no standby");
    }

    public synchronized ClusterNode node(String name) {
        ClusterNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return n;
    }

    /** @return the primaries in Citus group order (coordinator first) */
    public synchronized List<ClusterNode> primaryNodes() {
        return nodes.values().stream().filter(n -> !n.isStandby()).toList();
    }

    public synchronized List<ClusterNode> standbyNodes() {
        return nodes.values().stream().filter(ClusterNode::isStandby).toList();
    }

    /** @return the Citus operations of this cluster (on a plain PostgreSQL server each says it has no Citus) */
    public CitusOps citus() {
        return citus;
    }

    /** @return whether PgBouncers run in front of the nodes */
    public boolean hasBouncers() {
        return options.bouncers();
    }

    /** @return how long {@link #start} took */
    public Duration startTime() {
        return startTime;
    }

    public String user() {
        return appUser;
    }

    public String password() {
        return appPassword;
    }

    public String adminUser() {
        return adminUser;
    }

    public String adminPassword() {
        return adminPassword;
    }

    public String database() {
        return database;
    }

    /** @return {@code jdbc:postgresql://127.0.0.1:PORT/DB} straight to the node */
    public String jdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.host() + ":" + node.port() + "/" + database;
    }

    /** @return the URL of the node's PgBouncer (transaction pooling) */
    public String bouncerJdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.bouncerAddress() + "/" + database;
    }

    /** @return the URL of the node's PgBouncer 1.25 (transaction pooling, tracks {@code search_path}) */
    public String trackingBouncerJdbcUrl(ClusterNode node) {
        return "jdbc:postgresql://" + node.trackingBouncerAddress() + "/" + database;
    }

    /**
     * @return a new connection as the application role through the node's PgBouncer 1.25; named
     *         prepared statements are safe there ({@code max_prepared_statements}), so pgjdbc's defaults stay
     */
    public Connection trackingBouncerConnection(ClusterNode node) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", appUser);
        p.setProperty("password", appPassword);
        return DriverManager.getConnection(trackingBouncerJdbcUrl(node), p);
    }

    /** @return one line naming what runs: Citus and its version, TLS, the PgBouncers */
    public String describe() {
        String what = citus.describe() + (options.tls() ? ", TLS on" : ", TLS off");
        if (options.bouncers()) {
            what += "; PgBouncers " + Binaries.versionOf(bin.pgBouncer().orElseThrow()) + " (no parameter tracking) and "
                    + Binaries.versionOf(bin.pgBouncer125().orElseThrow()) + " (track_extra_parameters = search_path)";
        }
        return what;
    }

    /** @return a new superuser connection straight to the node */
    public Connection admin(ClusterNode node) throws SQLException {
        return connect(node.host(), node.port(), database, adminUser, adminPassword);
    }

    /** @return a new connection as the application role straight to the node */
    public Connection appConnection(ClusterNode node) throws SQLException {
        return connect(node.host(), node.port(), database, appUser, appPassword);
    }

    /** @return a new connection as the application role through the node's PgBouncer ({@code prepareThreshold=0}) */
    public Connection bouncerConnection(ClusterNode node) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", appUser);
        p.setProperty("password", appPassword);
        p.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection(bouncerJdbcUrl(node), p);
    }

    private static Connection connect(int port, String db, String user, String password) throws SQLException {
        return connect("127.0.0.1", port, db, user, password);
    }

    static Connection connect(String host, int port, String db, String user, String password) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "10");
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return DriverManager.getConnection("jdbc:postgresql://" + h + ":" + port + "/" + db, p);
    }

    // ---------------------------------------------------------------- node operations

    /** Fast shutdown of a node's server (its PgBouncer keeps running, as a real one would). */
    public synchronized void stop(ClusterNode node) {
        server(node).stop();
    }

    /** Starts a stopped or killed node's server again. */
    public synchronized void start(ClusterNode node) {
        server(node).start();
    }

    /** kill -9 of the node's postmaster and backends. */
    public synchronized void kill(ClusterNode node) {
        server(node).kill();
    }

    /** @return whether the node's server process is alive */
    public synchronized boolean isRunning(ClusterNode node) {
        return server(node).isRunning();
    }

    /** Stops or starts both PgBouncers (1.18 and 1.25) in front of a node. */
    public synchronized void setBouncerRunning(ClusterNode node, boolean running) {
        List<PgBouncerProcess> pair = bouncers.get(node.name());
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
    public synchronized void promote(ClusterNode standby) throws SQLException {
        String primaryName = standbyOf.get(standby.name());
        if (primaryName == null) {
            throw new IllegalArgumentException(standby.name() + " is not a standby");
        }
        server(standby).promote();
        waitUntil(() -> !inRecovery(standby), Duration.ofSeconds(30), standby.name() + " to leave recovery");
        citus.failover(nodes.get(primaryName), standby);
        standbyOf.remove(standby.name());
    }

    /** Blocks until the standby has replayed everything its primary had written when called. */
    public void waitForReplay(ClusterNode primary, ClusterNode standby) throws SQLException {
        String lsn;
        try (Connection c = admin(primary); Statement s = c.createStatement()) {
            // A synchronously committed xid flushes all earlier WAL; the flush position is then an
            // end of record, which the standby's replay position can equal (the insert position
            // may point past a page header the standby never sees).
            s.execute("SET synchronous_commit = on");
            // txid_current() alone writes no WAL, so its commit is not flushed synchronously and
            // asynchronous commits of other sessions could stay unflushed: write a WAL record.
            s.execute("SELECT pg_logical_emit_message(true, 'citus-testkit', 'replay mark')");
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
                rs.next();
                lsn = rs.getString(1);
            }
        }
        waitUntil(() -> {
            try (Connection c = admin(standby); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'::pg_lsn")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }, Duration.ofSeconds(30), standby.name() + " to replay " + lsn);
    }

    private boolean inRecovery(ClusterNode n) throws SQLException {
        try (Connection c = admin(n); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

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

    private PostgresServer server(ClusterNode node) {
        if (attached) {
            throw new UnsupportedOperationException("the kit did not start " + node.name()
                    + " (attached to an existing cluster): it cannot stop, kill, start or promote it");
        }
        PostgresServer s = servers.get(node.name());
        if (s == null) {
            throw new IllegalArgumentException("no server " + node.name());
        }
        return s;
    }

    /** @return the PIDs of every server and PgBouncer this cluster started (for leak checks) */
    public synchronized List<Long> processIds() {
        List<Long> pids = new ArrayList<>();
        servers.values().forEach(s -> s.pid().ifPresent(pids::add));
        bouncers.values().forEach(pair -> pair.forEach(b -> b.pid().ifPresent(pids::add)));
        return Collections.unmodifiableList(pids);
    }

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
    public Path runDir() {
        return runDir;
    }

    /** Stops every server and PgBouncer (immediate shutdown) and deletes the run directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
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
        long t0 = System.nanoTime();
        List<Runnable> stops = new ArrayList<>();
        bouncers.values().forEach(pair -> pair.forEach(b -> stops.add(b::stop)));
        servers.values().forEach(s -> stops.add(() -> s.stop("immediate")));
        try {
            parallel(stops);
        } catch (RuntimeException e) {
            log("clean stop failed (" + e.getMessage() + "); killing what is left");
        }
        // Whatever did not stop cleanly is killed: teardown must leave nothing behind.
        Leftovers.killServers(runDir);
        Leftovers.deleteTree(runDir);
        log("cluster stopped in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
    }

    static void log(String msg) {
        System.out.println("[citus-testkit] " + msg);
    }
}
