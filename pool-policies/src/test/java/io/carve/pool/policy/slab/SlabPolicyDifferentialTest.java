package io.carve.pool.policy.slab;

import io.carve.pool.align.Align;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.testing.DifferentialRun;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static io.carve.pool.policy.slab.SlabTesting.MIB;
import static io.carve.pool.policy.slab.SlabTesting.NV12_1080P;
import static io.carve.pool.policy.slab.SlabTesting.NV12_720P;
import static io.carve.pool.policy.slab.SlabTesting.PROFILE;
import static io.carve.pool.policy.slab.SlabTesting.metric;
import static io.carve.pool.testing.PolicyChecks.assertMatches;
import static io.carve.pool.testing.PolicyChecks.assertPlaced;
import static io.carve.pool.testing.PolicyChecks.extents;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The slab policy against the reference first-fit policy: the same seeded operations (class-sized and
 * random sizes mixed) applied to both over one live-set model. Both must serve the same live set; the
 * slab policy must hold exactly what its documented routing rule says (an object for a class request, the
 * size itself for any other), and both must come back to their new state.
 */
class SlabPolicyDifferentialTest
{
    private static final long[] CLASS_LENGTHS = {4096, 65_536, NV12_720P, NV12_1080P};

    @Test
    void shouldAgreeWithFirstFitCheckingEverythingAfterEveryStep()
    {
        run(1L << 30, 1_500, 17, 1);
    }

    @Test
    void shouldAgreeWithFirstFitOverALongRunWithCheapChecks()
    {
        run(1L << 30, 30_000, 23, 3_000);
    }

    @Test
    void shouldStayConsistentNearExhaustion()
    {
        final long capacity = 96 * MIB;
        final SlabPolicy slab = newPolicy(capacity);
        final TreeMap<Long, Long> model = new TreeMap<>();
        final List<Long> live = new ArrayList<>();
        final Random random = new Random(31);
        int failures = 0;
        for (int step = 0; step < 2_000; step++)
        {
            if (live.isEmpty() || random.nextDouble() < 0.65)
            {
                final long size = randomSize(random);
                final long offset = slab.allocate(size, 128);
                if (offset == AllocationPolicy.NO_OFFSET)
                {
                    failures++;
                    assertTrue(size > slab.backing().largestFreeExtent() - 127 || slab.classOf(size) >= 0,
                        "an unmatched request failed with room in the backing: size=" + size);
                    continue;
                }
                assertPlaced(slab, model, offset, size, 128);
                model.put(offset, size);
                live.add(offset);
            }
            else
            {
                final long offset = live.remove(random.nextInt(live.size()));
                final long size = model.remove(offset);
                final long usedBefore = slab.usedBytes();
                final long held = slab.free(offset);
                assertEquals(usedBefore - held, slab.usedBytes());
                assertTrue(held == expectedHeld(size, 128) || held == size, "held " + held + " for size " + size);
            }
            assertMatches(slab, model);
        }
        assertTrue(failures > 10, "the run never reached exhaustion: failures=" + failures);
        for (final long offset : live)
        {
            slab.free(offset);
        }
        assertEquals(capacity, slab.freeBytes());
        assertEquals(1, extents(slab).size());
    }

    private static void run(final long capacity, final int steps, final long seed, final int checkEvery)
    {
        final DifferentialRun.Outcome outcome = DifferentialRun.of(SlabPolicy.builder().sizeClasses(CLASS_LENGTHS)
                .backing(FirstFitPolicy.factory()))
            .capacity(capacity)
            .seed(seed)
            .steps(steps)
            .checkEvery(checkEvery)
            .sizes(SlabPolicyDifferentialTest::randomSize)
            .alignments(64, 128, 128, 128, 128, 128, 128, 128)
            .mix((random, live, lastRefused) -> random.nextDouble() < (live < 40 ? 0.75 : live > 160 ? 0.3 : 0.55))
            .rules(new DifferentialRun.Rules()
            {
                @Override
                public void placed(final AllocationPolicy subject, final long size, final long alignment,
                    final long offset, final long blockSize)
                {
                    assertEquals(expectedHeld(size, alignment), blockSize, () -> "slab block for size=" + size);
                }

                @Override
                public void refused(final AllocationPolicy subject, final long size, final long alignment,
                    final long largest)
                {
                    fail("slab refused size=" + size + " with room to spare");
                }

                @Override
                public void finished(final AllocationPolicy subject, final DifferentialRun.Outcome outcome)
                {
                    assertEquals(0, metric(subject, "slab.fallback.total"), "a class request missed its slab");
                    assertTrue(metric(subject, "slab.live.objects") > 0 && metric(subject, "slab.backing.bytes") > 0,
                        "the run exercised both slabs and the backing");
                }
            })
            .run();
        assertEquals(0, outcome.oracleRefusals(), () -> "first fit refused a request: " + outcome);
    }

    private static SlabPolicy newPolicy(final long capacity)
    {
        return SlabTesting.create(SlabPolicy.builder().sizeClasses(CLASS_LENGTHS).backing(FirstFitPolicy.factory()), capacity);
    }

    /** Half class lengths (some a little short of one), half random lengths. */
    private static long randomSize(final Random random)
    {
        final long len;
        if (random.nextBoolean())
        {
            final long classLength = CLASS_LENGTHS[random.nextInt(CLASS_LENGTHS.length)];
            len = random.nextBoolean() ? classLength : classLength - random.nextInt((int)(classLength / 24));
        }
        else
        {
            len = random.nextInt(4) == 0 ? 1 + random.nextInt(8192) : 1 + random.nextInt(2 << 20);
        }
        return PROFILE.segmentSize(len);
    }

    /** The documented rule, re-derived: the smallest class holding m, if m fills at least 15/16 of it. */
    private static long expectedHeld(final long m, final long alignment)
    {
        if (alignment > PROFILE.startAlignment())
        {
            return m;
        }
        long best = Long.MAX_VALUE;
        long bestMin = 0;
        for (final long len : CLASS_LENGTHS)
        {
            final long segment = PROFILE.segmentSize(len);
            final long object = Align.alignUp(segment, PROFILE.startAlignment());
            if (object >= m && object < best)
            {
                best = object;
                bestMin = Math.min(segment, (long)Math.ceil(object * SlabPolicy.DEFAULT_MIN_FILL));
            }
        }
        return best != Long.MAX_VALUE && m >= bestMin ? best : m;
    }
}
