package io.github.citusjdbc.testkit.faults;

import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * N threads running every kind of {@link Unit} of work against a pool, each operation on a connection
 * borrowed for it and a tenant drawn for it (so pooled connections switch tenants all the time),
 * recording every write in a {@link Ledger}, every wrong read as a violation and every failure with its
 * time and SQLState. Repeatable by seed (thread {@code i} draws from {@code seed + i}).
 */
public final class Workload {
    /** The table each tenant holds: {@code id bigint PRIMARY KEY, tenant text, payload text}. */
    public static final String TABLE = "fault_rows";
    /** A function each tenant holds, returning the tenant's name. */
    public static final String FUNCTION = "fault_tenant";

    /** Runs a COPY ... FROM STDIN on a pooled connection (the API for it is the driver's own). */
    @FunctionalInterface
    public interface CopyIn {
        long copyIn(Connection c, String sql, Reader rows) throws SQLException, IOException;
    }

    /**
     * @param threads  client threads
     * @param seed     the seed of the draws
     * @param copyIn   the COPY hook, or null to run no COPY
     * @param churn    called every {@code churnEvery} operations of thread 0 (e.g. a pool's soft eviction), or null
     * @param pooler   the work goes through a transaction pooler: PgBouncer drops the cancel request of a
     *                 client still waiting for a server connection ("cancel request for idle client"), so a
     *                 query timeout that expires while the query waits there stops nothing (counted, not a
     *                 violation)
     */
    public record Settings(int threads, long seed, CopyIn copyIn, Runnable churn, int churnEvery, boolean pooler) {
    }

    /** One failed operation; {@code where}: the top frames of an unexpected failure, else null. */
    public record Failure(long nanos, String unit, String sqlState, String message, String where) {
    }

    /** @return the DDL that creates a tenant's objects inside its schema */
    public static List<String> tenantDdl(String tenant) {
        return List.of("CREATE TABLE " + TABLE + " (id bigint PRIMARY KEY, tenant text NOT NULL, payload text)",
                "CREATE FUNCTION " + FUNCTION + "() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT '" + tenant + "'::text $$");
    }

    private final DataSource pool;
    private final List<String> tenants;
    private final Settings settings;
    private final Ledger ledger = new Ledger();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong timeoutsDropped = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Failure> unexpected = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Supplier<String> diagnosis = () -> "";

    public Workload(DataSource pool, List<String> tenants, Settings settings) {
        this.pool = pool;
        this.tenants = List.copyOf(tenants);
        this.settings = settings;
    }

