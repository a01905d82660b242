package io.carve.pool.testing;

import io.carve.pool.IntegrityReport;
import io.carve.pool.SegmentPool;
import io.carve.pool.SegmentPoolBuilder;
import io.carve.pool.align.AlignmentProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks {@link SegmentPool#largestAllocatable(AlignmentProfile)} against a brute-force search through a
 * seeded random run on a pool: every few steps, the reported length is allocated (and freed) and every
 * larger length a segment could take is refused: each 32-byte step up to 64 KiB past it, and every power of
 * two up to the capacity. {@code verify()} after every step. Runs on the pool's own thread, so a cached
 * segment the pool drains back counts as it does for a failing allocation.
 * <pre>
 * LargestAllocatableRun.check(SegmentPool.builder().capacity(4L &lt;&lt; 20).policy(BuddyPolicy.builder()), 11);
 * </pre>
 */
public final class LargestAllocatableRun
{
    private LargestAllocatableRun()
    {
    }

    /**
     * Runs 300 steps of small, repeated and media-like lengths on the pool the builder makes.
     *
     * @param builder the pool to check; closed at the end.
     * @param seed    the run's seed.
     */
    public static void check(final SegmentPoolBuilder builder, final long seed)
    {
        final Random random = new Random(seed);
        try (SegmentPool pool = builder.build())
        {
            final AlignmentProfile[] profiles = {pool.alignment(), AlignmentProfile.custom("rt", 64, 32)};
            final List<Long> live = new ArrayList<>();
            final long capacity = pool.capacity();
            final long[] repeated = {992, capacity / 64 - 32, capacity / 16 - 32};
            for (int step = 0; step < 300; step++)
            {
                if (live.isEmpty() || random.nextDouble() < 0.6)
                {
                    final int kind = random.nextInt(4);
                    // Repeated lengths, so that thread caches park segments of them.
                    final long len = kind == 0 ? 1 + random.nextInt(4096)
                        : kind == 1 ? repeated[random.nextInt(repeated.length)]
                        : 1 + (long)(random.nextDouble() * capacity / 24);
                    final long address = pool.tryAllocate(len);
                    if (address != SegmentPool.NULL_ADDRESS)
                    {
                        live.add(address);
                    }
                }
                else
                {
                    pool.free(live.remove(random.nextInt(live.size())));
                }
                if (step % 6 == 0)
                {
                    for (final AlignmentProfile profile : profiles)
                    {
                        assertExact(pool, profile);
                    }
                }
                final IntegrityReport report = pool.verify();
                assertTrue(report.isClean(), report::toString);
            }
            live.forEach(pool::free);
            assertEquals(0, pool.stats().liveSegments());
        }
    }

    private static void assertExact(final SegmentPool pool, final AlignmentProfile profile)
    {
        final long largest = pool.largestAllocatable(profile);
        if (largest > 0)
        {
            final long address = pool.tryAllocate(largest, profile);
            assertNotEquals(SegmentPool.NULL_ADDRESS, address,
                () -> pool + " reported " + largest + " allocatable under " + profile + " but refused it");
            pool.free(address);
        }
        final long ceiling = Math.min(pool.capacity(), profile.maxLength());
        for (long len = largest + 32; len <= Math.min(ceiling, largest + (64 << 10)); len += 32)
        {
            assertRefused(pool, profile, largest, len);
        }
        for (long len = Long.highestOneBit(Math.max(32, largest)) << 1; len <= ceiling; len <<= 1)
        {
            assertRefused(pool, profile, largest, len);
        }
    }

    private static void assertRefused(final SegmentPool pool, final AlignmentProfile profile, final long largest, final long len)
    {
        final long address;
        try
        {
            address = pool.tryAllocate(len, profile);
        }
        catch (final IllegalArgumentException neverFits)
        {
            return;
        }
        if (address != SegmentPool.NULL_ADDRESS)
        {
            pool.free(address);
            throw new AssertionError(pool + " reported " + largest + " allocatable under " + profile + " but carved "
                + len);
        }
    }
}
