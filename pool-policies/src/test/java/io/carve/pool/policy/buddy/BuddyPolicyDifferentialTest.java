package io.carve.pool.policy.buddy;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyChecks;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static io.carve.pool.policy.AllocationPolicy.NO_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded differential runs of the buddy policy against the reference first-fit policy: both receive the same
 * operations over one live-set model. A request either policy refuses lives on in the model for the policy
 * that served it only; buddy refuses more (power-of-two rounding), but never while a free block of the order
 * it needs exists.
 */
class BuddyPolicyDifferentialTest
{
    private static final AlignmentProfile PROFILE = AlignmentProfile.UNIFIED;
    private static final long MIB = 1L << 20;
    private static final double LOG_MAX_LENGTH = Math.log(32.0 * MIB);

    /** What one run saw, to show that the model met every case. */
    private record Outcome(long steps, long bothPlaced, long buddyOnly, long firstFitOnly, long neither)
    {
    }

    @Test
    void shouldAgreeWithFirstFitOverAMillionSeededOperations()
    {
        final long[] seeds = {1, 2, 3, 4};
        long steps = 0;
        long buddyRefusals = 0;
        long exhaustion = 0;
        for (final long seed : seeds)
        {
            final Outcome outcome = run(seed, 128 * MIB, 250_000, false);
            steps += outcome.steps();
            buddyRefusals += outcome.firstFitOnly();
            exhaustion += outcome.neither();
            assertTrue(outcome.bothPlaced() > outcome.steps() / 4, outcome::toString);
        }
        final Outcome odd = run(5, (128 * MIB) + (3 * MIB) + 4096 + 100, 100_000, false);
        steps += odd.steps();
        assertTrue(steps >= 1_000_000, "steps=" + steps);
        assertTrue(buddyRefusals > 0, "the runs never reached a request only first fit could place");
        assertTrue(exhaustion > 0, "the runs never exhausted both policies");
    }

    @Test
    void shouldMatchTheModelAfterEveryStepOfAShortRun()
    {
        run(11, 64 * MIB, 3_000, true);
        run(12, (64 * MIB) + (5 * MIB) + 384 + 77, 3_000, true);
    }

    private static Outcome run(final long seed, final long capacity, final int steps, final boolean checkEveryStep)
    {
        final BuddyPolicy buddy = BuddyPolicy.builder().create(capacity, PROFILE);
        final FirstFitPolicy firstFit = new FirstFitPolicy(capacity);
        final long usable = capacity - buddy.unusableBytes();
        final long freshLargest = buddy.largestFreeExtent();
        final TreeMap<Long, Long> buddyModel = new TreeMap<>();
        final TreeMap<Long, Long> firstFitModel = new TreeMap<>();
        // Each live request: {segment size, block size, buddy offset, first-fit offset}.
        final List<long[]> live = new ArrayList<>();
        final Random random = new Random(seed);
        long buddyBlockBytes = 0;
        long firstFitBytes = 0;
        long bothPlaced = 0;
        long buddyOnly = 0;
        long firstFitOnly = 0;
        long neither = 0;
        boolean lastFailed = false;

        for (int step = 0; step < steps; step++)
        {
            if (live.isEmpty() || (!lastFailed && random.nextDouble() < 0.6))
            {
                final long length = Math.max(1, (long)Math.exp(random.nextDouble() * LOG_MAX_LENGTH));
                final long size = PROFILE.segmentSize(length);
                final long alignment = random.nextBoolean() ? 64 : 128;
                final long block = Math.max(buddy.minBlockSize(), Long.highestOneBit(size - 1) << 1);
                final long largestBefore = buddy.largestFreeExtent();

                final long buddyOffset = buddy.allocate(size, alignment);
                final long firstFitOffset = firstFit.allocate(size, alignment);
                if (buddyOffset == NO_OFFSET)
                {
                    assertTrue(largestBefore < block, () -> "seed " + seed + ": buddy refused size=" + size
                        + " while a free block of " + largestBefore + " bytes existed");
                }
                else
                {
                    PolicyChecks.assertPlaced(buddy, buddyModel, buddyOffset, block, alignment);
                    buddyModel.put(buddyOffset, block);
                    buddyBlockBytes += block;
                }
                if (firstFitOffset != NO_OFFSET)
                {
                    PolicyChecks.assertPlaced(firstFit, firstFitModel, firstFitOffset, size, alignment);
                    firstFitModel.put(firstFitOffset, size);
                    firstFitBytes += size;
                }
                lastFailed = buddyOffset == NO_OFFSET || firstFitOffset == NO_OFFSET;
                if (buddyOffset == NO_OFFSET && firstFitOffset == NO_OFFSET)
                {
                    neither++;
                }
                else
                {
                    live.add(new long[] {size, block, buddyOffset, firstFitOffset});
                    if (buddyOffset == NO_OFFSET)
                    {
                        firstFitOnly++;
                    }
                    else if (firstFitOffset == NO_OFFSET)
                    {
                        buddyOnly++;
                    }
                    else
                    {
                        bothPlaced++;
                    }
                }
            }
            else
            {
                final int index = random.nextInt(live.size());
                final long[] request = live.get(index);
                live.set(index, live.get(live.size() - 1));
                live.remove(live.size() - 1);
                if (request[2] != NO_OFFSET)
                {
                    assertEquals(request[1], buddy.free(request[2]));
                    buddyModel.remove(request[2]);
                    buddyBlockBytes -= request[1];
                }
                if (request[3] != NO_OFFSET)
                {
                    assertEquals(request[0], firstFit.free(request[3]));
                    firstFitModel.remove(request[3]);
                    firstFitBytes -= request[0];
                }
                lastFailed = false;
            }

            assertEquals(buddyBlockBytes, buddy.usedBytes(), "buddy used bytes");
            assertEquals(usable - buddyBlockBytes, buddy.freeBytes(), "buddy free bytes");
            assertEquals(buddyModel.size(), buddy.liveBlocks(), "buddy live blocks");
            assertEquals(firstFitBytes, firstFit.usedBytes(), "first-fit used bytes");
            assertEquals(firstFitModel.size(), firstFit.liveBlocks(), "first-fit live blocks");
            if (checkEveryStep)
            {
                PolicyChecks.assertMatches(buddy, buddyModel);
                PolicyChecks.assertMatches(firstFit, firstFitModel);
            }
        }

        PolicyChecks.assertMatches(buddy, buddyModel);
        for (final long[] request : live)
        {
            if (request[2] != NO_OFFSET)
            {
                buddy.free(request[2]);
            }
        }
        assertEquals(0, buddy.usedBytes());
        assertEquals(usable, buddy.freeBytes());
        assertEquals(freshLargest, buddy.largestFreeExtent());
        assertEquals(Long.bitCount(usable / buddy.minBlockSize()), buddy.freeExtentCount(), "merged back to the roots");
        PolicyChecks.assertConsistent(buddy);
        return new Outcome(steps, bothPlaced, buddyOnly, firstFitOnly, neither);
    }
}
