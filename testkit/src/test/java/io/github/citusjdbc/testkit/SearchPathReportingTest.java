package io.github.citusjdbc.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module that makes the emulation report {@code search_path}: built once per machine into a cache
 * keyed by its sources and {@code pg_config}, safely when several builds race, and what happens when
 * it cannot be built (a warning, or a failure with {@code CI=true}).
 */
class SearchPathReportingTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentBuildsShareOneCachedModuleAndLaterStartsReuseIt() throws Exception {
        Binaries bin = Binaries.locate();
        SearchPathReporting.Outcome here = SearchPathReporting.prepare(bin);
        assertTrue(here.available(), "the module cannot be built on this machine (scripts/prerequisites.sh installs"
                + " what it needs): " + here.problem());
        Path cache = tmp.resolve("ext");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<SearchPathReporting.Outcome>> builds = new ArrayList<>();
        try {
            Callable<SearchPathReporting.Outcome> build = () -> SearchPathReporting.build(bin, cache, null);
            for (int i = 0; i < 4; i++) {
                builds.add(pool.submit(build));
            }
            Path first = null;
            for (Future<SearchPathReporting.Outcome> f : builds) {
                SearchPathReporting.Outcome o = f.get();
                assertTrue(o.available(), o.problem());
                first = first == null ? o.library() : first;
                assertEquals(first, o.library());
            }
            byte[] elf = {0x7f, 'E', 'L', 'F'};
            byte[] head = new byte[4];
            System.arraycopy(Files.readAllBytes(first), 0, head, 0, 4);
            assertArrayEquals(elf, head, "a complete shared object");
            try (Stream<Path> left = Files.list(cache)) {
                assertEquals(List.of(first), left.toList(), "no build directory left behind");
            }
            FileTime built = Files.getLastModifiedTime(first);
            Thread.sleep(20);
            assertEquals(first, SearchPathReporting.build(bin, cache, null).library());
            assertEquals(built, Files.getLastModifiedTime(first), "a cached module is not rebuilt");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingServerHeadersAreNamedWithThePackageToInstall() throws IOException {
        Binaries bin = Binaries.locate();
        // A pg_config of the right major whose server headers are not installed.
        Path fake = tmp.resolve("pg_config");
        int major = SearchPathReporting.majorOf(Exec.run(List.of(bin.tool("postgres"), "--version"), null, null, 30).output());
        Files.writeString(fake, "#!/bin/sh\ncase \"$1\" in --version) echo 'PostgreSQL " + major + ".0';;"
                + " --includedir-server) echo '" + tmp.resolve("no-headers") + "';; *) exit 1;; esac\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        SearchPathReporting.Outcome o = SearchPathReporting.build(bin, tmp.resolve("ext"), fake.toString());
        assertFalse(o.available());
        assertTrue(o.problem().contains("postgresql-server-dev-" + major), o.problem());
    }

    @Test
    void anUnbuildableModuleFailsUnderCiAndOnlyWarnsElsewhere() {
        SearchPathReporting.Outcome none = new SearchPathReporting.Outcome(null, "simulated by SearchPathReportingTest");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> LocalCluster.searchPathModule(none, true));
        assertTrue(e.getMessage().contains("CI=true") && e.getMessage().contains("simulated by SearchPathReportingTest"), e.getMessage());
        assertNull(LocalCluster.searchPathModule(none, false));
        Path so = Path.of("/x/citus_report_search_path-1.so");
        assertEquals(so, LocalCluster.searchPathModule(new SearchPathReporting.Outcome(so, null), true));
    }

    @Test
    void majorVersionIsReadFromPostgresAndPgConfigOutput() {
        assertEquals(15, SearchPathReporting.majorOf("postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"));
        assertEquals(16, SearchPathReporting.majorOf("PostgreSQL 16.4"));
        assertEquals(-1, SearchPathReporting.majorOf("garbage"));
    }
}