    public void start() {
        int total = 0;
        for (Unit u : Unit.values()) {
            total += u.weight;
        }
        for (int i = 0; i < settings.threads(); i++) {
            Random random = new Random(settings.seed() + i);
            boolean churns = i == 0 && settings.churn() != null;
            int weights = total;
            Thread t = new Thread(() -> loop(random, weights, churns), "fault-workload-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void loop(Random random, int weights, boolean churns) {
        Map<String, Long> lastAcknowledged = new HashMap<>();
        long n = 0;
        while (!stop.get()) {
            Unit unit = draw(random, weights);
            String tenant = tenants.get(random.nextInt(tenants.size()));
            List<Long> written = new ArrayList<>();
            List<Long> rolledBack = new ArrayList<>();
            Unit.Context x = context(tenant, lastAcknowledged);
            try (Connection c = pool.getConnection()) {
                c.setSchema(tenant);
                unit.run(c, x, written, rolledBack);
                ledger.acknowledged(tenant, written, unit.name(), System.nanoTime());
                if (!written.isEmpty()) {
                    lastAcknowledged.put(tenant, written.get(written.size() - 1));
                }
            } catch (SQLException e) {
                ledger.uncertain(tenant, written);
                boolean expected = mayFail(e);
                Failure f = new Failure(System.nanoTime(), unit.name(), e.getSQLState(), String.valueOf(e.getMessage()),
                        expected ? null : where(e));
                failures.add(f);
                if (!expected) {
                    unexpected.add(f);
                }
            } catch (RuntimeException | IOException e) {
                ledger.uncertain(tenant, written);
                Failure f = new Failure(System.nanoTime(), unit.name(), null, e.toString(), where(e));
                failures.add(f);
                unexpected.add(f);
            }
            ledger.rolledBack(tenant, rolledBack);
            operations.incrementAndGet();
            if (churns && ++n % settings.churnEvery() == 0) {
                settings.churn().run();
            }
        }
    }

    private static String where(Throwable e) {
        StringBuilder out = new StringBuilder();
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(15, frames.length); i++) {
            out.append("\n    at ").append(frames[i]);
        }
        return out.toString();
    }

    private Unit.Context context(String tenant, Map<String, Long> lastAcknowledged) {
        return new Unit.Context() {
            @Override
            public String tenant() {
                return tenant;
            }

            @Override
            public long nextId() {
                return ids.incrementAndGet();
            }

            @Override
            public long lastAcknowledged() {
                return lastAcknowledged.getOrDefault(tenant, 0L);
            }

            @Override
            public void violation(String what) {
                violations.add(System.nanoTime() + " ns: " + what);
            }

            @Override
            public void timeoutNotHonoured(String what) {
                if (settings.pooler()) {
                    timeoutsDropped.incrementAndGet();
                } else {
                    violations.add(what);
                }
            }

            @Override
            public CopyIn copyIn() {
                return settings.copyIn();
            }
        };
    }

    private static Unit draw(Random random, int weights) {
        int r = random.nextInt(weights);
        for (Unit u : Unit.values()) {
            r -= u.weight;
            if (r < 0) {
                return u;
            }
        }
        throw new AssertionError();
    }

    /**
     * The failures a fault may cause: the connection lost or refused (08xxx), the backend terminated or
     * the server shutting down or starting (57P01-57P03), a serialization failure (40001).
     */
    static boolean mayFail(SQLException e) {
        String s = e.getSQLState();
        return s != null && (s.startsWith("08") || s.equals("40001") || s.equals("57P01") || s.equals("57P02")
                || s.equals("57P03") || citusLostWorker(s, e.getMessage()));
    }

    /**
     * Citus 12.1 reports a worker connection lost inside a coordinated transaction (a COPY through the
     * coordinator) with {@code ereport(ERROR)} and no code: {@code XX000} "failure on connection marked
     * as essential: host:port" (remote_transaction.c). A fault on a worker causes it like a {@code 08}.
     */
    private static boolean citusLostWorker(String state, String message) {
        return state.equals("XX000") && message != null && message.contains("failure on connection marked as essential");
    }

    /** Stops the threads (each finishes its operation) and waits for them. */
    public void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(60_000);
            if (t.isAlive()) {
                violations.add(t.getName() + " did not finish its operation within 60 s");
            }
        }
    }

    /** @return query timeouts that stopped nothing because the pooler dropped their cancel request */
    public long timeoutsDropped() {
        return timeoutsDropped.get();
    }

    /**
     * @param diagnosis what else a stall report shows after the threads (e.g. the pool's counts and the
     *                  poolers' state), asked at the end of the quiet period that saw no operation
     */
    public void diagnosis(Supplier<String> diagnosis) {
        this.diagnosis = Objects.requireNonNull(diagnosis, "diagnosis");
    }

    /** @return where each of the workload's threads is now (a few frames each), for diagnosis */
    public String threadDump() {
        StringBuilder out = new StringBuilder();
        List<Thread> shown = new ArrayList<>(threads);
        // The pool's, the driver's and pgjdbc's threads too: when every workload thread waits for a pooled
        // connection, what blocks is the pool creating one (the driver opening it) or a refresh.
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName().toLowerCase(java.util.Locale.ROOT);
            if (!shown.contains(t) && (name.contains("hikari") || name.contains("citus") || name.contains("postgresql"))) {
                shown.add(t);
            }
        }
        for (Thread t : shown) {
            out.append(t.getName()).append(' ').append(t.getState()).append('\n');
            StackTraceElement[] frames = t.getStackTrace();
            for (int i = 0; i < Math.min(25, frames.length); i++) {
                out.append("    at ").append(frames[i]).append('\n');
            }
        }
        try {
            out.append(diagnosis.get());
        } catch (RuntimeException e) {
            out.append("diagnosis failed: ").append(e).append('\n');
        }
        return out.toString();
    }

    public long operations() {
        return operations.get();
    }

    public Ledger ledger() {
        return ledger;
    }

    public List<Failure> failures() {
        return new ArrayList<>(failures);
    }

    /** @return failures with a SQLState no fault may cause */
    public List<Failure> unexpected() {
        return new ArrayList<>(unexpected);
    }

    public List<String> violations() {
        return new ArrayList<>(violations);
    }

    public List<String> tenants() {
        return tenants;
    }
}
