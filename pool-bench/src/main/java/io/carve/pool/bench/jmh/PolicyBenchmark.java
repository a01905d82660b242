package io.carve.pool.bench.jmh;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.bench.Policies;
import io.carve.pool.bench.workload.ScalingWorkload;
import io.carve.pool.bench.workload.Trace;
import io.carve.pool.bench.workload.Workloads;
import io.carve.pool.policy.AllocationPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The policies alone: {@code policy.allocate(m, 128)} and {@code policy.free(offset)} on a 1 GiB policy, with
 * no pool, guards, records or locks around them. {@code m = ALIGN_UP(len, 32) + 32} (the unified profile),
 * computed before the measured loop.
 * <ul>
 *   <li>{@link #framePair}: allocate+free of one 1920x1080 NV12 frame (3,110,400 bytes), another frame
 *       resident for the whole trial (so an idle slab policy keeps its slab). Score: ns per pair.</li>
 *   <li>{@link #smallBuffers}: {@code live} buffers of 64..2048 bytes live; each step frees a random one and
 *       allocates a new length into its slot ({@link ScalingWorkload}, seed 42). Score: ns per pair. The
 *       "small buffers" figure is {@code live=1000}; 10, 1,000 and 100,000 are the scaling figures.</li>
 *   <li>{@link #mediaTrace}: one replay of the 16,384-event media trace ({@link Workloads#media}, seed 42,
 *       at most 64 buffers live). Score: ns per event (an allocate or a free).</li>
 * </ul>
 * Policies ({@code policy} parameter) come from the benchmarks' registry ({@link Policies}) with the pool's
 * unified profile: {@code tlsf} and {@code buddy} with their defaults; {@code slab} over its default TLSF
 * backing, with the NV12 frame classes (720p, 1080p, 4K) for the buffer workloads, the 1080p class for the
 * frame pair and the trace's recurring lengths for the media trace. The buffer workloads therefore measure
 * slab's routing plus its backing.
 * <pre>
 * java -jar pool-bench/target/carve-bench.jar jmh PolicyBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BenchFlags.ADD_EXPORTS})
public class PolicyBenchmark
{
    /** The capacity of every policy: 1 GiB. */
    public static final long CAPACITY = 1L << 30;

    /** The start alignment the pool's unified profile asks for. */
    public static final long ALIGNMENT = 128;

    /** The 1080p NV12 frame's length. */
    public static final long FRAME_LENGTH = 1920 * 1080 * 3 / 2;

    /** Steps of the buffer workload per invocation. */
    public static final int STEPS = 1 << 13;

    /** Events of the media trace. */
    public static final int EVENTS = 16384;

    private static final AlignmentProfile PROFILE = AlignmentProfile.UNIFIED;
    private static final long[] FRAME_CLASSES = {1280 * 720 * 3 / 2, FRAME_LENGTH, 3840 * 2160 * 3 / 2};

    private static AllocationPolicy create(final String policy, final long[] classLengths)
    {
        return Policies.factory(policy, classLengths).create(CAPACITY, PROFILE);
    }

    private static long allocate(final AllocationPolicy policy, final long size)
    {
        final long offset = policy.allocate(size, ALIGNMENT);
        if (offset == AllocationPolicy.NO_OFFSET)
        {
            throw new IllegalStateException(policy.name() + " refused size=" + size);
        }
        return offset;
    }

    /** One frame allocated and freed, another resident. */
    @State(Scope.Thread)
    public static class Frame
    {
        /** The policy: {@code tlsf}, {@code buddy} or {@code slab}. */
        @Param({"tlsf", "buddy", "slab"})
        public String policy;

        AllocationPolicy subject;
        long size;

        /** Creates the policy and allocates the resident frame. */
        @Setup(Level.Trial)
        public void setUp()
        {
            subject = create(policy, new long[] {FRAME_LENGTH});
            size = PROFILE.segmentSize(FRAME_LENGTH);
            allocate(subject, size);
        }
    }

    /** {@code live} small buffers, replaced one at a time. */
    @State(Scope.Thread)
    public static class Buffers
    {
        /** The policy: {@code tlsf}, {@code buddy} or {@code slab}. */
        @Param({"tlsf", "buddy", "slab"})
        public String policy;

