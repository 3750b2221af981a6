package io.github.citusjdbc.config;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PgjdbcVersionTest {

    @Test
    void the42Point7LineFromTheOldestTestedPatchIsSupported() {
        assertNull(PgjdbcVersion.problem("PostgreSQL JDBC Driver 42.7." + PgjdbcVersion.OLDEST_PATCH));
        assertNull(PgjdbcVersion.problem("PostgreSQL JDBC Driver 42.7.14"));
        assertNull(PgjdbcVersion.problem("PostgreSQL JDBC Driver 42.7.99-SNAPSHOT"));
    }

    @Test
    void otherVersionsAreRefusedNamingTheRange() {
        for (String v : new String[] {"PostgreSQL JDBC Driver 42.7." + (PgjdbcVersion.OLDEST_PATCH - 1),
                "PostgreSQL JDBC Driver 42.6.2", "PostgreSQL JDBC Driver 42.8.0", "PostgreSQL JDBC Driver 43.0.0",
                "PostgreSQL JDBC Driver", "", null}) {
            String problem = PgjdbcVersion.problem(v);
            assertNotNull(problem, v);
            assertTrue(problem.contains(PgjdbcVersion.SUPPORTED), problem);
        }
    }

    @Test
    void thePgjdbcOnTheClassPathIsSupported() throws SQLException {
        assertTrue(PgjdbcVersion.found().startsWith("PostgreSQL JDBC Driver 42.7."), PgjdbcVersion.found());
        String expected = System.getProperty("citus.expectPgjdbc"); // set by the pgjdbc-oldest run
        if (expected != null) {
            assertTrue(PgjdbcVersion.found().endsWith(" " + expected), "this run uses " + PgjdbcVersion.found());
        }
        assertNull(PgjdbcVersion.problem(PgjdbcVersion.found()));
        PgjdbcVersion.requireSupported();
    }
}
