package io.github.citusjdbc.conformance;

import java.util.Properties;

/** The PgBouncer suite through pgjdbc, configured as FACTS §7 says it must be. */
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
}
