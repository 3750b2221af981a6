package io.github.citusjdbc.conformance;

import io.github.citusjdbc.CitusDataSource;
import javax.sql.DataSource;

/** The conformance suite through citus-jdbc: must behave exactly as {@link PgjdbcConformanceTest}. */
class CitusConformanceTest extends JdbcConformanceSuite {

    @Override
    Target target() {
        return Targets.coordinator();
    }

    @Override
    String url() {
        return target().citusUrl();
    }

    @Override
    DataSource newDataSource() {
        return new CitusDataSource();
    }

    @Override
    String dataSourceClassName() {
        return CitusDataSource.class.getName();
    }

    @Override
    void configure(DataSource dataSource, String host, int port, String database, String user, String password) {
        CitusDataSource ds = (CitusDataSource) dataSource;
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setSslmode("disable");
    }
}
