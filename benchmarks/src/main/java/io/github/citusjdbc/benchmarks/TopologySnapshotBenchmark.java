package io.github.citusjdbc.benchmarks;

import io.github.citusjdbc.spi.Topology;
import io.github.citusjdbc.topology.TopologyAssembler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Building a topology snapshot from synthetic catalog rows: 100 nodes (50 groups, each a primary
 * and a secondary) and 10,000 tenant schemas, the sizing goal (&lt; 50 ms, &lt; 10 MB
 * retained). {@code build} is what one refresh does with the rows once read;
 * {@code compareUnchanged} is the extra work of a steady-state refresh that finds nothing changed.
 * {@link #main} prints the retained size of one snapshot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TopologySnapshotBenchmark {

    static final int GROUPS = 50;
    static final int TENANTS = 10_000;

    private String[] hosts;
    private String[] tenantNames;
    private Topology previous;

    /** Pre-builds the row values, as the result set would hold them. */
    @Setup
    public void setUp() {
        hosts = new String[GROUPS * 2];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = "node-" + i + ".cluster.internal";
        }
        tenantNames = new String[TENANTS];
        for (int i = 0; i < TENANTS; i++) {
            tenantNames[i] = "tenant_" + i;
        }
        previous = build(hosts, tenantNames, 1);
    }

    /** @return a snapshot built from 100 node rows and 10,000 tenant rows */
    @Benchmark
    public Topology build() {
        return build(hosts, tenantNames, 2);
    }

    /** @return whether a freshly built snapshot equals the previous one (steady-state refresh) */
    @Benchmark
    public boolean compareUnchanged() {
        Topology fresh = build(hosts, tenantNames, 2);
        return fresh.nodes().equals(previous.nodes()) && fresh.tenantGroups().equals(previous.tenantGroups());
    }

    static Topology build(String[] hosts, String[] tenants, long version) {
        TopologyAssembler a = new TopologyAssembler("default", tenants.length);
        for (int i = 0; i < hosts.length; i++) {
            int group = i % GROUPS;
            boolean primary = i < GROUPS;
            a.addNode(i + 1, group, hosts[i], 5432, true, primary ? "primary" : "secondary", "default", group != 0);
        }
        for (int i = 0; i < tenants.length; i++) {
            a.addTenant(tenants[i], i % 10 == 0 ? null : 1 + i % (GROUPS - 1));
        }
        return a.build(version);
    }

    /**
     * Prints the heap retained by one snapshot (the average over 20 held at once, after GC), with
     * row strings freshly allocated as a JDBC driver would.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        int copies = 20;
        Topology[] held = new Topology[copies];
        long before = usedAfterGc();
        for (int c = 0; c < copies; c++) {
            String[] hosts = new String[GROUPS * 2];
            for (int i = 0; i < hosts.length; i++) {
                hosts[i] = "node-" + i + ".cluster.internal";
            }
            String[] tenants = new String[TENANTS];
            for (int i = 0; i < TENANTS; i++) {
                tenants[i] = "tenant_" + i;
            }
            held[c] = build(hosts, tenants, c + 1);
        }
        long after = usedAfterGc();
        System.out.printf("retained per snapshot (100 nodes, %d tenants): %.2f MB%n", TENANTS,
                (after - before) / (double) copies / (1024 * 1024));
        System.out.println(held[copies - 1]);
    }

    private static long usedAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
