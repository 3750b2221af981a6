package io.github.citusjdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLState;

/**
 * {@link CitusSqlState} lists every SQLState the driver raises, and the driver's sources raise no
 * other: checked by reading {@code driver/src/main/java}.
 */
class CitusSqlStateTest {

    private static final Path MAIN = Path.of("src/main/java/io/github/citusjdbc");

    /** A five-character SQLState literal (with a digit, so that SQL keywords such as "BEGIN" do not count). */
    private static final Pattern STATE_LITERAL = Pattern.compile("\"(?=[0-9A-Z]{5}\")[A-Z]*[0-9][0-9A-Z]*\"");
    private static final Pattern PSQL_STATE = Pattern.compile("PSQLState\\.([A-Z_]+)");
    private static final Pattern CITUS_STATE = Pattern.compile("CitusSqlState\\.([A-Z_]+)");

    /**
     * Files that read the states of the server's errors to classify them (never raise them): a
     * literal there is a state the server sends.
     */
    private static final Set<String> CLASSIFIERS = Set.of("CitusSqlState.java", "SqlErrors.java",
            "TopologyReader.java", "MetadataConnectionSource.java");

    @Test
    void everyConstantHasItsOwnFiveCharacterCode() {
        Set<String> codes = new HashSet<>();
        for (CitusSqlState s : CitusSqlState.values()) {
            assertEquals(5, s.getState().length(), s.name());
            assertTrue(codes.add(s.getState()), "two constants with code " + s.getState());
        }
    }

    @Test
    void matchesComparesTheExceptionsOwnState() {
        assertTrue(CitusSqlState.ACTIVE_SQL_TRANSACTION.matches(new SQLException("x", "25001")));
        assertFalse(CitusSqlState.ACTIVE_SQL_TRANSACTION.matches(new SQLException("x", "25000")));
        assertFalse(CitusSqlState.ACTIVE_SQL_TRANSACTION.matches(new SQLException("x")));
        assertFalse(CitusSqlState.ACTIVE_SQL_TRANSACTION.matches(null));
    }

    @Test
    void theDriverRaisesNoStateOutsideTheEnum() throws IOException {
        Set<String> listed = new HashSet<>();
        for (CitusSqlState s : CitusSqlState.values()) {
            listed.add(s.getState());
        }
        List<String> literals = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        for (Map.Entry<Path, String> source : sources().entrySet()) {
            String name = source.getKey().getFileName().toString();
            String text = source.getValue();
            if (!CLASSIFIERS.contains(name)) {
                Matcher m = STATE_LITERAL.matcher(text);
                while (m.find()) {
                    literals.add(name + ": " + m.group());
                }
            }
            Matcher p = PSQL_STATE.matcher(text);
            while (p.find()) {
                String state = PSQLState.valueOf(p.group(1)).getState();
                if (!listed.contains(state)) {
                    unlisted.add(name + ": PSQLState." + p.group(1) + " (" + state + ")");
                }
            }
        }
        assertEquals(List.of(), literals, "SQLState literals: use CitusSqlState");
        assertEquals(List.of(), unlisted, "pgjdbc states raised by the driver but not listed in CitusSqlState");
    }

    @Test
    void everyConstantIsRaisedSomewhere() throws IOException {
        Set<String> used = new HashSet<>();
        for (Map.Entry<Path, String> source : sources().entrySet()) {
            if (source.getKey().getFileName().toString().equals("CitusSqlState.java")) {
                continue;
            }
            Matcher c = CITUS_STATE.matcher(source.getValue());
            while (c.find()) {
                used.add(CitusSqlState.valueOf(c.group(1)).getState());
            }
            Matcher p = PSQL_STATE.matcher(source.getValue());
            while (p.find()) {
                used.add(PSQLState.valueOf(p.group(1)).getState());
            }
        }
        List<String> unused = new ArrayList<>();
        for (CitusSqlState s : CitusSqlState.values()) {
            if (!used.contains(s.getState())) {
                unused.add(s.name());
            }
        }
        assertEquals(List.of(), unused, "constants no source raises");
    }

    private static Map<Path, String> sources() throws IOException {
        Map<Path, String> all = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                all.put(f, Files.readString(f));
            }
        }
        assertTrue(all.size() > 50, "sources found under " + MAIN.toAbsolutePath());
        return all;
    }
}
