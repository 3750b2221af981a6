package io.github.citusjdbc.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external commands (initdb, pg_ctl, pg_basebackup, pgbouncer) to completion, as the
 * unprivileged service user when this JVM runs as root: PostgreSQL and PgBouncer refuse root.
 */
final class Exec {
    /** The OS user servers run as when the JVM is root (Debian's postgresql package creates it). */
    static final String SERVICE_USER = System.getenv().getOrDefault("CITUS_TESTKIT_OS_USER", "postgres");

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Exec() {
    }

    static boolean isRoot() {
        return ROOT;
    }

    /** Result of a finished command. */
    record Result(int exitCode, String output) {
    }

    /**
     * Runs a command as the service user (directly when not root) and waits for it.
     *
     * @throws IllegalStateException when it exits non-zero or outlives the timeout; the message holds its output
     */
    static String runAsService(List<String> command, Map<String, String> env, long timeoutSeconds) {
        Result r = run(asService(command), env, null, timeoutSeconds);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("command failed (exit " + r.exitCode() + "): "
                    + String.join(" ", command) + "\n" + r.output());
        }
        return r.output();
    }

    static List<String> asService(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(command.size() + 4);
        wrapped.add("runuser");
        wrapped.add("-u");
        wrapped.add(SERVICE_USER);
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    static Result run(List<String> command, Map<String, String> env, Path dir, long timeoutSeconds) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        // Keep the child's locale predictable and independent of the caller's environment.
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("PGPASSWORD");
        if (env != null) {
            pb.environment().putAll(env);
        }
        try {
            Process p = pb.start();
            // Read fully before waiting: a chatty child would block on a full pipe otherwise.
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Gives the service user ownership of a path we created as root (recursively). */
    static void chownToService(Path path) {
        if (ROOT) {
            Result r = run(List.of("chown", "-R", SERVICE_USER + ":", path.toString()), null, null, 60);
            if (r.exitCode() != 0) {
                throw new IllegalStateException("chown failed: " + r.output());
            }
        }
    }
}
