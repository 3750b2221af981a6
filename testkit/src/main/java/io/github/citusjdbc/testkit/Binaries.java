package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the PostgreSQL and PgBouncer binaries: {@code PG_BIN} if set, else {@code pg_config --bindir},
 * else Debian's versioned install directories (newest first). PgBouncer from {@code PGBOUNCER}
 * if set, else {@code PATH}, else Debian's {@code /usr/sbin/pgbouncer}.
 */
public final class Binaries {
    private final Path pgBin;
    private final Path pgBouncer;

    private Binaries(Path pgBin, Path pgBouncer) {
        this.pgBin = pgBin;
        this.pgBouncer = pgBouncer;
    }

    /**
     * @return the binaries of this machine, else the embedded ones from Maven Central
     *         ({@code CITUS_TESTKIT_EMBEDDED=true} forces those)
     */
    public static Binaries locate() {
        if ("true".equalsIgnoreCase(System.getenv("CITUS_TESTKIT_EMBEDDED"))) {
            return embedded();
        }
        Optional<Path> bin = findPgBin();
        if (bin.isEmpty()) {
            LocalCluster.log("no PostgreSQL installed (PG_BIN, pg_config, /usr/lib/postgresql): using the embedded"
                    + " binaries from Maven Central (io.zonky.test.postgres); install PostgreSQL for pg_basebackup");
            return embedded();
        }
        return new Binaries(bin.get(), findPgBouncer().orElse(null));
    }

    /** @return the embedded PostgreSQL binaries (initdb, pg_ctl, postgres; contrib postgres_fdw and dblink) */
    public static Binaries embedded() {
        return new Binaries(EmbeddedPostgres.binDir(), findPgBouncer().orElse(null));
    }

    /** @return the directory holding initdb, pg_ctl, postgres, pg_basebackup */
    public Path pgBin() {
        return pgBin;
    }

    /** @return a PostgreSQL tool's path, e.g. {@code tool("pg_ctl")} */
    public String tool(String name) {
        return pgBin.resolve(name).toString();
    }

    /** @return the PgBouncer executable, or empty when PgBouncer is not installed */
    public Optional<Path> pgBouncer() {
        return Optional.ofNullable(pgBouncer);
    }

    /**
     * @return whether the {@code citus} extension is installed for these binaries (its control
     *         file in the share directory), so the servers must preload it
     */
    public boolean hasCitus() {
        if (LocalCluster.emulationForced()) {
            return false;
        }
        Exec.Result r;
        try {
            r = Exec.run(List.of(tool("pg_config"), "--sharedir"), null, null, 10);
        } catch (IllegalStateException e) {
            return false;
        }
        return r.exitCode() == 0 && Files.exists(Paths.get(r.output().trim(), "extension", "citus.control"));
    }

    /** @return whether pg_basebackup exists (embedded binary bundles lack it) */
    public boolean hasBaseBackup() {
        return Files.isExecutable(pgBin.resolve("pg_basebackup"));
    }

    private static Optional<Path> findPgBin() {
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            return Optional.of(Paths.get(env)).filter(p -> Files.isExecutable(p.resolve("postgres")));
        }
        Exec.Result r;
        try {
            r = Exec.run(List.of("pg_config", "--bindir"), null, null, 10);
        } catch (IllegalStateException e) {
            r = null;
        }
        if (r != null && r.exitCode() == 0) {
            Path p = Paths.get(r.output().trim());
            if (Files.isExecutable(p.resolve("postgres")) && Files.isExecutable(p.resolve("initdb"))) {
                return Optional.of(p);
            }
        }
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                return versions.map(v -> v.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("postgres")))
                        .max(Comparator.comparingInt(Binaries::majorOf));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static int majorOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<Path> findPgBouncer() {
        String env = System.getenv("PGBOUNCER");
        if (env != null && !env.isBlank()) {
            return Optional.of(Paths.get(env)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty()) {
                Path p = Paths.get(dir, "pgbouncer");
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        Path sbin = Paths.get("/usr/sbin/pgbouncer");
        return Files.isExecutable(sbin) ? Optional.of(sbin) : Optional.empty();
    }

    @Override
    public String toString() {
        return "PostgreSQL " + pgBin + ", PgBouncer " + (pgBouncer == null ? "absent" : pgBouncer);
    }
}
