package io.github.citusjdbc.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.citusjdbc.topology.CitusDetector;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class CitusDetectorTest {

    @Test
    void queriesOncePerClusterKey() throws SQLException {
        FakeJdbc fake = new FakeJdbc();
        Connection physical = fake.connection(); // its result sets have no rows: not Citus
        CitusDetector detector = new CitusDetector();
        assertFalse(detector.isCitus("a:1/db", physical));
        assertFalse(detector.isCitus("a:1/db", physical));
        assertEquals(1, queries(fake));
        assertFalse(detector.isCitus("b:1/db", physical));
        assertEquals(2, queries(fake), "another cluster is detected separately");
    }

    private static long queries(FakeJdbc fake) {
        return fake.calls.stream().filter("Statement.executeQuery"::equals).count();
    }
}
