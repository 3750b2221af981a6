package io.github.citusjdbc.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-tenant counts: the N most active one by one, the rest summed, memory bounded. */
class TenantCountsTest {

    private static void add(TenantCounts c, String tenant, int times) {
        for (int i = 0; i < times; i++) {
            c.add(tenant);
        }
    }

    @Test
    void theMostActiveComeFirstAndTheOthersAreSummed() {
        TenantCounts c = new TenantCounts(2);
        add(c, "a", 5);
        add(c, "b", 9);
        add(c, "c", 1);
        add(c, "d", 2);
        Map<String, Long> s = c.snapshot();
        assertEquals(List.of("b", "a", TenantCounts.OTHER), List.copyOf(s.keySet()));
        assertEquals(Map.of("b", 9L, "a", 5L, TenantCounts.OTHER, 3L), s);
    }

    @Test
    void nothingCountedIsEmptyAndNoOtherWithoutOthers() {
        TenantCounts c = new TenantCounts(3);
        assertEquals(Map.of(), c.snapshot());
        add(c, "a", 1);
        assertEquals(Map.of("a", 1L), c.snapshot());
    }

    @Test
    void manyTenantsKeepMemoryBoundedTheBusyOnesOnTopAndTheTotalExact() {
        TenantCounts c = new TenantCounts(4);
        long total = 0;
        for (int round = 0; round < 20; round++) {
            for (String busy : new String[] {"busy1", "busy2", "busy3", "busy4"}) {
                add(c, busy, 10);
                total += 10;
            }
            for (int i = 0; i < 500; i++) {
                c.add("once-" + round + "-" + i);
                total++;
            }
            assertTrue(c.tracked() <= 64, "at most 8 x 4 (at least 64) counters: " + c.tracked());
        }
        Map<String, Long> s = c.snapshot();
        assertEquals(List.of("busy1", "busy2", "busy3", "busy4", TenantCounts.OTHER).size(), s.size(), s.toString());
        assertTrue(s.keySet().containsAll(List.of("busy1", "busy2", "busy3", "busy4")), s.toString());
        assertEquals(200L, s.get("busy1"));
        assertEquals(total, s.values().stream().mapToLong(Long::longValue).sum(), "nothing lost in the folding");
    }

    @Test
    void statementsAndTimeAreListedInTheOrderOfUnits() {
        TenantCounts c = new TenantCounts(1);
        c.add("a").statement(2_000_000);
        TenantActivity b = c.add("b");
        c.add("b");
        b.statement(1_000_000);
        b.statement(3_000_000);
        b.statement(5_000_000);
        assertEquals(List.of("b", TenantCounts.OTHER), List.copyOf(c.snapshot(x -> x.statements.sum()).keySet()));
        assertEquals(Map.of("b", 3L, TenantCounts.OTHER, 1L), c.snapshot(x -> x.statements.sum()));
        assertEquals(Map.of("b", 9L, TenantCounts.OTHER, 2L), c.snapshot(x -> x.nanos.sum() / 1_000_000));
    }
}
