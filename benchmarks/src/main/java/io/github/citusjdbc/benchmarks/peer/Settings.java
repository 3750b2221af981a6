package io.github.citusjdbc.benchmarks.peer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one run of {@link PeerBench} measures, from {@code --name value} arguments.
 *
 * @param rounds         interleaved rounds: in each, every column runs once per workload and thread count
 * @param slice          measured time of one column in one round
 * @param warmup         unmeasured time before each slice (connections open, JIT, statement caches)
 * @param threads        client thread counts
 * @param workloads      workloads to run
 * @param columns        column ids to run (empty: all of {@link Columns#ALL})
 * @param tenants        tenant schemas created (half on worker 1, half on worker 2)
 * @param sharedTenant   the single-tenant workloads run every thread in one tenant (else each thread in
 *                       its own): behind PgBouncer 1.25 the server connections then keep one
 *                       {@code search_path} and PgBouncer never has to put a client's back
 * @param clientDelay    added delay per direction between the client and every server or PgBouncer
 * @param workerDelay    added delay per direction between the coordinator and the workers
 * @param roundTrips     also count round trips per operation on the wire (one thread, through relays)
 * @param tls            every connection with TLS ({@code sslmode=require}, which the kit's servers accept)
 *                       instead of {@code sslmode=disable}; not with relays (no delay, no round trips counted)
 * @param cpu            also account each slice's CPU time per operation by process ({@link CpuAccount})
 * @param validateKept   validate each kept connection once with {@code isValid(5)} when taken (as a pool does after idle)
 * @param csv            results file (one row per column, workload, thread count and round)
 * @param svg            chart generated from the results file
 */
public record Settings(int rounds, Duration slice, Duration warmup, List<Integer> threads, List<Workload> workloads,
                       List<String> columns, int tenants, boolean sharedTenant, Duration clientDelay, Duration workerDelay,
                       boolean roundTrips, boolean tls, boolean cpu, boolean validateKept, Path csv, Path svg) {

    public static Settings parse(String[] args) {
        int rounds = 3;
        Duration slice = Duration.ofSeconds(2);
        Duration warmup = Duration.ofMillis(500);
        List<Integer> threads = List.of(1, 4, 32);
        List<Workload> workloads = List.of(Workload.values());
        List<String> columns = List.of();
        int tenants = 20;
        boolean sharedTenant = false;
        Duration clientDelay = Duration.ZERO;
        Duration workerDelay = Duration.ZERO;
        boolean roundTrips = true;
        boolean tls = false;
        boolean cpu = false;
        boolean validateKept = false;
        Path csv = Path.of("benchmarks/results/peer.csv");
        Path svg = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--slice-ms" -> slice = Duration.ofMillis(Long.parseLong(v));
                case "--warmup-ms" -> warmup = Duration.ofMillis(Long.parseLong(v));
                case "--threads" -> threads = Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "--workloads" -> workloads = Arrays.stream(v.split(",")).map(Workload::byId).toList();
                case "--columns" -> columns = v.equals("all") ? List.of() : List.of(v.split(","));
                case "--tenants" -> tenants = Integer.parseInt(v);
                case "--shared-tenant" -> sharedTenant = Boolean.parseBoolean(v);
                case "--delay-ms" -> clientDelay = Duration.ofMillis(Long.parseLong(v));
                case "--worker-delay-ms" -> workerDelay = Duration.ofMillis(Long.parseLong(v));
                case "--round-trips" -> roundTrips = Boolean.parseBoolean(v);
                case "--tls" -> tls = Boolean.parseBoolean(v);
                case "--cpu" -> cpu = Boolean.parseBoolean(v);
                case "--validate-kept" -> validateKept = Boolean.parseBoolean(v);
                case "--csv" -> csv = Path.of(v);
                case "--svg" -> svg = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + OPTIONS);
            }
        }
        if (tenants < 2 || tenants % 2 != 0) {
            throw new IllegalArgumentException("--tenants must be even and at least 2");
        }
        if (tls && (roundTrips || !clientDelay.isZero())) {
            throw new IllegalArgumentException("--tls true needs --round-trips false and no --delay-ms: the relays answer TLS requests with 'N'");
        }
        if (svg == null) {
            String name = csv.getFileName().toString().replaceFirst("\\.csv$", "");
            svg = csv.resolveSibling(name + ".svg");
        }
        return new Settings(rounds, slice, warmup, threads, workloads, columns, tenants, sharedTenant, clientDelay, workerDelay,
                roundTrips, tls, cpu, validateKept, csv, svg);
    }

    static final String OPTIONS = "--rounds N --slice-ms MS --warmup-ms MS --threads 1,4,32 "
            + "--workloads read,update,insert,tx,mix --columns all|id,id --tenants N --shared-tenant true|false --delay-ms MS "
            + "--worker-delay-ms MS --round-trips true|false --tls true|false --cpu true|false --validate-kept true|false --csv FILE --svg FILE";

    /** @return the selected columns, in table order */
    public List<ColumnSpec> selectedColumns() {
        List<ColumnSpec> out = new ArrayList<>();
        for (ColumnSpec c : Columns.ALL) {
            if (columns.isEmpty() || columns.contains(c.id())) {
                out.add(c);
            }
        }
        for (String id : columns) {
            if (Columns.ALL.stream().noneMatch(c -> c.id().equals(id))) {
                throw new IllegalArgumentException("unknown column " + id);
            }
        }
        if (out.stream().noneMatch(ColumnSpec::baseline)) {
            out.add(0, Columns.baseline());
        }
        return out;
    }

    /** @return one line describing the run, for the output's header */
    public String describe() {
        return "rounds=" + rounds + " slice=" + slice.toMillis() + "ms warmup=" + warmup.toMillis() + "ms threads="
                + threads + " workloads=" + workloads.stream().map(Workload::id).toList() + " tenants=" + tenants + (sharedTenant ? " sharedTenant" : "")
                + " clientDelay=" + clientDelay.toMillis() + "ms workerDelay=" + workerDelay.toMillis() + "ms"
                + (validateKept ? " validateKept" : "") + (tls ? " tls" : "");
    }
}
