package io.carve.pool;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A device or listener that throws half-way through a call leaves the pool as if the call had not happened
 * (allocate) or had completed (free): nothing recorded for a caller who never saw its address, nothing
 * leaked, {@code verify()} clean.
 */
class PoolFailureTest
{
    private static final long MB = 1L << 20;

    private static void assertEmptyAndClean(final SegmentPool pool)
    {
        final PoolStats stats = pool.stats();
        assertEquals(0, stats.liveSegments(), stats::toString);
        assertEquals(0, stats.bytesInUse(), stats::toString);
        assertEquals(stats.allocations(), stats.frees(), stats::toString);
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
    }

    @Test
    void shouldRecordNothingWhenTheGuardFillOfALockedAllocationFails()
    {
        final WatchedDevice device = new WatchedDevice();
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).device(device).build())
        {
            device.failFill(1);
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.allocate(1000));
            assertEquals("injected fill failure", e.getMessage());
            assertEmptyAndClean(pool);
            assertEquals(MB, pool.stats().freeBytes());
            pool.free(pool.allocate(1000));
            assertEmptyAndClean(pool);
        }
        device.dispose();
    }

    @Test
    void shouldKeepTheSegmentParkedWhenTheGuardFillOfACachedAllocationFails() throws Exception
    {
        final WatchedDevice device = new WatchedDevice();
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).device(device).build())
        {
            thread.submit(() -> pool.free(pool.allocate(992))).get();
            thread.submit(() -> pool.free(pool.allocate(992))).get();
            assertEquals(1, pool.stats().cachedSegments());
            device.failFill(1);
            assertThrows(Exception.class, () -> thread.submit(() -> pool.allocate(992)).get());
            assertEquals(1, pool.stats().cachedSegments(), "the segment went back to the cache");
            assertEmptyAndClean(pool);
            final long again = thread.submit(() -> pool.allocate(992)).get();
            assertEquals(0, pool.stats().cachedSegments());
            pool.free(again);
        }
        finally
        {
            thread.shutdown();
        }
        device.dispose();
    }

    @Test
    void shouldFreeTheSegmentWhenTheListenerRefusesTheAllocation()
    {
        final AllocationListener refuses = new AllocationListener()
        {
            @Override
            public void onAllocate(final long address, final long length)
            {
                if (length == 666)
                {
                    throw new IllegalStateException("listener refuses len=666");
                }
            }
        };
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).listener(refuses).build())
        {
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.allocate(666));
            assertEquals("listener refuses len=666", e.getMessage());
            assertEquals(1, pool.stats().frees(), "the segment the caller never saw was freed");
            assertEmptyAndClean(pool);
            for (int i = 0; i < 3; i++)
            {
                assertThrows(IllegalStateException.class, () -> pool.allocate(666));
            }
            assertEmptyAndClean(pool);
        }
    }

    @Test
    void shouldCompleteTheFreeWhenTheListenerThrowsAfterIt()
    {
        final AllocationListener noisy = new AllocationListener()
        {
            @Override
            public void onFree(final long address, final long length)
            {
                throw new IllegalStateException("listener fails on free");
            }
        };
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).listener(noisy).build())
        {
            final long address = pool.allocate(1000);
            assertThrows(IllegalStateException.class, () -> pool.free(address));
            assertEmptyAndClean(pool);
            final InvalidFreeException twice = assertThrows(InvalidFreeException.class, () -> pool.free(address));
            assertEquals(InvalidFreeException.Reason.DOUBLE_FREE, twice.reason());
        }
    }

    @Test
    void shouldLeaveThePoolUnchangedWhenTheFailureListenerThrows()
    {
        final AllocationListener failing = new AllocationListener()
        {
            @Override
            public boolean onFailure(final long length, final long segmentBytes)
            {
                throw new IllegalStateException("listener fails on failure");
            }
        };
        try (SegmentPool pool = SegmentPool.builder().capacity(4 * MB).listener(failing).build())
        {
            final long frame = pool.allocate(3_110_400);
            final String before = pool.stats().toString();
            assertThrows(IllegalStateException.class, () -> pool.allocate(3_110_400));
            assertEquals(before, pool.stats().toString());
            pool.free(frame);
            assertEmptyAndClean(pool);
        }
    }

    @Test
    void shouldRefuseASegmentThatCanNeverFitBeforeAnyWaiting()
    {
        try (SegmentPool pool = SegmentPool.builder().name("small").capacity(4 * MB).build())
        {
            final long start = System.nanoTime();
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.allocate(4 * MB, 10, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(5), "it waited");
            assertTrue(e.getMessage().startsWith("len can never fit in pool 'small': len=4194304, segment=4194336"),
                e.getMessage());
            assertNotEquals(SegmentPool.NULL_ADDRESS, pool.tryAllocate(4 * MB - 32));
        }
        catch (final SegmentLeakException expected)
        {
            assertEquals(1, expected.leaked().size());
        }
    }
}
