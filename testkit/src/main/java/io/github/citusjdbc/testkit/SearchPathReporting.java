package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The emulation's {@code search_path} reporting: a tiny server module, shipped as C source in the kit's
 * resources ({@code native/citus_report_search_path.c}), that marks {@code search_path} {@code GUC_REPORT}
 * as Citus does, so plain PostgreSQL sends a ParameterStatus for it like Citus 12+. Compiled with PGXS
 * ({@code pg_config --pgxs} of the PostgreSQL major the kit runs) once per machine: the {@code .so} is
 * cached under {@code <baseDir>/ext/} with a name keyed by a hash of the sources and the
 * {@code pg_config} used; builds run in a private temporary directory and are moved into place
 * atomically, so concurrent JVMs never see a half-written module.
 */
final class SearchPathReporting {
    static final String MODULE = "citus_report_search_path";
    private static final String RESOURCES = "io/github/citusjdbc/testkit/native/";
    private static final List<String> SOURCES = List.of(MODULE + ".c", "Makefile");
    private static final Pattern VERSION = Pattern.compile("PostgreSQL\\)? (\\d+)");
    private static final Map<Path, Outcome> BUILT = new HashMap<>();

    private SearchPathReporting() {
    }

    /**
     * What the kit can load.
     *
     * @param library the compiled module (absolute), or null
     * @param problem why there is none (for the warning or the CI failure), or null
     */
    record Outcome(Path library, String problem) {
        boolean available() {
            return library != null;
        }
    }

    /** @return the module for the servers of {@code bin}, built now if this machine has not built it yet */
    static synchronized Outcome prepare(Binaries bin) {
        return BUILT.computeIfAbsent(bin.pgBin(), k -> build(bin, LocalCluster.baseDir().resolve("ext"), null));
    }

    /**
     * @param cache    where built modules are kept (shared by every JVM of the machine)
     * @param pgConfig the {@code pg_config} to build with, or null to find the one of the servers' major
     */
    static Outcome build(Binaries bin, Path cache, String pgConfig) {
        int major;
        try {
            major = majorOf(Exec.run(List.of(bin.tool("postgres"), "--version"), null, null, 30).output());
        } catch (IllegalStateException e) {
            return new Outcome(null, "cannot run " + bin.tool("postgres") + " --version: " + e.getMessage());
        }
        if (major < 0) {
            return new Outcome(null, "cannot tell the PostgreSQL major of " + bin.pgBin());
        }
        if (pgConfig == null) {
            pgConfig = pgConfigFor(bin, major);
        }
        if (pgConfig == null) {
            return new Outcome(null, "no pg_config of PostgreSQL " + major + " (the embedded binaries have none):"
                    + " install postgresql-server-dev-" + major);
        }
        String includeDir = output(List.of(pgConfig, "--includedir-server"));
        if (includeDir == null || !Files.exists(Paths.get(includeDir, "postgres.h"))) {
            return new Outcome(null, "the PostgreSQL " + major + " server headers are missing (" + includeDir
                    + "): apt-get install -y postgresql-server-dev-" + major + " (scripts/prerequisites.sh does)");
        }
        try {
            Map<String, byte[]> sources = sources();
            Files.createDirectories(cache);
            setMode(cache, "rwxr-xr-x");
            Path target = cache.resolve(MODULE + "-" + key(sources, pgConfig, includeDir, major) + ".so");
            if (Files.isRegularFile(target)) {
                return new Outcome(target, null);
            }
            removeAbandonedBuilds(cache);
            Path work = Files.createTempDirectory(cache, "build-");
            try {
                for (Map.Entry<String, byte[]> s : sources.entrySet()) {
                    Files.write(work.resolve(s.getKey()), s.getValue());
                }
                // with_llvm=no: no JIT bitcode (Debian's PGXS would want clang for it); -s: quiet.
                Exec.Result r = Exec.run(List.of("make", "-s", "PG_CONFIG=" + pgConfig, "with_llvm=no"), null, work, 180);
                Path so = work.resolve(MODULE + ".so");
                if (r.exitCode() != 0 || !Files.isRegularFile(so)) {
                    return new Outcome(null, "cannot compile " + MODULE + ".c with " + pgConfig + " (make exit "
                            + r.exitCode() + "; needs gcc and make): " + lastLines(r.output(), 5));
                }
                setMode(so, "rwxr-xr-x"); // the service user must read it when the kit runs as root
                try {
                    Files.move(so, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("cannot move the module atomically into " + cache, e);
                }
                return new Outcome(target, null);
            } finally {
                Leftovers.deleteTree(work);
            }
        } catch (IOException | IllegalStateException e) {
            return new Outcome(null, "cannot build " + MODULE + ": " + e.getMessage());
        }
    }

    /** The PostgreSQL {@code pg_config} of the servers' major: theirs, else the system's (for the embedded binaries). */
    private static String pgConfigFor(Binaries bin, int major) {
        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(bin.tool("pg_config"));
        candidates.add("/usr/lib/postgresql/" + major + "/bin/pg_config");
        candidates.add("pg_config");
        for (String c : candidates) {
            if (c.contains("/") && !Files.isExecutable(Paths.get(c))) {
                continue;
            }
            String v = output(List.of(c, "--version"));
            if (v != null && majorOf(v) == major) {
                return c;
            }
        }
        return null;
    }

    static int majorOf(String versionLine) {
        Matcher m = VERSION.matcher(versionLine);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String output(List<String> command) {
        try {
            Exec.Result r = Exec.run(command, null, null, 30);
            return r.exitCode() == 0 ? r.output().trim() : null;
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static Map<String, byte[]> sources() throws IOException {
        Map<String, byte[]> out = new java.util.LinkedHashMap<>();
        for (String name : SOURCES) {
            try (InputStream in = SearchPathReporting.class.getClassLoader().getResourceAsStream(RESOURCES + name)) {
                if (in == null) {
                    throw new IOException("resource " + RESOURCES + name + " missing from the kit");
                }
                out.put(name, in.readAllBytes());
            }
        }
        return out;
    }

    private static String key(Map<String, byte[]> sources, String pgConfig, String includeDir, int major) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> s : sources.entrySet()) {
                md.update(s.getKey().getBytes(StandardCharsets.UTF_8));
                md.update(s.getValue());
            }
            String version = output(List.of(pgConfig, "--version"));
            md.update((major + "\n" + version + "\n" + includeDir).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Build directories of JVMs killed mid-build (a build takes about a second). */
    private static void removeAbandonedBuilds(Path cache) throws IOException {
        Instant cutoff = Instant.now().minus(Duration.ofMinutes(10));
        List<Path> old = new ArrayList<>();
        try (Stream<Path> s = Files.list(cache)) {
            s.filter(p -> p.getFileName().toString().startsWith("build-")).forEach(old::add);
        }
        for (Path p : old) {
            try {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                    Leftovers.deleteTree(p);
                }
            } catch (IOException ignored) {
                // another JVM removed it meanwhile
            }
        }
    }

    private static void setMode(Path p, String mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (IOException | UnsupportedOperationException ignored) {
            // someone else's file: readable already, or the server says so when it loads it
        }
    }

    private static String lastLines(String s, int n) {
        String[] lines = s.strip().split("\n");
        return String.join(" | ", List.of(lines).subList(Math.max(0, lines.length - n), lines.length));
    }
}
