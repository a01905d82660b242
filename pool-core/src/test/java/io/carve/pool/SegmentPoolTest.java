package io.carve.pool;

import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.DeviceAllocationException;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.HugePagePolicy;
import io.carve.pool.device.OffHeapDeviceAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmentPoolTest
{
    private static final long MB = 1L << 20;

    private static SegmentPool pool(final long capacity)
    {
        return SegmentPool.builder().policy(FirstFitPolicy.factory()).name("test").capacity(capacity).device(OffHeapDeviceAllocator.lazy()).build();
    }

    /** Runs {@code bad}, expects {@code type}, and checks that the pool did not change at all. */
    private static <T extends Throwable> T assertRefusedAndUnchanged(
        final SegmentPool pool, final Class<T> type, final Executable bad)
    {
        final String before = pool.stats().toString();
        final T thrown = assertThrows(type, bad);
        assertEquals(before, pool.stats().toString(), "bad input changed the pool's stats");
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
        return thrown;
    }

    @Test
    void shouldCarveSegmentsAlignedToTheProfileAndSizedByTheTable()
    {
        try (SegmentPool pool = pool(64 * MB))
        {
            final long a = pool.allocate(1);
            final long b = pool.allocate(3_110_400);
            final long c = pool.allocate(33);
            for (final long address : new long[] {a, b, c})
            {
                assertEquals(0, address % 128, "unified segments start 128-aligned");
                assertTrue(address >= pool.baseAddress() && address < pool.baseAddress() + pool.capacity());
            }
            final PoolStats stats = pool.stats();
            assertEquals(3, stats.liveSegments());
            assertEquals(1 + 3_110_400 + 33, stats.bytesRequested());
            assertEquals(64 + 3_110_432 + 96, stats.bytesInUse());
            assertEquals(3, stats.allocations());
            assertEquals(33, pool.requestedLength(c));
            pool.free(a);
            pool.free(b);
            pool.free(c);
            assertEquals(0, pool.stats().liveSegments());
            assertEquals(3, pool.stats().frees());
            assertEquals(64 + 3_110_432 + 96, pool.stats().peakBytesHeld());
        }
    }

    @Test
    void shouldServe64ByteRuntimeRequestsFromA128BytePool()
    {
        try (SegmentPool pool = pool(MB))
        {
            final AlignmentProfile rt = MemoryApi.RT_MALLOC.profile();
            final long first = pool.allocate(32, rt);
            final long second = pool.allocate(32, rt);
            assertEquals(64, second - first, "64-byte segments pack at 64-byte steps");
            assertEquals(0, second % 64);
            final IllegalArgumentException e = assertRefusedAndUnchanged(pool, IllegalArgumentException.class,
                () -> pool.allocate(32, AlignmentProfile.custom("wide", 256, 32)));
            assertEquals("pool 'test' is aligned to 128 bytes and cannot serve profile wide: startAlignment=256",
                e.getMessage());
            pool.free(first);
            pool.free(second);
        }
    }

    @Test
    void shouldServeOnlyWhatItsOwnAlignmentAllows()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(MB).alignment(MemoryApi.RT_MALLOC.profile())
            .device(OffHeapDeviceAllocator.lazy()).build())
        {
            assertRefusedAndUnchanged(pool, IllegalArgumentException.class,
                () -> pool.allocate(100, MemoryApi.DVPP_V1.profile()));
            final long segment = pool.allocate(100);
            assertEquals(0, segment % 64);
            pool.free(segment);
            pool.free(pool.allocate(100, MemoryApi.RT_MALLOC_HOST.profile()));
            assertEquals(0, pool.stats().liveSegments());
        }
    }

    @Test
    void shouldThrowAnActionableExceptionOnExhaustion()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("frames").capacity(8 * MB)
            .device(OffHeapDeviceAllocator.lazy()).leakAction(LeakAction.IGNORE).build())
        {
            pool.allocate(3_110_400);
            pool.allocate(3_110_400);
            final String before = pool.stats().toString();
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(3_110_400));
            assertEquals("frames", e.poolName());
            assertEquals(3_110_400, e.requestedLength());
            assertEquals(3_110_432, e.segmentBytes());
            assertEquals(8 * MB, e.capacity());
            assertEquals(2 * 3_110_432, e.bytesInUse());
            assertEquals(8 * MB - 2 * 3_110_432, e.freeBytes());
            assertEquals(e.freeBytes() - 96, e.largestFreeExtent(), "the 96-byte alignment gap before frame 2 stays free");
            assertEquals(2, e.liveSegments());
            assertEquals("first-fit", e.policy());
            assertEquals("pool 'frames' cannot carve len=3110400 (segment 3110432 bytes, alignment 128): capacity=8388608,"
                + " in use=6220864, free=2167744, largest free extent=2167648, parked in thread caches=0, live segments=2,"
                + " policy=first-fit\n" + e.verdict().describe(),
                e.getMessage());
            assertEquals(FailureVerdict.Cause.CAPACITY, e.verdict().cause());
            assertEquals(SegmentPool.NULL_ADDRESS, pool.tryAllocate(3_110_400));
            assertEquals(2, pool.stats().failures());
            assertEquals(before.replace("failures=0", "failures=2"), pool.stats().toString());
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    void shouldNameFragmentationWhenFreeBytesSufficeButNoExtentDoes()
    {
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(MB).device(OffHeapDeviceAllocator.lazy()).build())
        {
            final List<Long> segments = new ArrayList<>();
            long address;
            while ((address = pool.tryAllocate(1000)) != SegmentPool.NULL_ADDRESS)
            {
                segments.add(address);
            }
            for (int i = 0; i < segments.size(); i += 2)
            {
                pool.free(segments.get(i));
            }
            final PoolExhaustedException e = assertThrows(PoolExhaustedException.class, () -> pool.allocate(4000));
            assertEquals(FailureVerdict.Cause.FRAGMENTATION, e.verdict().cause(), e::getMessage);
            assertTrue(e.getMessage().contains("\nFRAGMENTATION: " + e.freeBytes() + " bytes are free"), e.getMessage());
            assertTrue(pool.stats().externalFragmentation() > 0.9);
            for (int i = 1; i < segments.size(); i += 2)
            {
                pool.free(segments.get(i));
            }
        }
    }

    @Test
    void shouldRejectBadLengthsAndLeaveThePoolUnchanged()
    {
        try (SegmentPool pool = pool(MB))
        {
            final long live = pool.allocate(1000);
            assertEquals("len must be positive: len=0",
                assertRefusedAndUnchanged(pool, IllegalArgumentException.class, () -> pool.allocate(0)).getMessage());
            assertEquals("len must be positive: len=-5",
                assertRefusedAndUnchanged(pool, IllegalArgumentException.class, () -> pool.tryAllocate(-5)).getMessage());
            assertEquals("len can never fit in pool 'test': len=1048576, segment=1048608, largest segment policy first-fit can carve"
                + " at alignment 128=1048576, capacity=1048576",
                assertRefusedAndUnchanged(pool, IllegalArgumentException.class, () -> pool.allocate(MB)).getMessage());
            assertTrue(assertRefusedAndUnchanged(pool, IllegalArgumentException.class,
                () -> pool.tryAllocate(Long.MAX_VALUE)).getMessage().startsWith("len overflows the segment size"));
            assertRefusedAndUnchanged(pool, IllegalArgumentException.class, () -> pool.allocate(10, null));
            pool.free(live);
        }
    }

    @Test
    void shouldRejectBadFreesByReasonAndLeaveThePoolUnchanged()
    {
        try (SegmentPool pool = pool(MB))
        {
            final long live = pool.allocate(1000);
            final long freed = pool.allocate(1000);
            pool.free(freed);

            final InvalidFreeException nul =
                assertRefusedAndUnchanged(pool, InvalidFreeException.class, () -> pool.free(0));
            assertEquals(InvalidFreeException.Reason.NULL_ADDRESS, nul.reason());

            final InvalidFreeException outside = assertRefusedAndUnchanged(pool, InvalidFreeException.class,
                () -> pool.free(pool.baseAddress() + pool.capacity()));
            assertEquals(InvalidFreeException.Reason.OUTSIDE_POOL, outside.reason());
            assertEquals(InvalidFreeException.Reason.OUTSIDE_POOL, assertRefusedAndUnchanged(pool,
                InvalidFreeException.class, () -> pool.free(pool.baseAddress() - 128)).reason());

            final InvalidFreeException interior =
                assertRefusedAndUnchanged(pool, InvalidFreeException.class, () -> pool.free(live + 128));
            assertEquals(InvalidFreeException.Reason.INTERIOR, interior.reason());
            assertTrue(interior.getMessage().contains("inside the live segment 0x" + Long.toHexString(live)
                + " (len=1000) at offset 128"), interior.getMessage());

            final InvalidFreeException twice =
                assertRefusedAndUnchanged(pool, InvalidFreeException.class, () -> pool.free(freed));
            assertEquals(InvalidFreeException.Reason.DOUBLE_FREE, twice.reason());
            assertEquals(freed, twice.address());

            final InvalidFreeException never = assertRefusedAndUnchanged(pool, InvalidFreeException.class,
                () -> pool.free(pool.baseAddress() + pool.capacity() - 128));
            assertEquals(InvalidFreeException.Reason.NOT_ALLOCATED, never.reason());

            assertRefusedAndUnchanged(pool, InvalidFreeException.class, () -> pool.requestedLength(freed));
            pool.free(live);
            assertEquals(0, pool.stats().liveSegments());
        }
    }

    @Test
    void shouldRefuseEveryCallAfterCloseAndCloseOnlyOnce()
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        final SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("gone").capacity(MB).device(device).build();
        final long address = pool.allocate(100);
        pool.free(address);
        pool.close();
        assertEquals(0, device.liveBlocks(), "the block went back to the device");
        pool.close();
        final List<Executable> calls = List.of(
            () -> pool.allocate(1), () -> pool.tryAllocate(1), () -> pool.allocate(1, MemoryApi.RT_MALLOC.profile()),
            () -> pool.tryAllocate(1, MemoryApi.RT_MALLOC.profile()), () -> pool.free(address),
            () -> pool.requestedLength(address), pool::stats, pool::verify, () -> pool.forEachLiveSegment((a, l) -> { }));
        for (final Executable call : calls)
        {
            final PoolClosedException e = assertThrows(PoolClosedException.class, call);
            assertTrue(e.getMessage().startsWith("pool 'gone' is closed: "), e.getMessage());
        }
    }

    @Test
    void shouldReportLeaksOnCloseAfterReturningTheBlock()
    {
        final EmulatedDevice device = EmulatedDevice.builder().pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
        final SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).name("leaky").capacity(MB).device(device).build();
        final long a = pool.allocate(100);
        final long b = pool.allocate(5000);
        pool.free(pool.allocate(7));
        final SegmentLeakException e = assertThrows(SegmentLeakException.class, pool::close);
        assertArrayEquals(new long[] {a, b}, e.addresses());
        assertArrayEquals(new long[] {100, 5000}, e.lengths());
        assertEquals("pool 'leaky' closed with 2 live segment(s), 5100 bytes requested: 0x" + Long.toHexString(a)
            + " (len=100) 0x" + Long.toHexString(b) + " (len=5000)", e.getMessage());
        assertEquals(0, device.liveBlocks());
        assertThrows(PoolClosedException.class, () -> pool.allocate(1));

        final SegmentPool quiet = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(MB).device(device).leakAction(LeakAction.LOG).build();
        quiet.allocate(10);
        quiet.close();
        assertEquals(0, device.liveBlocks());
    }

    @Test
    void shouldListLiveSegmentsInAddressOrder()
    {
        try (SegmentPool pool = pool(MB))
        {
            final long a = pool.allocate(10);
            final long b = pool.allocate(20);
            final long c = pool.allocate(30);
            pool.free(b);
            final List<long[]> seen = new ArrayList<>();
            pool.forEachLiveSegment((address, length) -> seen.add(new long[] {address, length}));
            assertEquals(2, seen.size());
            assertArrayEquals(new long[] {a, 10}, seen.get(0));
            assertArrayEquals(new long[] {c, 30}, seen.get(1));
            pool.free(a);
            pool.free(c);
        }
    }

    @Test
    void shouldValidateTheBuilder()
    {
        assertEquals("capacity must be set: capacity=0",
            assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).build()).getMessage());
        assertEquals("capacity must be in (0, 140737488355328]: capacity=0",
            assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(-1));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity((1L << 47) + 1));
        assertEquals("capacity cannot hold one segment: capacity=32, smallest segment=64",
            assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(32).build()).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).name(" "));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).device(null));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).policy(null));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).alignment(null));
        assertThrows(IllegalArgumentException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).leakAction(null));
        assertThrows(IllegalArgumentException.class,
            () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).alignment(AlignmentProfile.custom("odd", 48, 32)));
    }

    @Test
    void shouldFailToBuildWhenTheDeviceRefusesAndHoldNothing()
    {
        final EmulatedDevice small = EmulatedDevice.builder().budget(16 * MB).build();
        final DeviceAllocationException tooBig = assertThrows(DeviceAllocationException.class,
            () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(32 * MB).device(small).build());
        assertTrue(tooBig.getMessage().contains("budget of 16777216 bytes"), tooBig.getMessage());
        assertEquals(0, small.liveBlocks());

        final EmulatedDevice flaky = EmulatedDevice.builder().failRequest(1).build();
        assertThrows(DeviceAllocationException.class, () -> SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(MB).device(flaky).build());
        assertEquals(0, flaky.liveBlocks());
        try (SegmentPool pool = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(MB).device(flaky).build())
        {
            assertNotEquals(SegmentPool.NULL_ADDRESS, pool.allocate(10));
        }
        catch (final SegmentLeakException expected)
        {
            assertEquals(1, expected.lengths().length);
        }
        assertEquals(0, flaky.liveBlocks());
    }

    @Test
    void shouldExposeTheBlockThroughAViewThatCannotCloseIt()
    {
        try (SegmentPool pool = pool(MB))
        {
            assertTrue(pool.memory().isHostAccessible());
            assertFalse(pool.memory() instanceof AutoCloseable);
            assertEquals(AlignmentProfile.UNIFIED, pool.alignment());
            assertEquals("test", pool.name());
            assertTrue(pool.toString().contains("policy=first-fit"));
        }
    }
}
