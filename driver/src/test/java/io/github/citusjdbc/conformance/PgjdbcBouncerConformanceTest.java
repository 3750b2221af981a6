package io.github.citusjdbc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The PgBouncer suite through pgjdbc, configured as docs/facts.md (PgBouncer) says it must be. */
class PgjdbcBouncerConformanceTest extends BouncerConformanceSuite {

    @Override
    String url() {
        return target().pgjdbcUrl();
    }

    @Override
    Properties poolerProperties() {
        Properties p = new Properties();
        p.setProperty("prepareThreshold", "0");
        return p;
    }

    /**
     * pgjdbc's documented limit: {@code currentSchema} is sent as the startup parameter
     * {@code search_path}, which PgBouncer refuses. (citus-jdbc never sends it; what it does
     * instead is its own test's business.)
     */
    @Test
    void currentSchemaIsRefusedByThePooler() {
        Properties schema = new Properties();
        schema.setProperty("currentSchema", "public");
        SQLException e = assertThrows(SQLException.class, () -> open(schema).close());
        assertEquals("08P01", e.getSQLState(), e.getMessage());
    }
}
