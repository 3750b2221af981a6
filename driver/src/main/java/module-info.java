/**
 * citus-jdbc: a sharding-aware JDBC driver for Citus over pgjdbc.
 *
 * <p>Exported: the public API ({@code io.github.citusjdbc}), the Hibernate integration and the
 * Micrometer binder. Every
 * other package is internal; docs/architecture.md says what each does.
 */
module io.github.citusjdbc {
    exports io.github.citusjdbc;
    exports io.github.citusjdbc.hibernate;
    exports io.github.citusjdbc.micrometer;
    exports io.github.citusjdbc.sockets to org.postgresql.jdbc; // pgjdbc instantiates its socket factory by name

    requires transitive java.sql;
    requires transitive io.github.citusjdbc.spi;
    requires transitive org.postgresql.jdbc;
    requires java.logging;
    requires java.naming;
    requires java.management;
    requires org.slf4j;
    requires com.github.benmanes.caffeine;
    requires static org.hibernate.orm.core;
    requires static micrometer.core;
    requires static io.opentelemetry.api;
    requires static io.opentelemetry.context;

    provides java.sql.Driver with io.github.citusjdbc.CitusDriver;
}
