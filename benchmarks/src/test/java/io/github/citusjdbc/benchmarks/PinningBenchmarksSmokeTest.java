package io.github.citusjdbc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each raw/pinned pair of the pinning benchmarks once against the test kit (directly and
 * through PgBouncer, on loopback), so that a benchmark whose setup or SQL no longer works fails
 * the build; and checks that each pair does the same work.
 */
class PinningBenchmarksSmokeTest {

    @ParameterizedTest
    @ValueSource(strings = {"direct", "pgbouncer"})
    void tenantPinningPairsAnswerAlike(String target) throws Exception {
        TenantPinningBenchmark b = new TenantPinningBenchmark();
        b.target = target;
        b.delayMs = 0;
        b.setUp();
        try {
            String raw = b.rawAutocommit();
            assertNotNull(raw);
            // The pair reads consecutive ids of the same rows (qualified vs pinned): n<k>, then n<k % 100 + 1>.
            assertEquals("n" + (Integer.parseInt(raw.substring(1)) % 100 + 1), b.pinnedAutocommit());
            assertNotNull(b.rawTransaction());
            assertNotNull(b.pinnedTransaction());
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"direct", "pgbouncer"})
    void pinnedBatchPairAnswersAlike(String target) throws Exception {
        PinnedBatchBenchmark b = new PinnedBatchBenchmark();
        b.target = target;
        b.delayMs = 0;
        b.entries = 10;
        b.setUp();
        try {
            int[] ones = new int[10];
            Arrays.fill(ones, 1);
            assertArrayEquals(ones, b.rawBatch());
            assertArrayEquals(ones, b.pinnedBatch());
        } finally {
            b.tearDown();
        }
    }
}
