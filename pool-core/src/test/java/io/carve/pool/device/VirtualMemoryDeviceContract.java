package io.carve.pool.device;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of {@link VirtualMemoryDevice}, run against every implementation: a subclass says how to
 * make the device and checks after each test that it holds nothing.
 */
public abstract class VirtualMemoryDeviceContract
{
    /** Ranges and handles a test opened, closed in {@link #closeEverything()} whatever the test did. */
    private final List<ReservedRange> ranges = new ArrayList<>();
    private final List<PhysicalHandle> handles = new ArrayList<>();

    /**
     * The device under test; a test may call this more than once and expects the same device.
     *
     * @return the device.
     */
    protected abstract VirtualMemoryDevice device();

    /**
     * Checks that the device holds no range and no handle any more (after every test).
     */
    protected abstract void assertNothingHeld();

    /**
     * Whether the device's memory is host memory.
     *
     * @return the expected {@link DeviceMemory#isHostAccessible()}.
     */
    protected abstract boolean hostAccessible();

    private long g()
    {
        return device().granularity();
    }

    private ReservedRange reserve(final long granules)
    {
        final ReservedRange range = device().reserve(granules * g(), 128);
        ranges.add(range);
        return range;
    }

    private PhysicalHandle handle(final long granules)
    {
        final PhysicalHandle handle = device().allocatePhysical(granules * g());
        handles.add(handle);
        return handle;
    }

    @AfterEach
    void closeEverything()
    {
        for (final ReservedRange range : ranges)
        {
            for (long offset = 0; offset < range.size(); offset += range.granularity())
            {
                try
                {
                    range.unmap(offset);
                }
                catch (final IllegalStateException notAMappingStart)
                {
                    // nothing mapped there, or inside a larger handle, or the range is closed
                }
            }
        }
        handles.forEach(PhysicalHandle::close);
        ranges.forEach(ReservedRange::close);
        assertNothingHeld();
    }

    @Test
    void shouldReportAPowerOfTwoGranularityOfAtLeastTwoMegabytes()
    {
        final long g = g();
        assertEquals(1, Long.bitCount(g), "granularity=" + g);
        assertTrue(g >= 2L << 20, "granularity=" + g);
    }

    @Test
    void shouldReserveARangeOnAGranuleBoundaryWithNothingMapped()
    {
        final ReservedRange range = reserve(4);
        assertEquals(4 * g(), range.size());
        assertEquals(g(), range.granularity());
        assertEquals(0, range.address() % g(), "address=0x" + Long.toHexString(range.address()));
        assertEquals(0, range.mappedBytes());
        assertFalse(range.isMapped(0));
        assertEquals(hostAccessible(), range.isHostAccessible());
    }

    @Test
    void shouldReachTheBytesOfAMappedHandleThroughTheMemoryOperations()
    {
        final ReservedRange range = reserve(4);
        final PhysicalHandle handle = handle(1);
        range.map(g(), handle);
        assertTrue(handle.isMapped());
        assertTrue(range.isMapped(g()));
        assertTrue(range.isMapped(2 * g() - 1));
        assertFalse(range.isMapped(2 * g()));
        assertEquals(g(), range.mappedBytes());

        final long base = range.address() + g();
        range.fill(base, g(), (byte)0x3C);
        range.copyFromHost(new byte[] {1, 2, 3}, 0, base + g() - 3, 3);
        final byte[] back = new byte[5];
        range.copyToHost(base + g() - 5, back, 0, 5);
        assertArrayEquals(new byte[] {0x3C, 0x3C, 1, 2, 3}, back);
    }

