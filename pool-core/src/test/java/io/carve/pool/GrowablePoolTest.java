package io.carve.pool;

import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.HugePagePolicy;
import io.carve.pool.device.OffHeapDeviceAllocator;
import io.carve.pool.device.VendorCall;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool that reserves its maximum range once, maps 2 MB granules when an allocation needs them, and gives
 * whole free granules back with {@code trim()}, anywhere in the range. The emulated device refuses any touch
 * of a granule that is not mapped, so a segment placed on one, or a guard written there, fails the test.
 */
class GrowablePoolTest
{
    private static final long MB = 1L << 20;
    private static final long GRANULE = 2 * MB;
    private static final long FRAME = 3_110_400;

    static SegmentPoolBuilder growable(final PolicyFactory policy, final EmulatedDevice device)
    {
        return SegmentPool.builder().name("growable").policy(policy).device(device).maximumCapacity(64 * MB)
            .leakAction(LeakAction.IGNORE);
    }

    private static void assertClean(final SegmentPool pool)
    {
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
    }

    @Test
    void shouldMapGranulesAsAllocationsNeedThemUpToTheMaximum()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).build())
        {
            assertEquals(64 * MB, pool.capacity());
            assertEquals(0, pool.stats().mappedBytes(), "nothing mapped before the first allocation");
            final long first = pool.allocate(FRAME);
            assertEquals(2 * GRANULE, pool.stats().mappedBytes(), "a frame needs two granules");
            final List<Long> frames = new ArrayList<>(List.of(first));
            long address;
            while ((address = pool.tryAllocate(FRAME)) != SegmentPool.NULL_ADDRESS)
            {
                frames.add(address);
                assertClean(pool);
            }
            final PoolStats stats = pool.stats();
            assertEquals(21, frames.size(), "64 MiB holds twenty-one 1080p frames: " + stats);
            assertTrue(stats.mappedBytes() <= 64 * MB && stats.mappedBytes() >= 20 * FRAME, stats::toString);
            assertEquals(stats.mappedBytes(), stats.peakMappedBytes());
            assertEquals(64 * MB, stats.reservedBytes());
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(FRAME));
            assertTrue(e.getMessage().contains("could not grow: the maximum capacity 67108864 leaves no reserved run"),
                e.getMessage());
            frames.forEach(pool::free);
            assertClean(pool);
        }
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldGiveBackWholeFreeGranulesAnywhereInTheRange()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).sizeClassCacheBytes(0).build())
        {
            final List<Long> frames = new ArrayList<>();
            for (int i = 0; i < 6; i++)
            {
                frames.add(pool.allocate(FRAME));
            }
            final long mapped = pool.stats().mappedBytes();
            // Free the middle frames: whole granules in the middle of the range become free.
            pool.free(frames.remove(2));
            pool.free(frames.remove(2));
            final long unmapped = pool.trim();
            assertTrue(unmapped >= 2 * GRANULE, "two frames' worth of whole granules come back: unmapped=" + unmapped);
            assertEquals(mapped - unmapped, pool.stats().mappedBytes());
            assertClean(pool);
            // The live frames around the hole are untouched and still checkable (their guards are read back).
            for (final long frame : frames)
            {
                assertEquals(FRAME, pool.requestedLength(frame));
            }
            // Allocating again maps what is needed, in the hole or elsewhere.
            frames.add(pool.allocate(FRAME));
            frames.add(pool.allocate(FRAME));
            assertClean(pool);
            frames.forEach(pool::free);
            pool.trim();
            assertEquals(0, pool.stats().mappedBytes(), "an empty pool trims to nothing");
            assertEquals(mapped, pool.stats().peakMappedBytes());
            assertClean(pool);
        }
    }

    @Test
    void shouldTrimWhatThreadCachesHold()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).build())
        {
            for (int i = 0; i < 4; i++)
            {
                pool.free(pool.allocate(FRAME));
            }
            assertTrue(pool.stats().cachedSegments() > 0, "the frame is parked in this thread's cache");
            assertTrue(pool.trim() > 0);
            assertEquals(0, pool.stats().cachedSegments());
            assertEquals(0, pool.stats().mappedBytes());
            assertClean(pool);
        }
    }

    @Test
    void shouldSayTheDeviceRefusedWhenGrowthFails()
    {
        final EmulatedDevice device = EmulatedDevice.builder().failCall(VendorCall.MALLOC_PHYSICAL, 3).build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).sizeClassCacheBytes(0).build())
        {
            final long first = pool.allocate(FRAME);
            final String before = pool.stats().toString();
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(FRAME));
            assertTrue(e.getMessage().contains("could not grow: device emulated"), e.getMessage());
            assertTrue(e.getMessage().contains("refused a physical handle"), e.getMessage());
            assertEquals(before.replace("failures=0", "failures=1"), pool.stats().toString(), "nothing changed but the count");
            final long second = pool.allocate(FRAME);
            assertNotEquals(first, second, "the next allocation grows once the device agrees");
            assertClean(pool);
            pool.free(first);
            pool.free(second);
        }
    }

    @Test
    void shouldTrimByItselfAboveTheThreshold()
    {
        final EmulatedDevice device = EmulatedDevice.builder().build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).sizeClassCacheBytes(0)
            .trimThreshold(4 * MB).build())
        {
            final List<Long> frames = new ArrayList<>();
            for (int i = 0; i < 8; i++)
            {
                frames.add(pool.allocate(FRAME));
            }
            final long peak = pool.stats().mappedBytes();
            frames.forEach(pool::free);
            final PoolStats stats = pool.stats();
            assertTrue(stats.mappedBytes() <= 4 * MB + GRANULE, "idle mapped bytes fell to about the threshold: " + stats);
            assertTrue(stats.mappedBytes() < peak);
            assertClean(pool);
        }
    }

    @Test
    void shouldStartWithItsInitialCapacityMapped()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory())
            .device(OffHeapDeviceAllocator.lazy()).initialCapacity(5 * MB).maximumCapacity(1L << 30).build())
        {
            assertEquals(6 * MB, pool.stats().mappedBytes(), "rounded up to whole granules");
            assertEquals(1L << 30, pool.capacity());
            final long frame = pool.allocate(FRAME);
            assertEquals(6 * MB, pool.stats().mappedBytes(), "a frame fits the initial granules");
            pool.free(frame);
            assertClean(pool);
        }
    }

    @Test
    void shouldRefuseSettingsThatCannotWork()
    {
        assertEquals("capacity fixes the pool's size; a growable pool takes initialCapacity with maximumCapacity:"
            + " capacity=1048576, maximumCapacity=67108864", assertThrows(IllegalArgumentException.class,
                () -> SegmentPool.builder().capacity(MB).maximumCapacity(64 * MB).build()).getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> SegmentPool.builder().initialCapacity(128 * MB).maximumCapacity(64 * MB).build());
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().capacity(MB).growthStep(MB).build());
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().maximumCapacity(0));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().trimThreshold(-1));
        final io.carve.pool.device.DeviceAllocator oneBlock = new io.carve.pool.device.DeviceAllocator()
        {
            @Override
            public String name()
            {
                return "one-block";
            }

            @Override
            public io.carve.pool.device.DeviceBlock allocate(final long size, final long alignment)
            {
                return OffHeapDeviceAllocator.lazy().allocate(size, alignment);
            }
        };
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> SegmentPool.builder().device(oneBlock).maximumCapacity(64 * MB).build()).getMessage()
            .contains("a growable pool needs a device that reserves and maps memory"));
        try (SegmentPool fixed = SegmentPool.builder().capacity(8 * MB).build())
        {
            assertEquals(0, fixed.trim(), "a fixed pool has nothing to give back");
            assertEquals(8 * MB, fixed.stats().mappedBytes());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1, 2, 3})
    void shouldKeepEverySegmentOnMappedGranulesThroughGrowthTrimAndFrees(final long seed)
    {
        GrowableRun.run(FirstFitPolicy.factory(), seed, 1_500);
    }

    @Test
    void shouldRunOnHugeOnlyPagesWithTheirGranularity()
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.HUGE_ONLY).build();
        try (SegmentPool pool = growable(FirstFitPolicy.factory(), device).build())
        {
            pool.free(pool.allocate(100));
            assertEquals(GRANULE, pool.stats().mappedBytes());
            assertClean(pool);
        }
    }
}
