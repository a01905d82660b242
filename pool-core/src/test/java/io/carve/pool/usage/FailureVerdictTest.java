package io.carve.pool.usage;

import io.carve.pool.FailureVerdict;
import io.carve.pool.FailureVerdict.Cause;
import io.carve.pool.IntegrityReport;
import io.carve.pool.LeakAction;
import io.carve.pool.LeakTracking;
import io.carve.pool.PoolExhaustedException;
import io.carve.pool.SegmentPool;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.VendorCall;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each class of allocation failure produced on purpose, as a user meets it: the exception's verdict and
 * message, and {@link SegmentPool#diagnose(long)}, which changes nothing.
 */
class FailureVerdictTest
{
    private static final long KB = 1024;
    private static final long MB = 1024 * KB;

    private static void assertClean(final SegmentPool pool)
    {
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
    }

    @Test
    void shouldSayThePoolIsTooSmallWhenFewerBytesAreFreeThanTheSegmentNeeds()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).leakAction(LeakAction.IGNORE).build())
        {
            for (int i = 0; i < 3; i++)
            {
                pool.allocate(300 * KB);
            }
            final String before = pool.stats().toString();
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(300 * KB));
            final FailureVerdict verdict = e.verdict();
            assertEquals(Cause.CAPACITY, verdict.cause(), verdict::describe);
            assertEquals(300 * KB, verdict.requestedLength());
            assertEquals(300 * KB + 32, verdict.segmentBytes());
            assertTrue(verdict.freeBytes() < verdict.segmentBytes());
            assertEquals(1, verdict.largestExtents().size(), "one free extent at the end");
            assertEquals(verdict.freeBytes(), verdict.largestExtents().get(0).size());
            assertTrue(e.getMessage().contains("CAPACITY: only " + verdict.freeBytes() + " bytes are free"), e.getMessage());
            assertTrue(e.getMessage().contains("the pool is too small"), e.getMessage());
            assertEquals(before.replace("failures=0", "failures=1"), pool.stats().toString(), "nothing changed");
            assertClean(pool);
            assertEquals(Cause.CAPACITY, pool.diagnose(300 * KB).cause());
        }
    }

    @Test
    void shouldSayThePoolIsFragmentedAndNameTheSegmentsAroundTheLargestExtent()
    {
        final long len = 128 * KB - 32;
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).policy(FirstFitPolicy.factory())
            .sizeClassCacheBytes(0).leakTracking(LeakTracking.PARANOID).leakAction(LeakAction.IGNORE).build())
        {
            final List<Long> segments = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                segments.add(allocateHere(pool, len));
            }
            for (int i = 0; i < 8; i += 2)
            {
                pool.free(segments.get(i));
            }
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(200 * KB));
            final FailureVerdict verdict = e.verdict();
            assertEquals(Cause.FRAGMENTATION, verdict.cause(), verdict::describe);
            assertEquals(4 * 128 * KB, verdict.freeBytes());
            assertEquals(128 * KB, verdict.largestAllocatable());
            assertEquals(0, verdict.extentsLargeEnough());
            assertEquals(4, verdict.largestExtents().size());
            verdict.largestExtents().forEach(extent -> assertEquals(128 * KB, extent.size()));
            assertEquals(0, verdict.largestExtents().get(0).offset(), "largest first, lowest offset among equals");
            assertEquals(Map.of(17, 4L), verdict.extentHistogram(), "four extents in [128K, 256K)");
            assertNull(verdict.beforeLargest(), "the largest extent starts the pool");
            assertNotNull(verdict.afterLargest());
            assertEquals(segments.get(1), verdict.afterLargest().address());
            assertEquals(len, verdict.afterLargest().length());
            assertTrue(e.getMessage().contains("FRAGMENTATION: 524288 bytes are free but the largest segment"), e.getMessage());
            assertTrue(e.getMessage().contains("allocated at io.carve.pool.usage.FailureVerdictTest.allocateHere"),
                e.getMessage());
            assertTrue(e.getMessage().contains("[2^17]=4"), e.getMessage());
            assertClean(pool);
            assertEquals(verdict.extentHistogram(), pool.diagnose(200 * KB).extentHistogram());
            assertEquals(len, pool.largestAllocatable(), "a 128 KiB segment holds 128 KiB - 32 bytes");
        }
    }

    private static long allocateHere(final SegmentPool pool, final long len)
    {
        return pool.allocate(len);
    }

    @Test
    void shouldCountExtentsThatAreLongEnoughButMisaligned()
    {
        final AlignmentProfile pages = AlignmentProfile.custom("pages", 4096, 32);
        final long capacity = MB;
        try (SegmentPool pool = SegmentPool.builder().capacity(capacity).alignment(pages).policy(FirstFitPolicy.factory())
            .sizeClassCacheBytes(0).leakAction(LeakAction.IGNORE).build())
        {
            final long a = pool.allocate(4000);
            final long b = pool.allocate(8160);
            final long c = pool.allocate(4000);
            final long d = pool.allocate(capacity - 16384 - 32);
            assertEquals(4096, b - a);
            pool.free(b);
            // [4032, 12288) is free: 8256 bytes, but from 4096 on only 8192.
            final FailureVerdict verdict = assertThrows(PoolExhaustedException.class, () -> pool.allocate(8192)).verdict();
            assertEquals(Cause.FRAGMENTATION, verdict.cause(), verdict::describe);
            assertEquals(8224, verdict.segmentBytes());
            assertEquals(1, verdict.extentsLargeEnough());
            assertEquals(8192, verdict.largestAllocatable());
            assertTrue(verdict.describe().contains("1 free extent is long enough before alignment"), verdict::describe);
            assertEquals(8160, pool.largestAllocatable(), "the largest length whose segment fits from 4096");
            pool.free(pool.allocate(8160));
            assertClean(pool);
            pool.free(a);
            pool.free(c);
            pool.free(d);
        }
    }

    @Test
    void shouldSayWhatParkedSegmentsWouldGiveBackWithoutTakingThem() throws Exception
    {
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).policy(FirstFitPolicy.factory())
            .leakAction(LeakAction.IGNORE).build())
        {
            thread.submit(() ->
            {
                pool.free(pool.allocate(992));
                pool.free(pool.allocate(992));
            }).get();
            assertEquals(1, pool.stats().cachedSegments(), "the other thread parked one segment");
            final long rest = pool.allocate(MB - 1024 - 32);
            final String before = pool.stats().toString();

            final FailureVerdict parked = pool.diagnose(992);
            assertEquals(Cause.PARKED, parked.cause(), parked::describe);
            assertEquals(1024, parked.parkedBytes());
            assertEquals(0, parked.freeBytes());
            assertTrue(parked.describe().startsWith("PARKED: 1024 bytes are parked in thread caches"), parked::describe);
            assertEquals(Cause.CAPACITY, pool.diagnose(1000).cause(), "1056 bytes: more than is free and parked");
            assertEquals(before, pool.stats().toString(), "diagnose takes nothing back");
            assertEquals(1, pool.stats().cachedSegments());

            assertEquals(992, pool.largestAllocatable(), "counts what a drain gives back");
            final long again = pool.allocate(992);
            assertEquals(0, pool.stats().cachedSegments());
            assertClean(pool);
            pool.free(again);
            pool.free(rest);
        }
        finally
        {
            thread.shutdown();
        }
    }

    @Test
    void shouldSayTheDeviceRefusedToGrow()
    {
        final long frame = 3_110_400;
        final EmulatedDevice device = EmulatedDevice.builder().failCall(VendorCall.MALLOC_PHYSICAL, 3).build();
        try (SegmentPool pool = SegmentPool.builder().device(device).policy(FirstFitPolicy.factory()).maximumCapacity(64 * MB).sizeClassCacheBytes(0)
            .leakAction(LeakAction.IGNORE).build())
        {
            final FailureVerdict beforeGrowth = pool.diagnose(frame);
            assertEquals(Cause.FITS, beforeGrowth.cause(), beforeGrowth::describe);
            assertTrue(beforeGrowth.growth().startsWith("fits once the pool maps"), beforeGrowth::describe);
            final long first = pool.allocate(frame);
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(frame));
            assertEquals(Cause.GROWTH_REFUSED, e.verdict().cause(), e.verdict()::describe);
            assertTrue(e.verdict().describe().contains("refused a physical handle"), e.verdict()::describe);
            assertClean(pool);
            final long second = pool.allocate(frame);
            pool.free(first);
            pool.free(second);
        }
    }

    @Test
    void shouldSayTheMaximumIsReachedWhenAGrowablePoolIsFull()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (SegmentPool pool = SegmentPool.builder().device(device).policy(FirstFitPolicy.factory()).maximumCapacity(4 * MB).sizeClassCacheBytes(0)
            .leakAction(LeakAction.IGNORE).build())
        {
            final long first = pool.allocate(3 * MB);
            final FailureVerdict query = pool.diagnose(2 * MB);
            assertEquals(Cause.CAPACITY, query.cause(), query::describe);
            assertTrue(query.growth().contains("leaves no reserved run"), query::describe);
            final FailureVerdict verdict = assertThrows(PoolExhaustedException.class, () -> pool.allocate(2 * MB)).verdict();
            assertEquals(Cause.CAPACITY, verdict.cause(), verdict::describe);
            assertTrue(verdict.growth().contains("the maximum capacity 4194304"), verdict::describe);
            pool.free(first);
        }
    }

    @Test
    void shouldDiagnoseALengthThatFitsAndRefuseBadArguments()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).policy(TlsfPolicy.builder()).build())
        {
            final FailureVerdict fits = pool.diagnose(1000);
            assertEquals(Cause.FITS, fits.cause());
            assertEquals(MB, fits.largestAllocatable());
            assertEquals(MB - 32, pool.largestAllocatable());
            final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> pool.diagnose(0));
            assertTrue(zero.getMessage().contains("len=0"), zero.getMessage());
            final IllegalArgumentException profile = assertThrows(IllegalArgumentException.class,
                () -> pool.largestAllocatable(AlignmentProfile.custom("pages", 4096, 32)));
            assertTrue(profile.getMessage().contains("startAlignment=4096"), profile.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.diagnose(10, null));
            assertClean(pool);
        }
    }
}
