package io.carve.pool;

import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.OffHeapDeviceAllocator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random allocate/free sequences against a model of the live segments, with verify() after every step. */
class RandomizedPoolTest
{
    @ParameterizedTest(name = "seed {0}, size-class cache bytes {1}")
    @CsvSource({"1, 0", "2, 0", "3, -1", "4, -1", "5, 33554432"})
    void shouldMatchTheModelAfterEveryStep(final long seed, final long cacheBytes)
    {
        final Random random = new Random(seed);
        final long capacity = 32L << 20;
        final var builder = SegmentPool.builder().policy(FirstFitPolicy.factory()).capacity(capacity).device(OffHeapDeviceAllocator.lazy());
        if (cacheBytes >= 0)
        {
            builder.sizeClassCacheBytes(cacheBytes);
        }
        try (SegmentPool pool = builder.build())
        {
            final TreeMap<Long, Long> model = new TreeMap<>();
            final List<Long> live = new ArrayList<>();
            long peak = 0;
            for (int step = 0; step < 2_000; step++)
            {
                if (live.isEmpty() || random.nextInt(100) < 60)
                {
                    final long len = random.nextInt(3) == 0 ? 1 + random.nextInt(200)
                        : random.nextBoolean() ? 3_110_400 : 1 + random.nextInt(4_000_000);
                    final boolean rt = random.nextBoolean();
                    final long address = rt ? pool.tryAllocate(len, MemoryApi.RT_MALLOC.profile()) : pool.tryAllocate(len);
                    if (address != SegmentPool.NULL_ADDRESS)
                    {
                        assertEquals(0, address % (rt ? 64 : 128));
                        final long m = pool.alignment().segmentSize(len);
                        final Map.Entry<Long, Long> before = model.floorEntry(address);
                        assertTrue(before == null || before.getKey() + pool.alignment().segmentSize(before.getValue()) <= address,
                            "overlaps the segment before");
                        final Map.Entry<Long, Long> after = model.ceilingEntry(address);
                        assertTrue(after == null || address + m <= after.getKey(), "overlaps the segment after");
                        model.put(address, len);
                        live.add(address);
                    }
                }
                else
                {
                    final long address = live.remove(random.nextInt(live.size()));
                    assertEquals(model.get(address), pool.requestedLength(address));
                    pool.free(address);
                    model.remove(address);
                }
                final PoolStats stats = pool.stats();
                long requested = 0;
                long inUse = 0;
                for (final long len : model.values())
                {
                    requested += len;
                    inUse += pool.alignment().segmentSize(len);
                }
                peak = Math.max(peak, inUse + stats.cachedBytes());
                assertEquals(model.size(), stats.liveSegments());
                assertEquals(requested, stats.bytesRequested());
                assertEquals(inUse, stats.bytesInUse());
                assertEquals(peak, stats.peakBytesHeld(), "peak of live plus cached segment bytes");
                assertEquals(capacity - inUse, stats.freeBytes(), "first fit holds exactly the segment bytes");
                assertEquals(capacity - inUse - stats.cachedBytes(), stats.freeBytes() - stats.cachedBytes());
                if (cacheBytes == 0)
                {
                    assertEquals(0, stats.cachedSegments());
                }
                final IntegrityReport report = pool.verify();
                assertTrue(report.isClean(), report::toString);
            }
            for (final long address : live)
            {
                pool.free(address);
            }
            assertTrue(pool.verify().isClean());
            assertEquals(capacity, pool.stats().freeBytes());
        }
    }
}
