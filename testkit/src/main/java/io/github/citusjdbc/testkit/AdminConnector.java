package io.github.citusjdbc.testkit;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a superuser connection straight to a node of the test cluster (never through PgBouncer). */
@FunctionalInterface
public interface AdminConnector {
    /**
     * @param node the node to connect to
     * @return a new superuser connection to the cluster's database on that node, autocommit on
     * @throws SQLException when the node cannot be reached
     */
    Connection open(ClusterNode node) throws SQLException;
}
