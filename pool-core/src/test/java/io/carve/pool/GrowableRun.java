package io.carve.pool;

import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.policy.PolicyFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A randomized run of a growable pool on the emulated device: allocations of mixed sizes (frames, JPEG
 * outputs, small buffers, 64- and 128-byte profiles), frees, trims, with {@code verify()} after every step
 * and a model of the live segments (no overlap, lengths kept). The emulated device throws on any touch of a
 * granule that is not mapped, so a segment or guard zone on one fails the run. Shared by the pool tests of
 * every policy (pool-core's test-jar).
 */
public final class GrowableRun
{
    private GrowableRun()
    {
    }

    /**
     * Runs {@code steps} steps.
     *
     * @param policy the policy under test.
     * @param seed   the seed.
     * @param steps  the number of steps.
     */
    public static void run(final PolicyFactory policy, final long seed, final int steps)
    {
        final Random random = new Random(seed);
        final EmulatedDevice device = EmulatedDevice.builder().build();
        final long maximum = 96L << 20;
        try (SegmentPool pool = SegmentPool.builder().name("growable-run").policy(policy).device(device)
            .maximumCapacity(maximum).sizeClassCacheBytes(random.nextBoolean() ? 0 : 8L << 20)
            .leakAction(LeakAction.IGNORE).build())
        {
            final TreeMap<Long, Long> model = new TreeMap<>();
            final List<Long> live = new ArrayList<>();
            long trims = 0;
            long failures = 0;
            for (int step = 0; step < steps; step++)
            {
                final int op = random.nextInt(100);
                if (op < 55)
                {
                    final long len = random.nextInt(4) == 0 ? 3_110_400
                        : random.nextInt(3) == 0 ? 1 + random.nextInt(4096) : 1 + random.nextInt(6 << 20);
                    final boolean runtime = random.nextBoolean();
                    final long address = runtime ? pool.tryAllocate(len, MemoryApi.RT_MALLOC.profile()) : pool.tryAllocate(len);
                    if (address == SegmentPool.NULL_ADDRESS)
                    {
                        failures++;
                        continue;
                    }
                    final long m = pool.alignment().segmentSize(len);
                    final var before = model.floorEntry(address);
                    assertTrue(before == null || before.getKey() + pool.alignment().segmentSize(before.getValue()) <= address,
                        "overlaps the segment before");
                    final var after = model.ceilingEntry(address);
                    assertTrue(after == null || address + m <= after.getKey(), "overlaps the segment after");
                    model.put(address, len);
                    live.add(address);
                }
                else if (op < 92 && !live.isEmpty())
                {
                    final long address = live.remove(random.nextInt(live.size()));
                    assertEquals(model.remove(address), pool.requestedLength(address));
                    pool.free(address);
                }
                else
                {
                    final long mapped = pool.stats().mappedBytes();
                    final long unmapped = pool.trim();
                    assertEquals(mapped - unmapped, pool.stats().mappedBytes());
                    trims += unmapped > 0 ? 1 : 0;
                }
                final PoolStats stats = pool.stats();
                assertTrue(stats.mappedBytes() <= maximum && stats.mappedBytes() >= stats.bytesInUse(), stats::toString);
                assertEquals(model.size(), stats.liveSegments());
                final IntegrityReport report = pool.verify();
                assertTrue(report.isClean(), () -> "step " + report);
            }
            assertTrue(trims > 0, "no trim gave anything back");
            assertTrue(failures > 0 || pool.stats().peakMappedBytes() < maximum);
            live.forEach(pool::free);
            pool.trim();
            assertEquals(0, pool.stats().mappedBytes(), "an empty pool trims to nothing");
            assertTrue(pool.verify().isClean());
        }
        assertEquals(0, device.liveBlocks());
    }
}
