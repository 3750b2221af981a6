package io.github.citusjdbc.benchmarks.peer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs one column on one workload with a number of client threads, through a HikariCP pool of
 * {@code min(threads, 8)} connections opened for the slice. Up to 8 threads each keep one
 * connection for the whole slice, except in the mix; with more threads, and in the mix, every
 * operation borrows a connection and gives it back. A column with {@code setSchema} pins the
 * tenant once per kept connection, and on every borrow otherwise (HikariCP does not reset it). With
 * {@code --validate-kept true} each kept connection is validated once when taken, as HikariCP does
 * with a connection it hands out after 500 ms idle.
 */
public final class SliceRunner {

    /** Largest pool: 32 threads share 8 connections. */
    static final int MAX_POOL = 8;

    private final Network net;
    private final CpuAccount cpu; // null: not accounted
    private final boolean validateKept;
    private Map<String, Double> lastCpu;

    public SliceRunner(Network net) {
        this(net, null, false);
    }

    /**
     * @param cpu          where to account the CPU time of each slice, or null
     * @param validateKept whether each kept connection is validated once ({@code isValid(5)}) when taken,
     *                     as a pool validates a connection it hands out after a while idle
     */
    SliceRunner(Network net, CpuAccount cpu, boolean validateKept) {
        this.net = net;
        this.cpu = cpu;
        this.validateKept = validateKept;
    }

    /** @return CPU microseconds per operation by process group of the last slice ({@link CpuAccount}), or null */
    Map<String, Double> lastCpu() {
        return lastCpu;
    }

    /** Ops/s of the column over {@code slice}, after {@code warmup}; throws on any failed operation. */
    public double throughput(ColumnSpec col, Workload w, int threads, Duration warmup, Duration slice)
            throws Exception {
        LongAdder ops = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (HikariDataSource pool = pool(col, w, Math.min(threads, MAX_POOL))) {
            Client[] clients = new Client[threads];
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                clients[t] = new Client(col, w, pool, threads, t);
                Client client = clients[t];
                Thread th = new Thread(() -> client.loop(ops, failure), "peer-" + col.id() + "-" + t);
                th.setDaemon(true);
                running.add(th);
                th.start();
            }
            try {
                Thread.sleep(warmup.toMillis());
                CpuAccount.Snapshot c0 = cpu == null ? null : cpu.take();
                long n0 = ops.sum();
                long t0 = System.nanoTime();
                Thread.sleep(slice.toMillis());
                long n1 = ops.sum();
                long t1 = System.nanoTime();
                if (cpu != null) {
                    lastCpu = CpuAccount.perOp(c0, cpu.take(), n1 - n0, (t1 - t0) / 1e9);
                }
                if (failure.get() != null) {
                    throw new SQLException(col.id() + " " + w.id() + ": " + failure.get(), failure.get());
                }
                return (n1 - n0) * 1e9 / (t1 - t0);
            } finally {
                for (Client c : clients) {
                    c.stop = true;
                }
                for (Thread th : running) {
                    th.join(30_000);
                }
            }
        }
    }

    /** Round trips per operation on one thread: {@code warm} operations uncounted, then {@code n} counted. */
    public double roundTripsPerOp(ColumnSpec col, Workload w, int warm, int n) throws Exception {
        try (HikariDataSource pool = pool(col, w, 1)) {
            Client client = new Client(col, w, pool, 1, 0);
            client.runOps(warm);
            net.resetCounts();
            client.runOps(n);
            long trips = net.roundTrips();
            client.close();
            return trips / (double) n;
        }
    }

    private HikariDataSource pool(ColumnSpec col, Workload w, int size) {
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(net.url(col));
        cfg.setUsername(net.cluster().user());
        cfg.setPassword(net.cluster().password());
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(size);
        cfg.setAutoCommit(w != Workload.TX);
        cfg.setReadOnly(col.readOnly());
        cfg.setPoolName("peer-" + col.id());
        cfg.setConnectionTimeout(30_000);
        return new HikariDataSource(cfg);
    }

    /** One client thread's state: its tenants, its kept connection, its next key. */
    private final class Client {
        private final ColumnSpec col;
        private final Workload w;
        private final HikariDataSource pool;
        private final boolean keeps;
        private final List<String> tenants;
        private Connection kept;
        private int next;
        volatile boolean stop;

        Client(ColumnSpec col, Workload w, HikariDataSource pool, int threads, int t) {
            this.col = col;
            this.w = w;
            this.pool = pool;
            this.keeps = !w.switchesTenants() && threads <= MAX_POOL;
            this.tenants = w.switchesTenants() ? net.fixture().mixOf(t) : List.of(net.fixture().tenantOf(t));
            this.next = t * 7;
        }

        void loop(LongAdder ops, AtomicReference<Throwable> failure) {
            try {
                while (!stop) {
                    op();
                    ops.increment();
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                close();
            }
        }

        void runOps(int n) throws SQLException {
            for (int i = 0; i < n; i++) {
                op();
            }
        }

        private void op() throws SQLException {
            String tenant = tenants.get(next % tenants.size());
            int key = 1 + (next++ % 100);
            if (keeps) {
                if (kept == null) {
                    kept = pool.getConnection();
                    if (validateKept && !kept.isValid(5)) {
                        throw new SQLException("a kept connection of " + col.id() + " is not valid");
                    }
                    pin(kept, tenant);
                }
                w.run(kept, qualifier(tenant), key);
                return;
            }
            try (Connection c = pool.getConnection()) {
                pin(c, tenant);
                w.run(c, qualifier(tenant), key);
            }
        }

        private void pin(Connection c, String tenant) throws SQLException {
            if (col.form() == ColumnSpec.SqlForm.SET_SCHEMA) {
                c.setSchema(tenant);
            }
        }

        private String qualifier(String tenant) {
            return col.form() == ColumnSpec.SqlForm.QUALIFIED ? tenant + "." : "";
        }

        void close() {
            if (kept != null) {
                try {
                    kept.close();
                } catch (SQLException ignored) {
                    // the pool closes it anyway
                }
                kept = null;
            }
        }
    }
}
