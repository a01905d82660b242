package io.carve.pool.testing;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

import static io.carve.pool.policy.AllocationPolicy.NO_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded differential run of a policy against the reference {@link FirstFitPolicy}: both receive the same
 * stream of allocations and frees over one live-set model, and every step is checked against the model.
 * <p>
 * Each live request of the model is a size, an alignment, and the offset each policy gave it (or none: a
 * request that one policy refused lives on for the other). Placement differs between the policies, so their
 * free space drifts apart; the checks are therefore what must hold for each on its own:
 * <ul>
 *   <li>every step: a placed block is in range, aligned and overlaps no live block of its policy; the
 *       subject's {@link AllocationPolicy#blockSize(long)} holds the request, {@code usedBytes} grew by exactly
 *       it and {@code free} returns it; a refusal changes neither {@code usedBytes} nor {@code liveBlocks};
 *       {@code usedBytes} is the sum of the live block sizes and {@code liveBlocks} the model's count;</li>
 *   <li>every {@code checkEvery} steps (1: every step): {@link PolicyChecks#assertMatches}, which runs
 *       {@code verify()} and cross-checks the walk with every figure and the live blocks with the model;</li>
 *   <li>at the end: everything is freed and the subject's extents equal a new policy's.</li>
 * </ul>
 * Policy-specific promises (how much a block may hold, when a refusal is allowed) are {@link Rules}.
 * <pre>
 * DifferentialRun.Outcome outcome = DifferentialRun.of(TlsfPolicy.builder())
 *     .capacity(64L &lt;&lt; 20).seed(7).steps(3_000).checkEvery(1)
 *     .sizes(random -&gt; AlignmentProfile.UNIFIED.segmentSize(1 + random.nextInt(1 &lt;&lt; 20)))
 *     .alignments(64, 128)
 *     .run();
 * </pre>
 */
public final class DifferentialRun
{
    /** Decides whether the next step allocates or frees. */
    @FunctionalInterface
    public interface Mix
    {
        /**
         * Called only while the model holds a live request (with none, the step allocates).
         *
         * @param random      the run's source.
         * @param live        live requests in the model.
         * @param lastRefused whether either policy refused the previous allocation.
         * @return {@code true} to allocate, {@code false} to free a random live request.
         */
        boolean allocateNext(Random random, int live, boolean lastRefused);
    }

    /** A policy's own promises, checked as the run goes. */
    public interface Rules
    {
        /**
         * After the subject placed a block (the general checks have passed).
         *
         * @param subject   the policy under test.
         * @param size      the size asked for.
         * @param alignment the alignment asked for.
         * @param offset    where it was placed.
         * @param blockSize the block's size, {@code >= size}.
         */
        default void placed(AllocationPolicy subject, long size, long alignment, long offset, long blockSize)
        {
        }

        /**
         * After the subject refused a request.
         *
         * @param subject          the policy under test, unchanged by the refusal.
         * @param size             the size asked for.
         * @param alignment        the alignment asked for.
         * @param largestFreeBefore the subject's {@code largestFreeExtent()} before the call.
         */
        default void refused(AllocationPolicy subject, long size, long alignment, long largestFreeBefore)
        {
        }

        /**
         * After the last step, before everything is freed.
         *
         * @param subject the policy under test.
         * @param outcome what the run saw.
         */
        default void finished(AllocationPolicy subject, Outcome outcome)
        {
        }
    }

    /**
     * What a run saw, so a test can show that it met every case.
     *
     * @param steps       steps run.
     * @param bothPlaced  allocations both policies placed.
     * @param subjectOnly allocations only the subject placed.
     * @param oracleOnly  allocations only first fit placed.
     * @param neither     allocations both refused.
     */
    public record Outcome(int steps, int bothPlaced, int subjectOnly, int oracleOnly, int neither)
    {
        /**
         * The allocations the subject refused.
         *
         * @return {@code oracleOnly + neither}.
         */
        public int subjectRefusals()
        {
            return oracleOnly + neither;
        }

        /**
         * The allocations first fit refused.
         *
         * @return {@code subjectOnly + neither}.
         */
        public int oracleRefusals()
        {
            return subjectOnly + neither;
        }
    }

    private static final Rules NO_RULES = new Rules()
    {
    };

    private final PolicyFactory factory;
    private long capacity = 64L << 20;
    private AlignmentProfile profile = AlignmentProfile.UNIFIED;
    private long seed = 1;
    private int steps = 1_000;
    private int checkEvery = 1;
    private ToLongFunction<Random> sizes = random -> AlignmentProfile.UNIFIED.segmentSize(1 + random.nextInt(1 << 20));
    private long[] alignments = {64, 128};
    private Mix mix = (random, live, lastRefused) -> random.nextInt(100) < 55;
    private Rules rules = NO_RULES;

    private DifferentialRun(final PolicyFactory factory)
    {
        this.factory = factory;
    }

    /**
     * A run of the policies {@code factory} creates, with the defaults: 64 MiB, unified profile, seed 1,
     * 1,000 steps checked in full after every step, sizes {@code segmentSize(1 .. 1 MiB)}, alignments 64 and
     * 128, 55% allocations, no policy-specific rules.
     *
     * @param factory the subject's factory.
     * @return a run to configure.
     */
    public static DifferentialRun of(final PolicyFactory factory)
    {
        return new DifferentialRun(factory);
    }

    /**
     * Sets the bytes both policies manage.
     *
     * @param capacity the bytes both policies manage.
     * @return this run.
     */
    public DifferentialRun capacity(final long capacity)
    {
        this.capacity = capacity;
        return this;
    }

    /**
     * Sets the profile the subject is created with.
     *
     * @param profile the profile the subject is created with.
     * @return this run.
     */
    public DifferentialRun profile(final AlignmentProfile profile)
    {
        this.profile = profile;
        return this;
    }

    /**
     * Sets the seed of every random choice.
     *
     * @param seed the seed of every random choice.
     * @return this run.
     */
    public DifferentialRun seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Sets the number of steps (allocations and frees).
     *
     * @param steps allocations and frees to run.
     * @return this run.
     */
    public DifferentialRun steps(final int steps)
    {
        this.steps = steps;
        return this;
    }

    /**
     * Sets how often the full check runs.
     *
     * @param checkEvery the full check (with {@code verify()}) runs after every this many steps; 1 for every step.
     * @return this run.
     */
    public DifferentialRun checkEvery(final int checkEvery)
    {
        this.checkEvery = checkEvery;
        return this;
    }

    /**
     * Sets how the size of each allocation is drawn.
     *
     * @param sizes draws the size of the next allocation (a segment size, as the pool asks).
     * @return this run.
     */
    public DifferentialRun sizes(final ToLongFunction<Random> sizes)
    {
        this.sizes = sizes;
        return this;
    }

    /**
     * Sets the alignments each allocation draws from.
     *
     * @param alignments the next allocation's alignment is drawn uniformly from these (repeat one to weight it).
     * @return this run.
     */
    public DifferentialRun alignments(final long... alignments)
    {
        this.alignments = alignments.clone();
        return this;
    }

    /**
     * Sets how each step chooses between allocating and freeing.
     *
     * @param mix decides between allocating and freeing.
     * @return this run.
     */
    public DifferentialRun mix(final Mix mix)
    {
        this.mix = mix;
        return this;
    }

    /**
     * Sets the subject's own promises.
     *
     * @param rules the subject's own promises.
     * @return this run.
     */
    public DifferentialRun rules(final Rules rules)
    {
        this.rules = rules;
        return this;
    }

    /**
     * Runs the steps, checking as described in the class documentation; any failed check throws.
     *
     * @return what the run saw.
     */
    public Outcome run()
    {
        final String name = factory.name() + " (seed " + seed + ")";
        final AllocationPolicy subject = factory.create(capacity, profile);
        final List<PolicyChecks.Extent> fresh = PolicyChecks.extents(subject);
        final FirstFitPolicy oracle = new FirstFitPolicy(capacity);
        final TreeMap<Long, Long> subjectLive = new TreeMap<>();
        final TreeMap<Long, Long> oracleLive = new TreeMap<>();
        final Model model = new Model(steps + 1);
        final Random random = new Random(seed);
        long subjectUsed = 0;
        long oracleUsed = 0;
        int bothPlaced = 0;
        int subjectOnly = 0;
        int oracleOnly = 0;
        int neither = 0;
        boolean lastRefused = false;

        for (int step = 0; step < steps; step++)
        {
            final int at = step;
            if (model.count == 0 || mix.allocateNext(random, model.count, lastRefused))
            {
                final long size = sizes.applyAsLong(random);
                final long alignment = alignments[random.nextInt(alignments.length)];

                final long largest = subject.largestFreeExtent();
                final long usedBefore = subject.usedBytes();
                final long liveBefore = subject.liveBlocks();
                final long s = subject.allocate(size, alignment);
                long held = 0;
                if (s == NO_OFFSET)
                {
                    assertEquals(usedBefore, subject.usedBytes(), () -> name + " step " + at + ": a refusal changed usedBytes");
                    assertEquals(liveBefore, subject.liveBlocks(), () -> name + " step " + at + ": a refusal changed liveBlocks");
                    rules.refused(subject, size, alignment, largest);
                }
                else
                {
                    PolicyChecks.assertPlaced(subject, subjectLive, s, size, alignment);
                    held = subject.blockSize(s);
                    final long blockSize = held;
                    assertTrue(held >= size, () -> name + " step " + at + ": a block of " + blockSize + " for size " + size);
                    assertEquals(usedBefore + held, subject.usedBytes(),
                        () -> name + " step " + at + ": usedBytes grew by other than the new block's size");
                    rules.placed(subject, size, alignment, s, held);
                    subjectLive.put(s, size);
                    subjectUsed += held;
                }

                final long o = oracle.allocate(size, alignment);
                if (o != NO_OFFSET)
                {
                    PolicyChecks.assertPlaced(oracle, oracleLive, o, size, alignment);
                    oracleLive.put(o, size);
                    oracleUsed += size;
                }
                lastRefused = s == NO_OFFSET || o == NO_OFFSET;
                if (s != NO_OFFSET && o != NO_OFFSET)
                {
                    bothPlaced++;
                }
                else if (s != NO_OFFSET)
                {
                    subjectOnly++;
                }
                else if (o != NO_OFFSET)
                {
                    oracleOnly++;
                }
                else
                {
                    neither++;
                }
                if (s != NO_OFFSET || o != NO_OFFSET)
                {
                    model.add(size, held, s, o);
                }
            }
            else
            {
                final int i = random.nextInt(model.count);
                final long s = model.subjectOffset[i];
                if (s != NO_OFFSET)
                {
                    final long held = model.held[i];
                    assertEquals(held, subject.free(s), () -> name + " step " + at + ": free returned another size than blockSize");
                    subjectLive.remove(s);
                    subjectUsed -= held;
                }
                final long o = model.oracleOffset[i];
                if (o != NO_OFFSET)
                {
                    assertEquals(model.size[i], oracle.free(o));
                    oracleLive.remove(o);
                    oracleUsed -= model.size[i];
                }
                model.remove(i);
                lastRefused = false;
            }

            assertEquals(subjectLive.size(), subject.liveBlocks(), () -> name + " step " + at + ": liveBlocks");
            assertEquals(subjectUsed, subject.usedBytes(), () -> name + " step " + at + ": usedBytes is not the sum of the block sizes");
            assertTrue(subject.usedBytes() + subject.freeBytes() <= capacity, () -> name + " step " + at + ": used + free > capacity");
            assertEquals(oracleLive.size(), oracle.liveBlocks());
            assertEquals(oracleUsed, oracle.usedBytes());
            if ((step + 1) % checkEvery == 0)
            {
                PolicyChecks.assertMatches(subject, subjectLive);
                PolicyChecks.assertMatches(oracle, oracleLive);
            }
        }

        final Outcome outcome = new Outcome(steps, bothPlaced, subjectOnly, oracleOnly, neither);
        PolicyChecks.assertMatches(subject, subjectLive);
        rules.finished(subject, outcome);
        final Long[] offsets = subjectLive.keySet().toArray(new Long[0]);
        Collections.shuffle(Arrays.asList(offsets), random);
        for (final long offset : offsets)
        {
            subject.free(offset);
        }
        assertEquals(0, subject.usedBytes(), () -> name + ": usedBytes after freeing everything");
        assertEquals(fresh, PolicyChecks.extents(subject), () -> name + ": freeing everything did not restore a new policy");
        PolicyChecks.assertConsistent(subject);
        return outcome;
    }

    /** The live-set model shared by both policies: parallel arrays, removal by swapping with the last. */
    private static final class Model
    {
        final long[] size;
        final long[] held;
        final long[] subjectOffset;
        final long[] oracleOffset;
        int count;

        Model(final int max)
        {
            size = new long[max];
            held = new long[max];
            subjectOffset = new long[max];
            oracleOffset = new long[max];
        }

        void add(final long size, final long held, final long subject, final long oracle)
        {
            this.size[count] = size;
            this.held[count] = held;
            subjectOffset[count] = subject;
            oracleOffset[count] = oracle;
            count++;
        }

        void remove(final int i)
        {
            count--;
            size[i] = size[count];
            held[i] = held[count];
            subjectOffset[i] = subjectOffset[count];
            oracleOffset[i] = oracleOffset[count];
        }
    }
}