        /** Live buffers. */
        @Param({"10", "1000", "100000"})
        public int live;

        AllocationPolicy subject;
        long[] offsets;
        int[] victims;
        long[] sizes;

        /** Creates the policy and fills it with {@code live} buffers. */
        @Setup(Level.Trial)
        public void setUp()
        {
            final ScalingWorkload workload = ScalingWorkload.generate(42, live, STEPS);
            subject = create(policy, FRAME_CLASSES);
            final long[] fill = workload.fillSizes();
            offsets = new long[live];
            for (int i = 0; i < live; i++)
            {
                offsets[i] = allocate(subject, PROFILE.segmentSize(fill[i]));
            }
            victims = workload.victims().clone();
            final long[] lengths = workload.replacementSizes();
            sizes = new long[lengths.length];
            for (int i = 0; i < lengths.length; i++)
            {
                sizes[i] = PROFILE.segmentSize(lengths[i]);
            }
        }
    }

    /** The media trace, with segment sizes. */
    @State(Scope.Thread)
    public static class Media
    {
        /** The policy: {@code tlsf}, {@code buddy} or {@code slab}. */
        @Param({"tlsf", "buddy", "slab"})
        public String policy;

        AllocationPolicy subject;
        int[] ops;
        long[] sizes;
        long[] offsets;

        /** Generates the trace and creates the policy. */
        @Setup(Level.Trial)
        public void setUp()
        {
            final Trace trace = Workloads.media(42, EVENTS);
            subject = create(policy, trace.frequentSizes(8, 0.02));
            ops = trace.ops();
            final long[] lengths = trace.sizes();
            sizes = new long[lengths.length];
            for (int i = 0; i < lengths.length; i++)
            {
                sizes[i] = PROFILE.segmentSize(lengths[i]);
            }
            offsets = new long[trace.slotCount()];
        }
    }

    /**
     * One allocate+free pair of a 1080p frame.
     *
     * @param state the policy.
     * @return the bytes the block held.
     */
    @Benchmark
    public long framePair(final Frame state)
    {
        final AllocationPolicy policy = state.subject;
        final long offset = policy.allocate(state.size, ALIGNMENT);
        if (offset == AllocationPolicy.NO_OFFSET)
        {
            throw new IllegalStateException(policy.name() + " refused a frame");
        }
        return policy.free(offset);
    }

    /**
     * {@value #STEPS} free+allocate pairs with {@code live} buffers live.
     *
     * @param state the policy and its buffers.
     * @return a checksum of the offsets.
     */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public long smallBuffers(final Buffers state)
    {
        final AllocationPolicy policy = state.subject;
        final long[] offsets = state.offsets;
        final int[] victims = state.victims;
        final long[] sizes = state.sizes;
        long checksum = 0;
        for (int i = 0; i < STEPS; i++)
        {
            final int victim = victims[i];
            policy.free(offsets[victim]);
            final long offset = policy.allocate(sizes[i], ALIGNMENT);
            if (offset == AllocationPolicy.NO_OFFSET)
            {
                throw new IllegalStateException(policy.name() + " refused size=" + sizes[i]);
            }
            offsets[victim] = offset;
            checksum += offset;
        }
        return checksum;
    }

    /**
     * One replay of the media trace.
     *
     * @param state the policy and the trace.
     * @return a checksum of the offsets.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long mediaTrace(final Media state)
    {
        final AllocationPolicy policy = state.subject;
        final int[] ops = state.ops;
        final long[] sizes = state.sizes;
        final long[] offsets = state.offsets;
        long checksum = 0;
        for (int i = 0; i < ops.length; i++)
        {
            final int op = ops[i];
            if (op < 0)
            {
                checksum += policy.free(offsets[~op]);
            }
            else
            {
                final long offset = policy.allocate(sizes[i], ALIGNMENT);
                if (offset == AllocationPolicy.NO_OFFSET)
                {
                    throw new IllegalStateException(policy.name() + " refused size=" + sizes[i]);
                }
                offsets[op] = offset;
            }
        }
        return checksum;
    }
}
