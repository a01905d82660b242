package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.testing.DifferentialRun;
import io.carve.pool.testing.MediaLengths;
import io.carve.pool.testing.PolicyChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Seeded differential runs of TLSF against the reference first-fit policy ({@link DifferentialRun}), with
 * TLSF's own promises as rules: a block holds at most {@code max(n, M) + M - 1} bytes, and TLSF refuses only
 * requests that no free block can hold, which its own largest free extent bounds cheaply (a request with
 * {@code size + alignment - 1 <= largestFreeExtent()} must succeed) and, in runs checked after every step, a
 * walk of its free extents proves exactly.
 */
class TlsfDifferentialTest
{
    private static final AlignmentProfile UNIFIED = AlignmentProfile.UNIFIED;
    private static final long MIB = 1L << 20;

    /**
     * A segment size as the pool asks for: {@code ALIGN_UP(len,32)+32} with len from 1 byte to tens of MB,
     * weighted towards media buffers.
     */
    private static long segmentSize(final Random random, final long maxLength)
    {
        final int pick = random.nextInt(10);
        final long len;
        if (pick < 3)
        {
            len = 1 + random.nextInt(4096);
        }
        else if (pick < 5)
        {
            len = 1 + (long)(random.nextDouble() * maxLength);
        }
        else
        {
            len = Math.min(maxLength, MediaLengths.randomMediaLength(random));
        }
        return UNIFIED.segmentSize(len);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void shouldAgreeWithFirstFitOnTwoHundredThousandMediaOperations(final long seed)
    {
        run(seed, 200_000, 512 * MIB, 32 * MIB, TlsfPolicy.builder(), new long[] {64, 128}, 20_000);
    }

    @ParameterizedTest(name = "seed {0}, secondLevelCount {1}, minimumBlockSize {2}")
    @CsvSource({"11, 32, 128", "12, 4, 1024", "13, 64, 64", "14, 8, 4096"})
    void shouldAgreeWithFirstFitCheckedAfterEveryStep(final long seed, final int secondLevelCount, final long minimum)
    {
        final TlsfPolicy.Builder builder = TlsfPolicy.builder()
            .secondLevelCount(secondLevelCount)
            .minimumBlockSize(minimum)
            .initialBlocks(8);
        run(seed, 3_000, 24 * MIB, 2 * MIB, builder, new long[] {1, 64, 128, 128, 4096}, 1);
    }

    private static void run(
        final long seed,
        final int steps,
        final long capacity,
        final long maxLength,
        final TlsfPolicy.Builder builder,
        final long[] alignments,
        final int checkEvery)
    {
        final DifferentialRun.Outcome outcome = DifferentialRun.of(builder)
            .capacity(capacity)
            .seed(seed)
            .steps(steps)
            .checkEvery(checkEvery)
            .sizes(random -> segmentSize(random, maxLength))
            .alignments(alignments)
            .rules(new TlsfRules(checkEvery == 1))
            .run();

        assertTrue(outcome.subjectRefusals() > 0 && outcome.oracleRefusals() > 0,
            "the run must reach exhaustion to test anything: " + outcome);
        assertTrue(outcome.neither() > 0, outcome::toString);
        // Good fit keeps fragmentation on par with address-ordered first fit: a regression guard.
        assertTrue(outcome.subjectRefusals() <= outcome.oracleRefusals() * 1.1 + 10, outcome::toString);
    }

    /** TLSF's promises on the size of a block and on when it may refuse. */
    private static final class TlsfRules implements DifferentialRun.Rules
    {
        private final boolean proveEveryRefusal;

        TlsfRules(final boolean proveEveryRefusal)
        {
            this.proveEveryRefusal = proveEveryRefusal;
        }

        @Override
        public void placed(final AllocationPolicy subject, final long size, final long alignment, final long offset,
            final long blockSize)
        {
            final long minimum = ((TlsfPolicy)subject).minimumBlockSize();
            assertTrue(blockSize <= Math.max(size, minimum) + minimum - 1,
                () -> "tlsf gave " + blockSize + " bytes for size=" + size + ", alignment=" + alignment);
            assertEquals(subject.capacity(), subject.usedBytes() + subject.freeBytes());
        }

        @Override
        public void refused(final AllocationPolicy subject, final long size, final long alignment, final long largest)
        {
            assertTrue(size + alignment - 1 > largest, () -> "tlsf refused size=" + size + " at alignment="
                + alignment + " with largestFreeExtent=" + largest);
            if (proveEveryRefusal)
            {
                for (final PolicyChecks.Extent e : PolicyChecks.extents(subject))
                {
                    final long gap = -e.offset() & (alignment - 1);
                    assertFalse(e.state() == BlockState.FREE && e.size() - gap >= size,
                        () -> "tlsf refused size=" + size + " at alignment=" + alignment + " but " + e + " holds it");
                }
            }
        }
    }
}
