package io.carve.pool.policy.buddy;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.testing.DifferentialRun;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded differential runs of the buddy policy against the reference first-fit policy
 * ({@link DifferentialRun}). Buddy's own promises are the rules: a block is the smallest power-of-two
 * multiple of the minimum block that holds the request and starts at a multiple of its size; buddy refuses
 * more than first fit (power-of-two rounding), but never while a free block of the order it needs exists.
 */
class BuddyPolicyDifferentialTest
{
    private static final AlignmentProfile PROFILE = AlignmentProfile.UNIFIED;
    private static final long MIB = 1L << 20;
    private static final double LOG_MAX_LENGTH = Math.log(32.0 * MIB);

    @Test
    void shouldAgreeWithFirstFitOverAMillionSeededOperations()
    {
        long steps = 0;
        long buddyRefusals = 0;
        long exhaustion = 0;
        for (final long seed : new long[] {1, 2, 3, 4})
        {
            final DifferentialRun.Outcome outcome = run(seed, 128 * MIB, 250_000, 50_000);
            steps += outcome.steps();
            buddyRefusals += outcome.oracleOnly();
            exhaustion += outcome.neither();
            assertTrue(outcome.bothPlaced() > outcome.steps() / 4, outcome::toString);
        }
        steps += run(5, (128 * MIB) + (3 * MIB) + 4096 + 100, 100_000, 50_000).steps();
        assertTrue(steps >= 1_000_000, "steps=" + steps);
        assertTrue(buddyRefusals > 0, "the runs never reached a request only first fit could place");
        assertTrue(exhaustion > 0, "the runs never exhausted both policies");
    }

    @Test
    void shouldMatchTheModelAfterEveryStepOfAShortRun()
    {
        run(11, 64 * MIB, 3_000, 1);
        run(12, (64 * MIB) + (5 * MIB) + 384 + 77, 3_000, 1);
    }

    private static DifferentialRun.Outcome run(final long seed, final long capacity, final int steps, final int checkEvery)
    {
        return DifferentialRun.of(BuddyPolicy.builder())
            .capacity(capacity)
            .seed(seed)
            .steps(steps)
            .checkEvery(checkEvery)
            .sizes(random -> PROFILE.segmentSize(Math.max(1, (long)Math.exp(random.nextDouble() * LOG_MAX_LENGTH))))
            .alignments(64, 128)
            .mix((random, live, lastRefused) -> !lastRefused && random.nextDouble() < 0.6)
            .rules(new DifferentialRun.Rules()
            {
                @Override
                public void placed(final AllocationPolicy subject, final long size, final long alignment,
                    final long offset, final long blockSize)
                {
                    assertEquals(block((BuddyPolicy)subject, size), blockSize, () -> "block for size=" + size);
                    assertEquals(0, offset % blockSize, () -> "block of " + blockSize + " at offset=" + offset);
                }

                @Override
                public void refused(final AllocationPolicy subject, final long size, final long alignment,
                    final long largest)
                {
                    assertTrue(largest < block((BuddyPolicy)subject, size), () -> "buddy refused size=" + size
                        + " while a free block of " + largest + " bytes existed");
                }
            })
            .run();
    }

    private static long block(final BuddyPolicy buddy, final long size)
    {
        return Math.max(buddy.minimumBlockSize(), Long.highestOneBit(size - 1) << 1);
    }
}
