package io.github.citusjdbc.testkit.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Runs faults one after the other while a {@link Workload} runs: each is injected, held, healed, and
 * followed by a quiet period; what failed meanwhile is attributed to it.
 */
public final class FaultSchedule {
    private FaultSchedule() {
    }

    /**
     * What one fault cost the workload.
     *
     * @param fault      the fault's name
     * @param startNanos when it was injected ({@link System#nanoTime()}, as failure and violation times)
     * @param failures   operations that failed from the injection to the end of the quiet period
     * @param outage     from the first to the last of those failures (zero when none failed)
     * @param injected   how long the injection itself took (a failover: the primary stopped, its standby
     *                   promoted and registered in its place), the servers' part of the outage
     * @param afterInjected from the end of the injection to the last failure (zero when none came
     *                   later): how long the work took to follow the cluster once it had its new shape
     * @param operations operations completed in the quiet period after the heal (the work went on)
     * @param error      what went wrong injecting or healing, or null
     * @param stall      when no operation completed in the quiet period: where the workload's threads
     *                   were at its end (for diagnosis), else null
     */
    public record Report(String fault, long startNanos, int failures, Duration outage, Duration injected,
                         Duration afterInjected, long operations, String error, String stall) {
    }

    /** @return the faults in an order drawn from {@code seed}, the permanent ones last */
    public static List<Fault> shuffled(List<Fault> faults, long seed) {
        List<Fault> passing = new ArrayList<>();
        List<Fault> permanent = new ArrayList<>();
        for (Fault f : faults) {
            (f.permanent() ? permanent : passing).add(f);
        }
        Collections.shuffle(passing, new Random(seed));
        passing.addAll(permanent);
        return passing;
    }

    public static List<Report> run(List<Fault> faults, Duration hold, Duration quiet, Workload workload)
            throws InterruptedException {
        List<Report> reports = new ArrayList<>();
        for (Fault f : faults) {
            long start = System.nanoTime();
            String error = null;
            long injected = start;
            try {
                f.inject();
                injected = System.nanoTime();
                Thread.sleep(hold.toMillis());
                f.heal();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                error = e.toString();
            }
            long before = workload.operations();
            Thread.sleep(quiet.toMillis());
            long end = System.nanoTime();
            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            int n = 0;
            for (Workload.Failure x : workload.failures()) {
                if (x.nanos() >= start && x.nanos() < end) {
                    n++;
                    first = Math.min(first, x.nanos());
                    last = Math.max(last, x.nanos());
                }
            }
            Duration outage = n == 0 ? Duration.ZERO : Duration.ofNanos(last - first);
            Duration afterInjected = n == 0 || last < injected ? Duration.ZERO : Duration.ofNanos(last - injected);
            long done = workload.operations() - before;
            reports.add(new Report(f.name(), start, n, outage, Duration.ofNanos(injected - start), afterInjected, done,
                    error, done == 0 ? workload.threadDump() : null));
        }
        return reports;
    }
}
