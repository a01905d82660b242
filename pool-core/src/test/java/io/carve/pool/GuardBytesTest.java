package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.device.DeviceAllocator;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.HugePagePolicy;
import io.carve.pool.device.OffHeapDeviceAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GuardBytesTest
{
    private static final long MB = 1L << 20;

    static Stream<Arguments> devices()
    {
        return Stream.of(
            Arguments.of("off-heap", OffHeapDeviceAllocator.lazy()),
            Arguments.of("emulated", EmulatedDevice.builder().pagePolicy(HugePagePolicy.NORMAL_ONLY).build()));
    }

    private static SegmentPool pool(final DeviceAllocator device)
    {
        return SegmentPool.builder().name("guarded").capacity(8 * MB).device(device).build();
    }

    /** Overwrites one byte through the device's memory path, as a careless DMA or kernel would. */
    private static void poke(final SegmentPool pool, final long address, final byte value)
    {
        pool.memory().copyFromHost(new byte[] {value}, 0, address, 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void shouldDetectAnOverwriteOfEveryGuardBytePositionForLengthsOneTo97(final String name, final DeviceAllocator device)
    {
        try (SegmentPool pool = pool(device))
        {
            for (int len = 1; len <= 97; len++)
            {
                final long m = pool.alignment().segmentSize(len);
                for (long position = len; position < m; position++)
                {
                    assertDetected(pool, len, position);
                }
            }
            final PoolStats stats = pool.stats();
            assertEquals(stats.frees(), stats.guardViolations(), "every overwrite was caught on free");
            assertEquals(0, stats.liveSegments());
            assertTrue(pool.verify().isClean());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void shouldDetectAnOverwriteOfEveryGuardBytePositionOfMediaFrames(final String name, final DeviceAllocator device)
    {
        try (SegmentPool pool = pool(device))
        {
            for (final long len : new long[] {3_110_400, 1_382_400, 18_192_384 / 4, 640 * 640 * 3 + 5})
            {
                final long m = pool.alignment().segmentSize(len);
                for (long position = len; position < m; position++)
                {
                    assertDetected(pool, len, position);
                }
            }
        }
    }

    private static void assertDetected(final SegmentPool pool, final long len, final long position)
    {
        final long address = pool.allocate(len);
        poke(pool, address + position, (byte)0x00);
        final IntegrityReport report = pool.verify();
        assertFalse(report.isClean(), "verify missed len=" + len + ", position=" + position);
        final GuardViolationException e = assertThrows(GuardViolationException.class, () -> pool.free(address),
            "free missed len=" + len + ", position=" + position);
        assertEquals(address, e.address());
        assertEquals(len, e.requestedLength());
        assertEquals(position, e.damagedOffset());
        assertEquals((byte)0xFD, e.expected());
        assertEquals(0, e.found());
        assertEquals("guarded", e.poolName());
        assertTrue(pool.verify().isClean(), "the pool stays consistent after a violation");
    }

    @Test
    void shouldNameTheSegmentAndTheDamageInTheMessage()
    {
        try (SegmentPool pool = pool(OffHeapDeviceAllocator.lazy()))
        {
            final long address = pool.allocate(100);
            poke(pool, address + 101, (byte)0x41);
            poke(pool, address + 120, (byte)0x42);
            final IntegrityReport report = pool.verify();
            assertEquals(1, report.problems().size());
            final GuardViolationException e = assertThrows(GuardViolationException.class, () -> pool.free(address));
            assertEquals("pool 'guarded': guard bytes of segment 0x" + Long.toHexString(address)
                + " (len=100) overwritten: first damaged byte at segment offset 101 (len+1), expected 0xfd, found 0x41",
                e.getMessage());
            assertEquals(report.problems().get(0), e.getMessage());
            assertEquals(1, pool.stats().guardViolations());
            assertEquals(0, pool.stats().liveSegments(), "the damaged segment was released");
            assertEquals(pool.capacity(), pool.stats().freeBytes(), "its space is free again");
            assertTrue(pool.verify().isClean());
        }
    }

    @Test
    void shouldNotCheckGuardsWhenTheyAreOff()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).guards(false)
            .device(OffHeapDeviceAllocator.lazy()).build())
        {
            final long address = pool.allocate(100);
            poke(pool, address + 100, (byte)0);
            assertTrue(pool.verify().isClean());
            pool.free(address);
            assertEquals(0, pool.stats().guardViolations());
        }
    }

    @Test
    void shouldGuardTheTailOfCustomProfiles()
    {
        try (SegmentPool pool = SegmentPool.builder().capacity(MB).device(OffHeapDeviceAllocator.lazy())
            .alignment(AlignmentProfile.custom("long-tail", 128, 96)).build())
        {
            final long address = pool.allocate(32);
            poke(pool, address + 32 + 95, (byte)0);
            final GuardViolationException e = assertThrows(GuardViolationException.class, () -> pool.free(address));
            assertEquals(127, e.damagedOffset());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void shouldRaiseNoFalsePositiveOverALongRandomRunThatFillsWholeSegments(
        final String name, final DeviceAllocator device)
    {
        final Random random = new Random(99);
        try (SegmentPool pool = SegmentPool.builder().capacity(16 * MB).device(device).build())
        {
            final List<Long> live = new ArrayList<>();
            final byte[] data = new byte[70_000];
            for (int step = 0; step < 20_000; step++)
            {
                if (live.isEmpty() || random.nextInt(100) < 55)
                {
                    final int len = 1 + random.nextInt(random.nextBoolean() ? 97 : data.length);
                    final long address = pool.tryAllocate(len);
                    if (address != SegmentPool.NULL_ADDRESS)
                    {
                        random.nextBytes(data);
                        data[len - 1] = (byte)0xFD;
                        pool.memory().copyFromHost(data, 0, address, len);
                        live.add(address);
                    }
                }
                else
                {
                    pool.free(live.remove(random.nextInt(live.size())));
                }
                if (step % 1000 == 0)
                {
                    final IntegrityReport report = pool.verify();
                    assertTrue(report.isClean(), report::toString);
                }
            }
            for (final long address : live)
            {
                pool.free(address);
            }
            assertEquals(0, pool.stats().guardViolations());
        }
    }
}
