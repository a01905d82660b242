package io.carve.pool;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentTableTest
{
    private static final long GIB = 1L << 30;

    /** A flat table (up to 64 GiB) and a two-level one (above). */
    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(longs = {1L << 20, 64L << 30, 256L << 30})
    void shouldStoreReadAndCompareRecordsAtAnyOffset(final long capacity)
    {
        final SegmentTable table = new SegmentTable(capacity);
        final long[] offsets = {0, 32, 16_352, 16_384, capacity / 2 & -32, capacity - 32};
        for (final long offset : offsets)
        {
            assertEquals(SegmentRecord.EMPTY, table.get(offset), "nothing stored yet at " + offset);
            if (table.leaf(offset) == null)
            {
                assertFalse(table.compareAndSet(offset, SegmentRecord.EMPTY, SegmentRecord.FREED), "no leaf to swap in");
            }
            table.install(offset);
            final long live = SegmentRecord.live(offset / 32 + 1, 32, true);
            table.set(offset, live);
            assertEquals(live, table.get(offset));
        }
        for (final long offset : offsets)
        {
            final long live = SegmentRecord.live(offset / 32 + 1, 32, true);
            assertFalse(table.compareAndSet(offset, SegmentRecord.FREED, SegmentRecord.parked(64)), "wrong expectation");
            assertTrue(table.compareAndSet(offset, live, SegmentRecord.parked(64)));
            assertEquals(SegmentRecord.parked(64), table.get(offset));
            final long[] leaf = table.leaf(offset);
            final int entry = SegmentTable.entry(offset);
            assertTrue(SegmentTable.compareAndSet(leaf, entry, SegmentRecord.parked(64), SegmentRecord.FREED));
            assertEquals(SegmentRecord.FREED, SegmentTable.get(leaf, entry));
        }
        final List<Long> visited = new ArrayList<>();
        table.forEach((offset, record) ->
        {
            assertEquals(SegmentRecord.FREED, record);
            visited.add(offset);
        });
        assertEquals(offsets.length, visited.size(), "every non-empty entry once, in offset order: " + visited);
        for (int i = 1; i < visited.size(); i++)
        {
            assertTrue(visited.get(i) > visited.get(i - 1));
        }
    }

    @Test
    void shouldFindTheLiveSegmentContainingAnInteriorOffset()
    {
        final SegmentTable table = new SegmentTable(GIB);
        table.install(1024);
        table.set(1024, SegmentRecord.live(3_000_000, 32, false));
        table.install(3_001_088);
        table.set(3_001_088, SegmentRecord.parked(4096));
        assertEquals(1024, table.findContaining(1056, 3_000_032));
        assertEquals(1024, table.findContaining(1024 + 3_000_000, 3_000_032), "the guard zone is inside the segment");
        assertEquals(-1, table.findContaining(1024 + 3_000_032, 3_000_032), "past its end");
        assertEquals(-1, table.findContaining(3_001_088 + 64, 3_000_032), "inside a parked segment is not live");
        assertEquals(-1, table.findContaining(900, 3_000_032), "before any segment");
        assertEquals(-1, table.findContaining(1056, 16), "the scan stops at the longest segment");
    }

    @Test
    void shouldTellEveryRecordStateApart()
    {
        final long live = SegmentRecord.live((1L << 47) - 1, 4127, true);
        assertTrue(SegmentRecord.isLive(live));
        assertEquals((1L << 47) - 1, SegmentRecord.length(live));
        assertEquals(4127, SegmentRecord.guardLength(live));
        assertTrue(SegmentRecord.isGuarded(live));
        assertEquals((1L << 47) - 1 + 4127, SegmentRecord.segmentSize(live));
        final long plain = SegmentRecord.live(1, 63, false);
        assertFalse(SegmentRecord.isGuarded(plain));
        assertEquals(64, SegmentRecord.segmentSize(plain));
        final long parked = SegmentRecord.parked(1L << 47);
        assertTrue(SegmentRecord.isParked(parked));
        assertFalse(SegmentRecord.isLive(parked) || SegmentRecord.isEmpty(parked));
        assertEquals(1L << 47, SegmentRecord.segmentSize(parked));
        assertTrue(SegmentRecord.isEmpty(SegmentRecord.EMPTY) && SegmentRecord.isEmpty(SegmentRecord.FREED));
        assertFalse(SegmentRecord.isGuarded(SegmentRecord.FREED), "the freed mark is not a guard bit");
        assertEquals("freed", SegmentRecord.describe(SegmentRecord.FREED));
        assertEquals("live{len=1, m=64}", SegmentRecord.describe(plain));
    }

    @Test
    void shouldCountItsHeapBytes()
    {
        final SegmentTable table = new SegmentTable(GIB);
        final long empty = table.metadataBytes();
        table.install(0);
        table.install(100);
        assertEquals(empty + 16 + 8 * 512, table.metadataBytes(), "one leaf for two offsets in the same 16 KiB");
        table.install(16_384);
        assertEquals(empty + 2 * (16 + 8 * 512), table.metadataBytes());
        assertNull(new SegmentTable(GIB).leaf(16_384));
    }
}
