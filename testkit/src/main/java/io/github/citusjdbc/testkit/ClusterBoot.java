package io.github.citusjdbc.testkit;

import io.github.citusjdbc.testkit.citus.CitusOps;
import io.github.citusjdbc.testkit.citus.CitusOpsFactory;
import io.github.citusjdbc.testkit.citus.NoCitus;
import io.github.citusjdbc.testkit.citus.RealCitus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings up and tears down the processes of a cluster the kit runs: the run directory, one
 * {@code initdb} made into a template (roles, database, TLS certificate) and copied to every
 * primary, standbys as base backups, two PgBouncers per node, and Citus installed with
 * {@code citus_add_node} and friends. It records what it starts in {@link ClusterMembers} as it
 * goes, so that a start failing half way still stops everything it started.
 *
 * <p>One instance boots one cluster once, from one thread.
 */
final class ClusterBoot {
    private final LocalCluster.Options options;
    private final Path runDir;
    private final Binaries bin;
    private final ClusterMembers members;
    private final ClusterConnections connections;
    private final StandbyReplay replay;
    private final StringBuilder phases = new StringBuilder();
    private long phaseStart = System.nanoTime();

    ClusterBoot(LocalCluster.Options options, Path runDir, Binaries bin, ClusterMembers members,
                ClusterConnections connections, StandbyReplay replay) {
        this.options = options;
        this.runDir = runDir;
        this.bin = bin;
        this.members = members;
        this.connections = connections;
        this.replay = replay;
    }

    /** Fails, naming the fix, when the options ask for Citus and the PostgreSQL found has none. */
    static void requireCitus(LocalCluster.Options options, Binaries bin) {
        if (options.citus() && !bin.hasCitus()) {
            throw new IllegalStateException("real Citus is required but the citus extension is not installed for the PostgreSQL at "
                    + bin.pgBin() + ": run scripts/prerequisites.sh (it builds Citus from CITUS_SOURCE, by default"
                    + " ../shared/vendor/citus-12.1.12.tar.gz)");
        }
    }

    /** Fails, naming the fix, when the options ask for PgBouncers and either version is missing. */
    static void requireBouncers(LocalCluster.Options options, Binaries bin) {
        if (options.bouncers() && (bin.pgBouncer().isEmpty() || bin.pgBouncer125().isEmpty())) {
            throw new IllegalStateException("PgBouncer 1.18 (Debian's pgbouncer) and 1.25 (built from PGBOUNCER_SOURCE into "
                    + Binaries.PGBOUNCER_1_25_DEFAULT + ") are required: run scripts/prerequisites.sh; found " + bin);
        }
    }

    /**
     * Removes the runs of JVMs that are gone, then makes a new run directory under {@code base}
     * that records this JVM as its owner.
     */
    static Path newRunDir(Path base) throws IOException {
        Files.createDirectories(base);
        int stale = Leftovers.clean(base);
        if (stale > 0) {
            LocalCluster.log("removed " + stale + " stale run(s) left by a killed JVM");
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
        return run;
    }

    /**
     * Starts every server and PgBouncer the options ask for and installs Citus on them.
     *
     * @return the cluster's Citus operations ({@link NoCitus} on a plain PostgreSQL server)
     */
    CitusOps boot() throws IOException, SQLException {
        Path sock = runDir.resolve("sock");
        Files.createDirectories(sock);
        Path template = makeTemplate(sock);
        startPrimaries(template, sock);
        startStandbys();
        if (options.bouncers()) {
            startBouncers();
        }
        if (!options.citus()) {
            return new NoCitus();
        }
        CitusOps citus = new RealCitus(connections::admin, null, new CitusOpsFactory.Credentials(connections.adminUser(),
                connections.adminPassword(), connections.user(), connections.password(), connections.database()));
        citus.install(members.primaryNodes(), members.standbyNodes());
        phase("Citus installed");
        for (ClusterNode s : members.standbyNodes()) {
            replay.waitForReplay(members.primaryOf(s), s);
        }
        phase("standbys caught up");
        return citus;
    }

    /** @return how long each phase of {@link #boot()} took, e.g. {@code initdb and template 5207 ms, ...} */
    String phases() {
        return phases.toString();
    }

    /**
     * One initdb with the roles, the database and the certificate, copied to every primary later:
     * initdb is the slow part, and identical nodes are what Citus wants.
     */
    private Path makeTemplate(Path sock) throws IOException, SQLException {
        Path pw = runDir.resolve("pw");
        Files.writeString(pw, connections.adminPassword() + "\n", StandardCharsets.UTF_8);
        Exec.chownToService(runDir);

        // Citus connects between nodes as the calling user; like an operator's ~/.pgpass, this file
        // (PGPASSFILE of every server) gives it the passwords of the kit's roles.
        Path pgpass = runDir.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:" + connections.user() + ":" + connections.password()
                        + "\n*:*:*:" + connections.adminUser() + ":" + connections.adminPassword() + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Exec.chownToService(runDir);

        Path template = runDir.resolve("template");
        PostgresServer.initdb(bin, template, connections.adminUser(), pw);
        Files.delete(pw);
        PostgresServer.configure(template, connections.adminUser(), options.citus());
        if (options.tls()) {
            // Citus would make a certificate per node at CREATE EXTENSION; one for 127.0.0.1 made
            // before the copies and base backups lets every node, standbys and promoted standbys
            // included, serve TLS that sslmode=verify-full accepts.
            SelfSignedCert.install(template, runDir.resolve("root.crt"));
        }
        PostgresServer tmpl = new PostgresServer("template", bin, template, sock, Ports.free());
        tmpl.start();
        try (Connection c = ClusterConnections.connect(tmpl.port(), "postgres",
                connections.adminUser(), connections.adminPassword());
             Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + connections.user() + " LOGIN PASSWORD '" + connections.password() + "'");
            s.execute("CREATE DATABASE " + connections.database() + " OWNER " + connections.user());
        }
        tmpl.stop();
        return template;
    }

