package io.github.citusjdbc.conformance;

import java.util.Properties;

/** The PgBouncer suite through citus-jdbc: {@code pooler} alone makes it safe (prepareThreshold is forced). */
class CitusBouncerConformanceTest extends BouncerConformanceSuite {

    @Override
    String url() {
        return target().citusUrl();
    }

    @Override
    Properties poolerProperties() {
        Properties p = new Properties();
        p.setProperty("pooler", "pgbouncer-transaction");
        return p;
    }
}
