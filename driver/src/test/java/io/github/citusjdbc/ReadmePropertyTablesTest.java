package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.config.OwnedPgjdbcProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's property tables are rendered from the enums; this fails when they drift. */
class ReadmePropertyTablesTest {

    private static final Path README = Path.of("../README.md");

    @Test
    void readmeHasTheCurrentCitusPropertyTable() throws IOException {
        assertSection("citus-properties", CitusProperty.markdownTable());
    }

    @Test
    void readmeHasTheCurrentOwnedPgjdbcPropertyTable() throws IOException {
        assertSection("owned-pgjdbc-properties", OwnedPgjdbcProperty.markdownTable());
    }

    private static void assertSection(String marker, String table) throws IOException {
        String start = "<!-- " + marker + ":start -->";
        String end = "<!-- " + marker + ":end -->";
        String expected = start + "\n" + table + end;
        String hint = "README.md must contain, exactly:\n\n" + expected + "\n";
        assertTrue(Files.exists(README), README.toAbsolutePath() + " not found. " + hint);
        String readme = Files.readString(README);
        int from = readme.indexOf(start);
        int to = readme.indexOf(end);
        assertTrue(from >= 0 && to > from, "markers missing or out of order. " + hint);
        assertEquals(expected, readme.substring(from, to + end.length()), "table out of date. " + hint);
    }
}
