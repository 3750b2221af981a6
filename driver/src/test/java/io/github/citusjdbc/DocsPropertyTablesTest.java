package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.config.OwnedPgjdbcProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The property tables of docs/configuration.md are rendered from the enums; this fails when they drift. */
class DocsPropertyTablesTest {

    private static final Path CONFIGURATION = Path.of("../docs/configuration.md");

    @Test
    void configurationDocHasTheCurrentCitusPropertyTable() throws IOException {
        assertSection("citus-properties", CitusProperty.markdownTable());
    }

    @Test
    void configurationDocHasTheCurrentOwnedPgjdbcPropertyTable() throws IOException {
        assertSection("owned-pgjdbc-properties", OwnedPgjdbcProperty.markdownTable());
    }

    private static void assertSection(String marker, String table) throws IOException {
        String start = "<!-- " + marker + ":start -->";
        String end = "<!-- " + marker + ":end -->";
        String expected = start + "\n" + table + end;
        String hint = "docs/configuration.md must contain, exactly:\n\n" + expected + "\n";
        assertTrue(Files.exists(CONFIGURATION), CONFIGURATION.toAbsolutePath() + " not found. " + hint);
        String doc = Files.readString(CONFIGURATION);
        int from = doc.indexOf(start);
        int to = doc.indexOf(end);
        assertTrue(from >= 0 && to > from, "markers missing or out of order. " + hint);
        assertEquals(expected, doc.substring(from, to + end.length()), "table out of date. " + hint);
    }
}
