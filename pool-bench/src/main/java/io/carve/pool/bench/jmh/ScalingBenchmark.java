package io.carve.pool.bench.jmh;

import io.carve.pool.align.Align;
import io.carve.pool.bench.Allocators;
import io.carve.pool.bench.harness.Timing;
import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.ScalingWorkload;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of allocate+free as the number of live segments grows: {@code live} segments of 64..2048 bytes are
 * allocated in set-up; each step frees a random one and allocates a new length into its slot. Score: ns per
 * allocate+free pair.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.ADD_OPENS, BenchFlags.NETTY_REFLECTION,
    BenchFlags.NETTY_NO_LEAK_DETECTION})
public class ScalingBenchmark
{
    /** Steps per invocation. */
    public static final int STEPS = 1 << 13;

    /** Live segments. */
    @Param({"10", "1000", "100000"})
    public int live;

    /** The allocator: a Carve variant or a peer. */
    @Param({BenchFlags.ALLOCATORS})
    public String allocator;

    /** The seed. */
    @Param({"42"})
    public long seed;

    private ScalingWorkload workload;
    private BenchAllocator subject;

    /** Fills the allocator with {@code live} segments. */
    @Setup(Level.Trial)
    public void setUp()
    {
        workload = ScalingWorkload.generate(seed, live, STEPS);
        final long capacity = Align.alignUp(3L * live * (ScalingWorkload.MAX_SIZE + 64) + (64L << 20), 1L << 20);
        subject = Allocators.create(allocator, new long[] {1024}, capacity, true, false, live);
        final long[] fill = workload.fillSizes();
        for (int slot = 0; slot < fill.length; slot++)
        {
            if (!subject.allocate(slot, fill[slot]))
            {
                throw new IllegalStateException(allocator + " refused the fill at slot " + slot);
            }
        }
    }

    /** Closes the allocator. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        subject.close();
    }

    /** {@value #STEPS} allocate+free pairs. */
    @Benchmark
    @OperationsPerInvocation(STEPS)
    public void replace()
    {
        Timing.replace(workload, subject);
    }
}
