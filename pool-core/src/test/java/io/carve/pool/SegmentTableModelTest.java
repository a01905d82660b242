package io.carve.pool;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.junit.jupiter.api.Test;

/**
 * Model-checks the {@link SegmentTable}'s record transitions with Lincheck, as the pool uses them: a free
 * wins a live record by compare-and-set (so of two frees of one segment exactly one succeeds), a cached
 * free parks it, a cached take makes it live again, and readers see whole records only.
 */
public class SegmentTableModelTest
{
    private static final long OFFSET = 4096;
    private static final long LIVE = SegmentRecord.live(992, 32, true);
    private static final long PARKED = SegmentRecord.parked(1024);

    private final SegmentTable table = new SegmentTable(1 << 20);

    public SegmentTableModelTest()
    {
        table.install(OFFSET);
        table.set(OFFSET, LIVE);
    }

    /** A free through the pool lock: LIVE to FREED, once. */
    @Operation
    public boolean freeToPolicy()
    {
        final long record = table.get(OFFSET);
        return SegmentRecord.isLive(record) && table.compareAndSet(OFFSET, record, SegmentRecord.FREED);
    }

    /** A free into a thread cache: LIVE to PARKED, once. */
    @Operation
    public boolean freeToCache()
    {
        final long record = table.get(OFFSET);
        return SegmentRecord.isLive(record) && table.compareAndSet(OFFSET, record, PARKED);
    }

    /** What a reader sees: a whole record, never a torn one. */
    @Operation
    public String read()
    {
        return SegmentRecord.describe(table.get(OFFSET));
    }

    @Test
    void shouldLetExactlyOneFreeWin()
    {
        new ModelCheckingOptions().iterations(10).invocationsPerIteration(300).threads(3).actorsPerThread(2)
            .check(getClass());
    }
}
