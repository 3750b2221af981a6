package io.github.citusjdbc.benchmarks.peer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the CPU time of a slice goes (Linux only): this JVM (the client threads, the driver, the
 * pool, GC and JIT), each server and PgBouncer the kit started (with all its backends), and the
 * machine's idle time. On a saturated machine throughput is CPU per operation: comparing the CPU
 * microseconds per operation of two columns tells on which side of the wire a difference is spent,
 * which throughput alone cannot. Read from {@code /proc} in clock ticks (10 ms), so use slices of
 * several seconds.
 */
final class CpuAccount {

    private static final double MICROS_PER_TICK = 10_000; // USER_HZ = 100 on Linux

    private final Map<String, Long> roots = new LinkedHashMap<>(); // label -> pid of a postmaster or PgBouncer

    /** @param pids the servers and PgBouncers to account (the kit's {@code processIds()}) */
    CpuAccount(List<Long> pids) {
        for (long pid : pids) {
            roots.put(label(pid), pid);
        }
    }

    /** CPU ticks per group at one instant, and the machine's idle ticks. */
    record Snapshot(Map<String, Long> ticks, long idle) {
    }

    Snapshot take() {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("client", ticksOf(ProcessHandle.current().pid()));
        roots.forEach((label, pid) -> {
            long sum = ticksOf(pid);
            for (ProcessHandle child : ProcessHandle.of(pid).map(p -> p.descendants().toList()).orElse(List.of())) {
                sum += ticksOf(child.pid());
            }
            t.put(label, sum);
        });
        return new Snapshot(t, idleTicks());
    }

    /**
     * @return microseconds of CPU per operation of every group that used any between the snapshots,
     *         and {@code idle%} of the machine
     */
    static Map<String, Double> perOp(Snapshot a, Snapshot b, long ops, double seconds) {
        Map<String, Double> out = new LinkedHashMap<>();
        b.ticks.forEach((label, tb) -> {
            long d = tb - a.ticks.getOrDefault(label, tb);
            if (d > 0 && ops > 0) {
                out.put(label, d * MICROS_PER_TICK / ops);
            }
        });
        int cpus = Runtime.getRuntime().availableProcessors();
        out.put("idle%", 100.0 * (b.idle - a.idle) / (seconds * 100 * cpus));
        return out;
    }

    private static long ticksOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return 0; // gone (a backend that ended): its time is lost to the account, not to the machine
        }
    }

    private static long idleTicks() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            return Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle, iowait
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** @return a short name: the data directory's or the ini file's last element */
    private static String label(long pid) {
        try {
            String[] args = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.UTF_8).split("\0");
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("-D") && i + 1 < args.length) {
                    return Path.of(args[i + 1]).getFileName().toString();
                }
                if (args[i].endsWith(".ini")) {
                    return Path.of(args[i]).getParent().getFileName() + "/" + Path.of(args[i]).getFileName();
                }
            }
            return Path.of(args[0]).getFileName() + "-" + pid;
        } catch (IOException | RuntimeException e) {
            return "pid-" + pid;
        }
    }
}
