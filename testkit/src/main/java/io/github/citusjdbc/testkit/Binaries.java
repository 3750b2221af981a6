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
 * Finds the server binaries the kit runs: PostgreSQL ({@code PG_BIN} if set, else
 * {@code pg_config --bindir}, else Debian's versioned install directories, newest first) with the
 * Citus extension installed into it; Debian's PgBouncer 1.18 ({@code PGBOUNCER} if set, else
 * {@code PATH}, else {@code /usr/sbin/pgbouncer}); and PgBouncer 1.25 ({@code PGBOUNCER_1_25} if
 * set, else where {@code scripts/prerequisites.sh} builds it, {@value #PGBOUNCER_1_25_DEFAULT}).
 */
public final class Binaries {
    /** Where {@code scripts/prerequisites.sh} installs PgBouncer 1.25 built from source. */
    static final String PGBOUNCER_1_25_DEFAULT = "/opt/citus-jdbc/pgbouncer-1.25.2/bin/pgbouncer";

    private final Path pgBin;
    private final Path pgBouncer;
    private final Path pgBouncer125;

    private Binaries(Path pgBin, Path pgBouncer, Path pgBouncer125) {
        this.pgBin = pgBin;
        this.pgBouncer = pgBouncer;
        this.pgBouncer125 = pgBouncer125;
    }

    /** @return the binaries of this machine; fails when no PostgreSQL server is installed */
    public static Binaries locate() {
        Path bin = findPgBin().orElseThrow(() -> new IllegalStateException(
                "no PostgreSQL server installed (PG_BIN, pg_config, /usr/lib/postgresql): run scripts/prerequisites.sh"));
        return new Binaries(bin, findPgBouncer().orElse(null), findPgBouncer125().orElse(null));
    }

    /** @return the directory holding initdb, pg_ctl, postgres, pg_basebackup */
    public Path pgBin() {
        return pgBin;
    }

    /** @return a PostgreSQL tool's path, e.g. {@code tool("pg_ctl")} */
    public String tool(String name) {
        return pgBin.resolve(name).toString();
    }

    /** @return Debian's PgBouncer (1.18 on Debian 12), or empty when it is not installed */
    public Optional<Path> pgBouncer() {
        return Optional.ofNullable(pgBouncer);
    }

    /** @return PgBouncer 1.25 (tracks {@code search_path}, keeps prepared statements), or empty */
    public Optional<Path> pgBouncer125() {
        return Optional.ofNullable(pgBouncer125);
    }

    /**
     * @return whether the {@code citus} extension is installed for these binaries (its control
     *         file in the share directory), so the servers can preload it
     */
    public boolean hasCitus() {
        Exec.Result r;
        try {
            r = Exec.run(List.of(tool("pg_config"), "--sharedir"), null, null, 10);
        } catch (IllegalStateException e) {
            return false;
        }
        return r.exitCode() == 0 && Files.exists(Paths.get(r.output().trim(), "extension", "citus.control"));
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

    private static Optional<Path> findPgBouncer125() {
        String env = System.getenv("PGBOUNCER_1_25");
        Path p = Paths.get(env != null && !env.isBlank() ? env : PGBOUNCER_1_25_DEFAULT);
        return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /** @return the version line a PgBouncer executable prints, e.g. {@code PgBouncer 1.25.2} */
    static String versionOf(Path pgBouncer) {
        try {
            Exec.Result r = Exec.run(List.of(pgBouncer.toString(), "--version"), null, null, 10);
            String first = r.output().lines().findFirst().orElse("").trim();
            return r.exitCode() == 0 && !first.isEmpty() ? first : "PgBouncer (version unknown)";
        } catch (IllegalStateException e) {
            return "PgBouncer (version unknown)";
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL " + pgBin + ", PgBouncer " + (pgBouncer == null ? "absent" : pgBouncer)
                + ", PgBouncer 1.25 " + (pgBouncer125 == null ? "absent" : pgBouncer125);
    }
}
