package io.carve.pool.bench.workload;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkloadsTest
{
    @Test
    void shouldComputeTheReferenceMediaSizes()
    {
        assertEquals(3_110_400L, MediaSizes.FRAME_1080P);
        assertEquals(12_441_600L, MediaSizes.FRAME_4K);
        assertEquals(1_382_400L, MediaSizes.FRAME_720P);
        assertEquals(18_192_384L, MediaSizes.jpegd(4000, 3000));
        assertEquals(1920L * 1088 * 3 / 2, MediaSizes.vdecNv12(1915, 1087));
        assertEquals(32L * 2 * 3 / 2, MediaSizes.vdecNv12(10, 1));
        assertThrows(IllegalArgumentException.class, () -> MediaSizes.jpegd(0, 10));
    }

    @Test
    void shouldGenerateTheSameMediaTraceForTheSameSeed()
    {
        final Trace a = Workloads.media(7, 4096);
        final Trace b = Workloads.media(7, 4096);
        assertArrayEquals(a.ops(), b.ops());
        assertArrayEquals(a.sizes(), b.sizes());
        final Trace c = Workloads.media(8, 4096);
        assertFalse(java.util.Arrays.equals(a.sizes(), c.sizes()));
    }

    @Test
    void shouldProduceExactlyTheAskedEventsBalanced()
    {
        final Trace media = Workloads.media(1, 2000);
        assertEquals(2000, media.length());
        assertEquals(1000, media.allocations());
        final Trace random = Workloads.random(1, 1000, 4096, 1 << 20);
        assertEquals(1000, random.length());
        assertEquals(500, Workloads.fixed(100, 1000).allocations());
    }

    @Test
    void shouldUseOnlyStrideRuleSizesInTheMediaTrace()
    {
        final Trace trace = Workloads.media(42, 8192);
        boolean sawJpeg = false;
        for (final long size : trace.distinctSizes())
        {
            final boolean vdec = size == MediaSizes.FRAME_720P || size == MediaSizes.FRAME_1080P
                || size == MediaSizes.FRAME_4K;
            final boolean vpc = size == MediaSizes.VPC_640_RGB || size == MediaSizes.VPC_416_YUV;
            // JPEGD: ALIGN_UP(w,64) * ALIGN_UP(h,16) * 3 / 2 is a multiple of 64 * 16 * 3 / 2.
            final boolean jpeg = size % (64 * 16 * 3 / 2) == 0;
            assertTrue(vdec || vpc || jpeg, "unexpected size " + size);
            sawJpeg |= !vdec && !vpc;
        }
        assertTrue(sawJpeg);
        assertTrue(trace.peakLiveBytes() > MediaSizes.FRAME_4K);
    }

    @Test
    void shouldKeepRandomAllocationsWithinSizeAndBudget()
    {
        final long budget = 8L << 20;
        final Trace trace = Workloads.random(3, 10_000, 1 << 20, budget);
        long live = 0;
        for (int i = 0; i < trace.length(); i++)
        {
            assertTrue(trace.size(i) >= 1 && trace.size(i) <= 1 << 20);
            live += trace.op(i) >= 0 ? trace.size(i) : -trace.size(i);
            assertTrue(live <= budget);
        }
        assertEquals(0, live);
        assertEquals(trace.peakLiveBytes(), maxLive(trace));
    }

    @Test
    void shouldRejectAnOddTarget()
    {
        assertThrows(IllegalArgumentException.class, () -> Workloads.media(1, 101));
    }

    @Test
    void shouldGenerateTheSameScalingStepsForTheSameSeed()
    {
        final ScalingWorkload a = ScalingWorkload.generate(5, 100, 64);
        final ScalingWorkload b = ScalingWorkload.generate(5, 100, 64);
        assertArrayEquals(a.victims(), b.victims());
        assertArrayEquals(a.fillSizes(), b.fillSizes());
        for (final int victim : a.victims())
        {
            assertTrue(victim >= 0 && victim < 100);
        }
    }

    private static long maxLive(final Trace trace)
    {
        long live = 0;
        long max = 0;
        for (int i = 0; i < trace.length(); i++)
        {
            live += trace.op(i) >= 0 ? trace.size(i) : -trace.size(i);
            max = Math.max(max, live);
        }
        return max;
    }
}
