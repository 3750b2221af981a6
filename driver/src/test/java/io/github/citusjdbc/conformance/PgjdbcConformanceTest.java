package io.github.citusjdbc.conformance;

import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** The conformance suite through pgjdbc itself: the reference behaviour. */
class PgjdbcConformanceTest extends JdbcConformanceSuite {

    @Override
    Target target() {
        return Targets.coordinator();
    }

    @Override
    String url() {
        return target().pgjdbcUrl();
    }

    @Override
    DataSource newDataSource() {
        return new PGSimpleDataSource();
    }

    @Override
    String dataSourceClassName() {
        return PGSimpleDataSource.class.getName();
    }

    @Override
    void configure(DataSource dataSource, String host, int port, String database, String user, String password) {
        PGSimpleDataSource ds = (PGSimpleDataSource) dataSource;
        ds.setServerNames(new String[] {host});
        ds.setPortNumbers(new int[] {port});
        ds.setDatabaseName(database);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setSslmode("disable");
    }
}
