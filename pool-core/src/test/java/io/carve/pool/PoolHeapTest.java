package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.testing.HeapProbe;
import org.junit.jupiter.api.Test;

/**
 * Allocate and free allocate nothing on the Java heap, through the thread's cache (a repeated size) and
 * through the pool lock (sizes that never repeat), with guards on and off.
 */
class PoolHeapTest
{
    private static final long MB = 1L << 20;

    @Test
    void shouldAllocateNothingOnTheCachedPath()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(64 * MB).build())
        {
            pool.free(pool.allocate(3_110_400));
            HeapProbe.assertAllocationFree("cached allocate+free of a frame", () ->
            {
                for (int i = 0; i < 10_000; i++)
                {
                    pool.free(pool.allocate(3_110_400));
                }
            });
        }
    }

    @Test
    void shouldAllocateNothingOnTheLockedPath()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(64 * MB).guards(false).build())
        {
            final long[] live = new long[64];
            final long[] step = {0};
            final AlignmentProfile runtime = MemoryApi.RT_MALLOC.profile();
            for (int i = 0; i < live.length; i++)
            {
                live[i] = pool.allocate(64 + 32L * i);
            }
            HeapProbe.assertAllocationFree("locked allocate+free of varying sizes", () ->
            {
                for (int i = 0; i < 10_000; i++)
                {
                    final int slot = (int)(step[0]++ % live.length);
                    pool.free(live[slot]);
                    live[slot] = pool.allocate(64 + 32L * ((slot * 7 + step[0]) % 61), runtime);
                }
            });
            for (final long address : live)
            {
                pool.free(address);
            }
        }
    }
}
