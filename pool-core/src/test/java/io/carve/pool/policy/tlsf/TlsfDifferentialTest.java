package io.carve.pool.policy.tlsf;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyChecks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static io.carve.pool.policy.PolicyChecks.assertMatches;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded differential runs of TLSF against the reference first-fit policy.
 * <p>
 * Both policies receive the same stream of operations over one live-set model: each model entry is a
 * request (size, alignment) and the offset each policy gave it, or none if that policy refused. A free of an
 * entry goes to each policy that holds it. Placement differs between the policies, so their free space
 * drifts apart; the checks are therefore what must hold for each on its own (range, alignment, no overlap,
 * exact accounting, figures) plus TLSF's promise that it refuses only requests no free block can hold,
 * which its own largest free extent bounds cheaply: a request with {@code size + alignment - 1 <=
 * largestFreeExtent()} must succeed.
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
            len = Math.min(maxLength, MediaSizes.randomMediaLength(random));
        }
        return UNIFIED.segmentSize(len);
    }

    /** The live-set model shared by both policies: parallel arrays, removal by swapping with the last. */
    private static final class LiveSet
    {
        final long[] size;
        final long[] alignment;
        final long[] tlsfOffset;
        final long[] firstFitOffset;
        int count;

        LiveSet(final int max)
        {
            size = new long[max];
            alignment = new long[max];
            tlsfOffset = new long[max];
            firstFitOffset = new long[max];
        }

        void add(final long size, final long alignment, final long tlsf, final long firstFit)
        {
            this.size[count] = size;
            this.alignment[count] = alignment;
            tlsfOffset[count] = tlsf;
            firstFitOffset[count] = firstFit;
            count++;
        }

        void remove(final int i)
        {
            count--;
            size[i] = size[count];
            alignment[i] = alignment[count];
            tlsfOffset[i] = tlsfOffset[count];
            firstFitOffset[i] = firstFitOffset[count];
        }
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
        final int fullCheckEvery)
    {
        final Random random = new Random(seed);
        final TlsfPolicy tlsf = builder.create(capacity, UNIFIED);
        final FirstFitPolicy firstFit = new FirstFitPolicy(capacity);
        final TreeMap<Long, Long> tlsfLive = new TreeMap<>();
        final TreeMap<Long, Long> firstFitLive = new TreeMap<>();
        final LiveSet model = new LiveSet(steps + 1);
        final long minimum = tlsf.minimumBlockSize();
        final boolean everyStep = fullCheckEvery == 1;
        long firstFitUsed = 0;
        int tlsfRefusals = 0;
        int firstFitRefusals = 0;
        int bothRefused = 0;

        for (int step = 0; step < steps; step++)
        {
            if (model.count == 0 || random.nextInt(100) < 55)
            {
                final long size = segmentSize(random, maxLength);
                final long alignment = alignments[random.nextInt(alignments.length)];

                final long largest = tlsf.largestFreeExtent();
                final long usedBefore = tlsf.usedBytes();
                final long freeExtentsBefore = tlsf.freeExtentCount();
                final long t = tlsf.allocate(size, alignment);
                if (t == AllocationPolicy.NO_OFFSET)
                {
                    tlsfRefusals++;
                    assertTrue(size + alignment - 1 > largest, () -> "tlsf refused size=" + size + " at alignment="
                        + alignment + " with largestFreeExtent=" + largest + ", seed=" + seed);
                    assertEquals(usedBefore, tlsf.usedBytes());
                    assertEquals(freeExtentsBefore, tlsf.freeExtentCount());
                    if (everyStep)
                    {
                        assertNoFreeExtentHolds(tlsf, size, alignment);
                    }
                }
                else
                {
                    checkPlaced(tlsf, tlsfLive, t, size, alignment);
                    final long taken = tlsf.usedBytes() - usedBefore;
                    assertTrue(taken >= size && taken <= Math.max(size, minimum) + minimum - 1 + alignment - 1,
                        () -> "tlsf took " + taken + " bytes for size=" + size + ", alignment=" + alignment);
                    tlsfLive.put(t, size);
                }

                final long f = firstFit.allocate(size, alignment);
                if (f == AllocationPolicy.NO_OFFSET)
                {
                    firstFitRefusals++;
                    bothRefused += t == AllocationPolicy.NO_OFFSET ? 1 : 0;
                }
                else
                {
                    checkPlaced(firstFit, firstFitLive, f, size, alignment);
                    firstFitUsed += size;
                    firstFitLive.put(f, size);
                }
                if (t != AllocationPolicy.NO_OFFSET || f != AllocationPolicy.NO_OFFSET)
                {
                    model.add(size, alignment, t, f);
                }
            }
            else
            {
                final int i = random.nextInt(model.count);
                final long size = model.size[i];
                final long t = model.tlsfOffset[i];
                if (t != AllocationPolicy.NO_OFFSET)
                {
                    final long usedBefore = tlsf.usedBytes();
                    final long held = tlsf.free(t);
                    assertTrue(held >= size, () -> "tlsf block held " + held + " < size " + size);
                    assertEquals(usedBefore - held, tlsf.usedBytes());
                    tlsfLive.remove(t);
                }
                final long f = model.firstFitOffset[i];
                if (f != AllocationPolicy.NO_OFFSET)
                {
                    assertEquals(size, firstFit.free(f));
                    firstFitUsed -= size;
                    firstFitLive.remove(f);
                }
                model.remove(i);
            }

            assertEquals(tlsfLive.size(), tlsf.liveBlocks());
            assertEquals(capacity, tlsf.usedBytes() + tlsf.freeBytes());
            assertEquals(firstFitLive.size(), firstFit.liveBlocks());
            assertEquals(firstFitUsed, firstFit.usedBytes());
            if ((step + 1) % fullCheckEvery == 0)
            {
                assertMatches(tlsf, tlsfLive);
                assertMatches(firstFit, firstFitLive);
            }
        }

        assertTrue(tlsfRefusals > 0 && firstFitRefusals > 0, "the run must reach exhaustion to test anything: tlsf "
            + tlsfRefusals + ", first fit " + firstFitRefusals);
        assertTrue(bothRefused > 0);
        // Good fit keeps fragmentation on par with address-ordered first fit: a regression guard.
        assertTrue(tlsfRefusals <= firstFitRefusals * 1.1 + 10,
            "tlsf refused " + tlsfRefusals + " requests, first fit " + firstFitRefusals);

        for (final long offset : tlsfLive.keySet())
        {
            tlsf.free(offset);
        }
        for (final long offset : firstFitLive.keySet())
        {
            firstFit.free(offset);
        }
        assertEquals(java.util.List.of(new PolicyChecks.Extent(0, capacity, BlockState.FREE)), PolicyChecks.extents(tlsf));
        assertEquals(PolicyChecks.extents(firstFit), PolicyChecks.extents(tlsf));
        assertTrue(tlsf.verify().isEmpty());
    }

    /**
     * A placed block is in range, aligned and overlaps no live block of its policy: O(log n) a step.
     */
    private static void checkPlaced(
        final AllocationPolicy policy,
        final TreeMap<Long, Long> live,
        final long offset,
        final long size,
        final long alignment)
    {
        if (offset < 0 || offset > policy.capacity() - size || (offset & (alignment - 1)) != 0)
        {
            fail(policy.name() + " misplaced offset=" + offset + ", size=" + size + ", alignment=" + alignment);
        }
        final Map.Entry<Long, Long> before = live.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() > offset)
        {
            fail(policy.name() + " block at " + offset + " overlaps " + before);
        }
        final Long after = live.ceilingKey(offset);
        if (after != null && offset + size > after)
        {
            fail(policy.name() + " block at " + offset + "+" + size + " overlaps the block at " + after);
        }
    }

    /**
     * TLSF's completeness: after a refusal, no free extent holds the request at its alignment.
     */
    private static void assertNoFreeExtentHolds(final TlsfPolicy tlsf, final long size, final long alignment)
    {
        for (final PolicyChecks.Extent e : PolicyChecks.extents(tlsf))
        {
            final long gap = -e.offset() & (alignment - 1);
            assertFalse(e.state() == BlockState.FREE && e.size() - gap >= size,
                () -> "tlsf refused size=" + size + " at alignment=" + alignment + " but " + e + " holds it");
        }
    }
}
