package io.github.citusjdbc.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.citusjdbc.CitusConnection;
import io.github.citusjdbc.CitusMetrics;
import io.github.citusjdbc.routing.SqlErrors;
import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code failoverWait} on real Citus: a worker primary is stopped and, 1.5 s later, its standby is
 * promoted and registered with {@code citus_update_node}, as an operator fails a worker over. In the
 * window, Citus cannot reach the tenant's worker: without the setting a write fails at once (and
 * the failure is one that nothing was sent for); with it, an autocommit write and a transaction
 * started in the window wait and then succeed on the promoted node, each row stored once. A cluster
 * of its own: the failover reshapes it.
 */
class FailoverWaitTest {

    private static final Logger LOG = LoggerFactory.getLogger(FailoverWaitTest.class);
    private static final String TENANT = "fw_tenant";
    private static LocalCluster cluster;

    @BeforeAll
    static void start() throws SQLException {
        cluster = LocalCluster.start(LocalCluster.Options.defaults());
        cluster.citus().createTenant(TENANT, cluster.worker(1), List.of("CREATE TABLE t (id bigint PRIMARY KEY)"),
                cluster.user());
        cluster.waitForReplay(cluster.worker(1), cluster.standbyOf(cluster.worker(1)));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Connection connect(String more) throws SQLException {
        Connection c = DriverManager.getConnection(Served.url(cluster, "topologyRefreshInterval=1s&connectTimeout=5"
                + (more == null ? "" : "&" + more)), Served.app(cluster));
        c.setSchema(TENANT);
        return c;
    }

    private static void insert(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?)")) {
            ps.setLong(1, id);
            assertEquals(1, ps.executeUpdate());
        }
    }

    @Test
    void aWorkerFailoverCostsTheWaitingUnitsLatencyNotErrors() throws Exception {
        ClusterNode primary = cluster.worker(1);
        ClusterNode standby = cluster.standbyOf(primary);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try (Connection control = connect(null);
             Connection autocommit = connect("failoverWait=30s");
             Connection transaction = connect("failoverWait=30s")) {
            insert(control, 1);
            insert(autocommit, 2);
            insert(transaction, 3); // every coordinator backend now has a connection to the worker cached
            CitusMetrics metrics = autocommit.unwrap(CitusConnection.class).metrics();
            long waitsBefore = metrics.getFailoverWaits();

            cluster.stop(primary); // nothing in flight: every failure below comes from the stopped worker
            long stopped = System.nanoTime();
            Future<Long> promoted = threads.submit(() -> {
                Thread.sleep(1_500);
                cluster.promote(standby);
                return System.nanoTime();
            });
            Future<Long> autocommitDone = threads.submit(() -> {
                insert(autocommit, 20);
                return System.nanoTime();
            });
            Future<Long> transactionDone = threads.submit(() -> {
                transaction.setAutoCommit(false);
                insert(transaction, 30); // the transaction's first statement: rolled back and run again
                insert(transaction, 31);
                transaction.commit();
                return System.nanoTime();
            });

            SQLException failure = assertThrows(SQLException.class, () -> insert(control, 10),
                    "without failoverWait a write for the stopped worker fails");
            LOG.info("without failoverWait: {} {}", failure.getSQLState(), failure.getMessage());
            assertTrue(SqlErrors.notSent(failure), "Citus could not connect to the worker: nothing was sent: "
                    + failure.getMessage());

            long promotedAt = promoted.get(60, TimeUnit.SECONDS);
            long autocommitAt = autocommitDone.get(60, TimeUnit.SECONDS);
            long transactionAt = transactionDone.get(60, TimeUnit.SECONDS);
            LOG.info("promoted {} ms after the stop; the autocommit write returned after {} ms, the transaction after {} ms",
                    (promotedAt - stopped) / 1_000_000, (autocommitAt - stopped) / 1_000_000,
                    (transactionAt - stopped) / 1_000_000);
            assertTrue(autocommitAt > promotedAt - 200_000_000L, "the write waited for the failover");
            assertTrue(transactionAt > promotedAt - 200_000_000L, "the transaction waited for the failover");
            assertTrue(metrics.getFailoverWaits() - waitsBefore >= 2, "both waited: " + metrics.getFailoverWaits());

            try (Statement s = control.createStatement();
                 ResultSet rs = s.executeQuery("SELECT array_agg(id ORDER BY id)::text FROM t")) {
                rs.next();
                assertEquals("{1,2,3,20,30,31}", rs.getString(1), "each acknowledged row once; the failed one absent");
            }
            try (Statement s = control.createStatement();
                 ResultSet rs = s.executeQuery("SELECT nodeport FROM citus_shards WHERE table_name = 't'::regclass")) {
                rs.next();
                assertEquals(standby.port(), rs.getInt(1), "the tenant's shard now lives on the promoted node");
            }
        } finally {
            threads.shutdownNow();
        }
    }
}