    /** Copies the template to the coordinator and every worker, then starts them side by side. */
    private void startPrimaries(Path template, Path sock) {
        List<String> primaries = new ArrayList<>();
        primaries.add("coordinator");
        for (int i = 1; i <= options.workers(); i++) {
            primaries.add("worker" + i);
        }
        List<Runnable> starts = new ArrayList<>();
        for (int i = 0; i < primaries.size(); i++) {
            String name = primaries.get(i);
            Path data = runDir.resolve(name);
            copyDir(template, data);
            PostgresServer srv = new PostgresServer(name, bin, data, sock, Ports.free());
            members.addPrimary(new ClusterNode(name, i == 0 ? NodeRole.COORDINATOR : NodeRole.WORKER, i,
                    "127.0.0.1", srv.port(), bouncerPort(), bouncerPort(), null), srv);
            starts.add(srv::start);
        }
        Leftovers.deleteTree(template);
        phase("initdb and template");
        Parallel.run(starts);
        phase("primaries started");
    }

    private void startStandbys() {
        List<Runnable> starts = new ArrayList<>();
        if (options.coordinatorStandby()) {
            starts.add(() -> addStandby("coordinator"));
        }
        if (options.worker1Standby() && options.workers() >= 1) {
            starts.add(() -> addStandby("worker1"));
        }
        // Standbys are built one at a time but alongside the bouncers: two cores, little I/O.
        for (Runnable r : starts) {
            r.run();
        }
        phase("standbys started");
    }

    private void addStandby(String primaryName) {
        String name = primaryName + "-standby";
        Path data = runDir.resolve(name);
        PostgresServer primary = members.server(primaryName);
        primary.baseBackupTo(data, connections.adminUser());
        PostgresServer srv = new PostgresServer(name, bin, data, runDir.resolve("sock"), Ports.free());
        srv.start();
        ClusterNode p = members.node(primaryName);
        members.addStandby(new ClusterNode(name, NodeRole.STANDBY, p.groupId(), "127.0.0.1", srv.port(),
                bouncerPort(), bouncerPort(), primaryName), srv);
    }

    /** PgBouncer 1.18 and 1.25 in front of every node, all started side by side. */
    private void startBouncers() throws IOException {
        List<Runnable> starts = new ArrayList<>();
        List<String[]> users = List.of(new String[]{connections.user(), connections.password()},
                new String[]{connections.adminUser(), connections.adminPassword()});
        for (ClusterNode n : members.nodes()) {
            PgBouncerProcess b = new PgBouncerProcess(n.name(), bin.pgBouncer().orElseThrow(),
                    runDir.resolve("bouncer-" + n.name()), n.bouncerPort(), n.port(), false);
            PgBouncerProcess t = new PgBouncerProcess(n.name() + " (1.25)", bin.pgBouncer125().orElseThrow(),
                    runDir.resolve("bouncer125-" + n.name()), n.trackingBouncerPort(), n.port(), true);
            for (PgBouncerProcess p : List.of(b, t)) {
                p.configure(users);
                starts.add(p::start);
            }
            members.addBouncers(n, List.of(b, t));
        }
        Exec.chownToService(runDir);
        Parallel.run(starts);
        phase("PgBouncers started");
    }

    /** @return a free port for a PgBouncer in front of a node, or -1 when the cluster has none */
    private int bouncerPort() {
        return options.bouncers() ? Ports.free() : -1;
    }

    private void phase(String what) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? "" : ", ").append(what).append(' ').append((now - phaseStart) / 1_000_000).append(" ms");
        phaseStart = now;
    }

    private static void copyDir(Path from, Path to) {
        Exec.runAsService(List.of("cp", "-a", from.toString(), to.toString()), null, 120);
    }

    /**
     * Stops every server and PgBouncer side by side (immediate shutdown), kills whatever did not
     * stop, and deletes the run directory: teardown must leave nothing behind.
     */
    static void tearDown(ClusterMembers members, Path runDir) {
        long t0 = System.nanoTime();
        List<Runnable> stops = new ArrayList<>();
        members.allBouncers().forEach(b -> stops.add(b::stop));
        members.servers().forEach(s -> stops.add(() -> s.stop("immediate")));
        try {
            Parallel.run(stops);
        } catch (RuntimeException e) {
            LocalCluster.log("clean stop failed (" + e.getMessage() + "); killing what is left");
        }
        Leftovers.killServers(runDir);
        Leftovers.deleteTree(runDir);
        LocalCluster.log("cluster stopped in " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
    }
}