    @Test
    void shouldMapHandlesAtAnyGranuleOffsetInAnyOrderAndCopyAcrossThem()
    {
        final ReservedRange range = reserve(6);
        final PhysicalHandle high = handle(1);
        final PhysicalHandle low = handle(2);
        range.map(5 * g(), high);
        range.map(3 * g(), low);
        final PhysicalHandle first = handle(1);
        range.map(0, first);
        assertEquals(4 * g(), range.mappedBytes());

        // One copy spanning the boundary of two adjacent handles: [3g, 5g) and [5g, 6g).
        final long boundary = range.address() + 5 * g();
        final byte[] data = new byte[256];
        for (int i = 0; i < data.length; i++)
        {
            data[i] = (byte)i;
        }
        range.copyFromHost(data, 0, boundary - 128, 256);
        final byte[] back = new byte[256];
        range.copyToHost(boundary - 128, back, 0, 256);
        assertArrayEquals(data, back);
        range.fill(boundary - 1, 2, (byte)0x77);
        final byte[] two = new byte[2];
        range.copyToHost(boundary - 1, two, 0, 2);
        assertArrayEquals(new byte[] {0x77, 0x77}, two);
    }

    @Test
    void shouldRefuseATouchOfAnUnmappedGranuleNamingTheAddress()
    {
        final ReservedRange range = reserve(4);
        range.map(0, handle(1));
        final long unmapped = range.address() + g();
        final byte[] buffer = new byte[16];

        final UnmappedMemoryException fill =
            assertThrows(UnmappedMemoryException.class, () -> range.fill(unmapped - 8, 16, (byte)1));
        assertEquals(unmapped, fill.address());
        assertTrue(fill.getMessage().contains("0x" + Long.toHexString(unmapped)), fill.getMessage());
        assertEquals(unmapped + 100, assertThrows(UnmappedMemoryException.class,
            () -> range.copyToHost(unmapped + 100, buffer, 0, 16)).address());
        assertEquals(unmapped + 2 * g(), assertThrows(UnmappedMemoryException.class,
            () -> range.copyFromHost(buffer, 0, unmapped + 2 * g(), 1)).address());
        assertThrows(IndexOutOfBoundsException.class, () -> range.fill(range.address() + range.size() - 8, 16, (byte)1));
        assertThrows(IndexOutOfBoundsException.class, () -> range.copyToHost(range.address() - 1, buffer, 0, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> range.copyToHost(range.address(), buffer, 10, 7));
    }

    @Test
    void shouldUnmapTheWholeHandleAndRefuseItsGranulesAfterwards()
    {
        final ReservedRange range = reserve(4);
        final PhysicalHandle handle = handle(2);
        range.map(2 * g(), handle);
        range.fill(range.address() + 2 * g(), 8, (byte)9);
        assertSame(handle, range.unmap(2 * g()));
        assertFalse(handle.isMapped());
        assertEquals(0, range.mappedBytes());
        assertFalse(range.isMapped(3 * g()));
        assertThrows(UnmappedMemoryException.class, () -> range.fill(range.address() + 3 * g(), 8, (byte)9));

        range.map(0, handle);
        assertEquals(2 * g(), range.mappedBytes(), "an unmapped handle maps again, elsewhere");
        range.fill(range.address() + 2 * g() - 1, 1, (byte)1);
    }

    @Test
    void shouldRefuseToMapOverAMappedGranuleOrAHandleTwice()
    {
        final ReservedRange range = reserve(4);
        final PhysicalHandle two = handle(2);
        range.map(g(), two);
        final PhysicalHandle one = handle(1);
        final IllegalStateException over = assertThrows(IllegalStateException.class, () -> range.map(2 * g(), one));
        assertTrue(over.getMessage().contains("already mapped"), over.getMessage());
        assertThrows(IllegalStateException.class, () -> range.map(0, two), "a handle maps once at a time");
        final ReservedRange other = reserve(2);
        assertThrows(IllegalStateException.class, () -> other.map(0, two), "not in two ranges either");
        assertFalse(one.isMapped());
        assertEquals(2 * g(), range.mappedBytes());
        assertEquals(0, other.mappedBytes());
        range.map(3 * g(), one);
    }

    @Test
    void shouldRejectBadSizesAndOffsetsAndChangeNothing()
    {
        final VirtualMemoryDevice device = device();
        final long g = g();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> device.reserve(g + 4096, 128))
            .getMessage().contains("size=" + (g + 4096)));
        assertThrows(IllegalArgumentException.class, () -> device.reserve(0, 128));
        assertThrows(IllegalArgumentException.class, () -> device.reserve(g, 96));
        assertThrows(IllegalArgumentException.class, () -> device.reserve(g, 2 * g));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> device.allocatePhysical(g / 2))
            .getMessage().contains("aclrtMallocPhysical"));
        assertThrows(IllegalArgumentException.class, () -> device.allocatePhysical(-g));

        final ReservedRange range = reserve(2);
        final PhysicalHandle handle = handle(1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> range.map(4096, handle))
            .getMessage().contains("offset=4096"));
        assertThrows(IllegalArgumentException.class, () -> range.map(-g, handle));
        assertThrows(IllegalArgumentException.class, () -> range.map(2 * g, handle), "past the end");
        assertThrows(IllegalArgumentException.class, () -> range.map(g, handle(2)), "does not fit");
        assertThrows(IllegalArgumentException.class, () -> range.map(0, null));
        assertThrows(IllegalArgumentException.class, () -> range.unmap(4096));
        assertThrows(IllegalArgumentException.class, () -> range.unmap(2 * g));
        assertThrows(IllegalArgumentException.class, () -> range.isMapped(2 * g));
        assertEquals(0, range.mappedBytes());
        assertFalse(handle.isMapped());
    }

    @Test
    void shouldRefuseToUnmapWhereNoHandleStarts()
    {
        final ReservedRange range = reserve(4);
        assertTrue(assertThrows(IllegalStateException.class, () -> range.unmap(0))
            .getMessage().contains("nothing is mapped at offset 0"));
        final PhysicalHandle two = handle(2);
        range.map(0, two);
        assertTrue(assertThrows(IllegalStateException.class, () -> range.unmap(g()))
            .getMessage().contains("inside the handle mapped at offset 0"));
        assertEquals(2 * g(), range.mappedBytes());
    }

    @Test
    void shouldRefuseToFreeAMappedHandleOrReleaseARangeWithMappings()
    {
        final ReservedRange range = reserve(2);
        final PhysicalHandle handle = handle(1);
        range.map(0, handle);
        assertTrue(assertThrows(IllegalStateException.class, handle::close).getMessage().contains("unmap it first"));
        assertTrue(assertThrows(IllegalStateException.class, range::close).getMessage().contains("still mapped"));
        range.fill(range.address(), 8, (byte)0);
        range.unmap(0);
        handle.close();
        handle.close();
        assertThrows(IllegalStateException.class, () -> range.map(0, handle), "a freed handle maps no more");
        range.close();
        range.close();
        assertThrows(IllegalStateException.class, () -> range.fill(range.address(), 1, (byte)0));
        assertThrows(IllegalStateException.class, () -> range.map(0, handle(1)));
    }

    @Test
    void shouldRefuseAHandleOfAnotherDevice()
    {
        final ReservedRange range = reserve(2);
        final EmulatedDevice stranger = EmulatedDevice.builder().build();
        try (PhysicalHandle foreign = stranger.allocatePhysical(stranger.granularity()))
        {
            if (stranger.granularity() == g())
            {
                assertTrue(assertThrows(IllegalArgumentException.class, () -> range.map(0, foreign))
                    .getMessage().contains("does not belong"));
            }
        }
        assertEquals(0, range.mappedBytes());
    }

    @Test
    void shouldGrowAndShrinkFromManyThreadsWithoutLosingBytes() throws Exception
    {
        final int threads = 4;
        final ReservedRange range = reserve(threads * 2);
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int id = t;
                done.add(pool.submit(() ->
                {
                    start.await();
                    final long offset = id * 2 * g();
                    final byte[] back = new byte[64];
                    for (int round = 0; round < 25; round++)
                    {
                        final PhysicalHandle handle = device().allocatePhysical(g());
                        range.map(offset + (round & 1) * g(), handle);
                        final long at = range.address() + offset + (round & 1) * g() + 4096;
                        range.fill(at, 64, (byte)(id + round));
                        range.copyToHost(at, back, 0, 64);
                        for (final byte b : back)
                        {
                            assertEquals((byte)(id + round), b);
                        }
                        range.unmap(offset + (round & 1) * g()).close();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (final Future<?> f : done)
            {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        finally
        {
            pool.shutdownNow();
        }
        assertEquals(0, range.mappedBytes());
    }
}
