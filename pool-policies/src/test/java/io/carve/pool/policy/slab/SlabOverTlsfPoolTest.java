package io.carve.pool.policy.slab;

import io.carve.pool.IntegrityReport;
import io.carve.pool.LeakAction;
import io.carve.pool.SegmentPool;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.OffHeapDeviceAllocator;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A slab pool over TLSF that mixes the 64-byte runtime profile with the pool's 128-byte profile, through the
 * public pool API only: the pool's integrity walker must stay clean after every step.
 */
class SlabOverTlsfPoolTest
{
    private static final long MIB = 1L << 20;
    private static final AlignmentProfile RUNTIME = MemoryApi.RT_MALLOC.profile();

    private static SegmentPool pool(final long capacity)
    {
        return SegmentPool.builder()
            .name("slab-over-tlsf")
            .capacity(capacity)
            .device(OffHeapDeviceAllocator.lazy())
            .policy(SlabPolicy.builder().sizeClass(SlabTesting.NV12_720P, 2 * MIB).backing(TlsfPolicy.builder()))
            .leakAction(LeakAction.IGNORE)
            .build();
    }

    private static void assertClean(final SegmentPool pool, final String step)
    {
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), () -> "after " + step + ": " + report.problems());
    }

    @Test
    void shouldStayCleanWhenANewSlabFollowsA64ByteAlignedSegment()
    {
        try (SegmentPool pool = pool(8 * MIB))
        {
            final long first = pool.allocate(3 * MIB - 32);
            assertClean(pool, "3 MiB - 32 at 128");
            final long second = pool.allocate(3 * MIB + 32, RUNTIME);
            assertClean(pool, "3 MiB + 32 at 64");
            final long third = pool.allocate(2 * MIB - 96);
            assertClean(pool, "2 MiB - 96 at 128");
            pool.free(second);
            assertClean(pool, "free of the 64-aligned segment");
            final long frame = pool.allocate(SlabTesting.NV12_720P);
            assertClean(pool, "a frame that opens a slab");
            pool.free(frame);
            assertClean(pool, "free of the frame");
            pool.free(first);
            pool.free(third);
            assertClean(pool, "free of everything");
            assertEquals(0, pool.stats().bytesInUse());
        }
    }

    @Test
    void shouldStayCleanOverARandomMixOfProfilesAndFrames()
    {
        final Random random = new Random(64128);
        try (SegmentPool pool = pool(32 * MIB))
        {
            final List<Long> live = new ArrayList<>();
            int refused = 0;
            for (int step = 0; step < 600; step++)
            {
                if (live.isEmpty() || random.nextInt(100) < 55)
                {
                    final long len = random.nextInt(3) == 0 ? SlabTesting.NV12_720P
                        : 1 + random.nextInt(random.nextBoolean() ? 4096 : (int)(3 * MIB));
                    final long address = random.nextBoolean() ? pool.tryAllocate(len, RUNTIME) : pool.tryAllocate(len);
                    if (address == SegmentPool.NULL_ADDRESS)
                    {
                        refused++;
                    }
                    else
                    {
                        live.add(address);
                    }
                }
                else
                {
                    pool.free(live.remove(random.nextInt(live.size())));
                }
                assertClean(pool, "step " + step);
            }
            assertTrue(refused > 0, "the run never filled the pool");
            live.forEach(pool::free);
            assertClean(pool, "free of everything");
        }
    }
}
