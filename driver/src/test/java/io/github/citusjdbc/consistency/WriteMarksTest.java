package io.github.citusjdbc.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The marks read-your-writes checks standbys against: per group, only growing, a write to any group counting for all. */
class WriteMarksTest {

    @Test
    void aGroupNeverWrittenHasNoMark() {
        assertEquals(WriteMarks.NEVER, new WriteMarks().lastWrite(3));
    }

    @Test
    void aWriteMarksItsGroupOnly() {
        WriteMarks marks = new WriteMarks();
        marks.written(1, 100);
        assertEquals(100, marks.lastWrite(1));
        assertEquals(WriteMarks.NEVER, marks.lastWrite(2));
    }

    @Test
    void aWriteToAnyGroupCountsForEveryGroupUntilALaterOne() {
        WriteMarks marks = new WriteMarks();
        marks.written(1, 100);
        marks.written(WriteMarks.ANY_GROUP, 200);
        assertEquals(200, marks.lastWrite(1));
        assertEquals(200, marks.lastWrite(7));
        marks.written(1, 300);
        assertEquals(300, marks.lastWrite(1));
        assertEquals(200, marks.lastWrite(7));
    }

    @Test
    void anOlderMarkArrivingLateNeverReplacesANewerOne() {
        WriteMarks marks = new WriteMarks();
        marks.written(1, 300);
        marks.written(1, 200); // a thread that read the clock earlier, recording later
        assertEquals(300, marks.lastWrite(1));
    }

    @Test
    void nanoTimeValuesCompareByDifferenceAcrossTheOverflow() {
        WriteMarks marks = new WriteMarks();
        marks.written(1, Long.MAX_VALUE - 5);
        marks.written(1, Long.MAX_VALUE + 10); // wrapped: later in nanoTime order
        assertEquals(Long.MAX_VALUE + 10, marks.lastWrite(1));
    }
}
