package io.github.citusjdbc.benchmarks.peer;

import io.github.citusjdbc.testkit.ClusterNode;
import io.github.citusjdbc.testkit.LocalCluster;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenants the benchmark works in: distributed schemas, half held by worker 1 (which has a
 * standby), half by worker 2, each with {@code items (id int primary key, name text, counter int)}
 * of 100 rows and {@code events (id bigserial primary key, payload text)} for inserts.
 */
public final class Fixture {

    private final List<String> onWorker1 = new ArrayList<>();
    private final List<String> all = new ArrayList<>();
    private final boolean shared;

    private Fixture(boolean shared) {
        this.shared = shared;
    }

    /**
     * @param tenants how many tenants to create
     * @param shared  whether the single-tenant workloads run every thread in the same tenant (else each
     *                thread in its own)
     */
    public static Fixture create(LocalCluster cluster, int tenants, boolean shared) throws SQLException {
        Fixture f = new Fixture(shared);
        List<String> ddl = List.of(
                "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, counter int NOT NULL DEFAULT 0)",
                "INSERT INTO items (id, name) SELECT g, 'name ' || g FROM generate_series(1, 100) g",
                "CREATE TABLE events (id bigserial PRIMARY KEY, payload text)");
        for (int i = 1; i <= tenants; i++) {
            String name = String.format("peer_t%02d", i);
            ClusterNode holder = cluster.worker(i % 2 == 1 ? 1 : 2);
            cluster.citus().createTenant(name, holder, ddl, cluster.user());
            f.all.add(name);
            if (i % 2 == 1) {
                f.onWorker1.add(name);
            }
        }
        cluster.waitForReplay(cluster.worker(1), cluster.standbyOf(cluster.worker(1)));
        return f;
    }

    /** @return the tenant thread {@code t} works in for single-tenant workloads (held by worker 1) */
    public String tenantOf(int t) {
        return onWorker1.get(shared ? 0 : t % onWorker1.size());
    }

    /** @return the tenants thread {@code t} cycles through in the mix: up to 20, both workers, own order */
    public List<String> mixOf(int t) {
        int n = Math.min(20, all.size());
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(all.get((t + i) % all.size()));
        }
        return out;
    }
}
