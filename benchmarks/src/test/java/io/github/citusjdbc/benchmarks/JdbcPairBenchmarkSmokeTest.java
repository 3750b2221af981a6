package io.github.citusjdbc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/**
 * CI compiles the benchmarks but does not run them; this runs each raw/wrapped pair once so a
 * benchmark whose setup no longer works fails the build instead of rotting until someone measures.
 */
class JdbcPairBenchmarkSmokeTest {
    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void stubPairsRun() throws Exception {
        runPairs(new StubDriverBenchmark(), b -> ((StubDriverBenchmark) b).setUp());
        StubDriverBenchmark stub = new StubDriverBenchmark();
        stub.setUp();
        try {
            for (int i = 0; i < 2_000; i++) { // every text, twice over: each new to the connection's cache
                assertEquals(stub.rawStatementNewText(), stub.wrappedStatementNewText());
            }
        } finally {
            stub.tearDown();
        }
    }

    @Test
    void realServerPairsRun() throws Exception {
        runPairs(new RealServerBenchmark(), b -> ((RealServerBenchmark) b).setUp());
    }

    @FunctionalInterface
    private interface Setup {
        void run(JdbcPairBenchmark b) throws Exception;
    }

    private static void runPairs(JdbcPairBenchmark b, Setup setup) throws Exception {
        setup.run(b);
        try {
            // Each pair answers alike (the stub returns no result set, the server does).
            assertEquals(b.rawStatementExecute(), b.wrappedStatementExecute());
            assertEquals(b.rawPreparedSetExecute(), b.wrappedPreparedSetExecute());
            b.rawResultSetNextGet(BH);
            b.wrappedResultSetNextGet(BH);
            assertFalse(b.wrapped.isClosed());
        } finally {
            b.tearDown();
        }
    }
}
