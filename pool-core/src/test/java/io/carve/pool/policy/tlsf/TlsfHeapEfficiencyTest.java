package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.testing.MediaLengths;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How much of a pool media buffers can fill before the first refusal.
 */
class TlsfHeapEfficiencyTest
{
    private static final AlignmentProfile UNIFIED = AlignmentProfile.UNIFIED;
    private static final long GIB = 1L << 30;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void shouldFillAGibibyteWithMediaBuffersToAtLeastNinetyFivePercentBeforeTheFirstFailure(final long seed)
    {
        final TlsfPolicy policy = TlsfPolicy.builder().create(GIB, UNIFIED);
        final Random random = new Random(seed);
        long asked = 0;
        int blocks = 0;
        while (policy.allocate(UNIFIED.segmentSize(MediaLengths.randomMediaLength(random)), 128) != AllocationPolicy.NO_OFFSET)
        {
            blocks++;
        }
        final double live = (double)policy.usedBytes() / GIB;
        assertTrue(live >= 0.95, "live fraction " + live + " after " + blocks + " buffers, seed " + seed);
        assertEquals(blocks, policy.liveBlocks());
        PolicyChecks.assertConsistent(policy);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void shouldFillAsWellAsFirstFitUnderChurn(final long seed)
    {
        final double tlsf = meanFillAtFirstFailureUnderChurn(TlsfPolicy.builder().create(GIB, UNIFIED), seed);
        final double firstFit = meanFillAtFirstFailureUnderChurn(new FirstFitPolicy(GIB), seed);
        assertTrue(tlsf >= 0.8 && tlsf >= firstFit - 0.02, "mean live fraction at the first failure: tlsf " + tlsf
            + ", first fit " + firstFit);
    }

    /**
     * Fills the policy until the first refusal, records the live fraction, frees five random buffers, and
     * repeats: the mean live fraction at the first refusal over 1000 rounds.
     */
    private static double meanFillAtFirstFailureUnderChurn(final AllocationPolicy policy, final long seed)
    {
        final Random random = new Random(seed);
        final List<Long> live = new ArrayList<>();
        final int rounds = 1000;
        double sum = 0;
        for (int round = 0; round < rounds; round++)
        {
            long offset;
            while ((offset = policy.allocate(UNIFIED.segmentSize(MediaLengths.randomMediaLength(random)), 128))
                != AllocationPolicy.NO_OFFSET)
            {
                live.add(offset);
            }
            sum += (double)policy.usedBytes() / policy.capacity();
            for (int i = 0; i < 5; i++)
            {
                final int k = random.nextInt(live.size());
                policy.free(live.get(k));
                live.set(k, live.get(live.size() - 1));
                live.remove(live.size() - 1);
            }
        }
        PolicyChecks.assertConsistent(policy);
        return sum / rounds;
    }
}
