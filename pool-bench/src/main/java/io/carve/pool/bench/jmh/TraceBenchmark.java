package io.carve.pool.bench.jmh;

import io.carve.pool.align.Align;
import io.carve.pool.bench.Allocators;
import io.carve.pool.bench.harness.Replayer;
import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.Trace;
import io.carve.pool.bench.workload.Workloads;
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
 * Replays a pre-generated trace of {@value #EVENTS} events (the media pipeline, or RMM-style random
 * allocations), single thread. Score: ns per event (an allocate or a free).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.ADD_OPENS, BenchFlags.NETTY_REFLECTION,
    BenchFlags.NETTY_NO_LEAK_DETECTION})
public class TraceBenchmark
{
    /** Events per trace (one invocation replays the whole trace). */
    public static final int EVENTS = 16384;

    /** The workload: {@code media} or {@code random}. */
    @Param({"media", "random"})
    public String workload;

    /** The allocator: a Carve variant or a peer. */
    @Param({BenchFlags.ALLOCATORS})
    public String allocator;

    /** The traces' seed. */
    @Param({"42"})
    public long seed;

    /** Carve's size-class cache: off measures the policy itself. */
    @Param({"off"})
    public String cache;

    private Trace trace;
    private BenchAllocator subject;

    /** Generates the trace and builds the allocator (a Carve pool of 3 x peak live + 64 MiB, pre-touched). */
    @Setup(Level.Trial)
    public void setUp()
    {
        trace = Workloads.MEDIA.equals(workload) ? Workloads.media(seed, EVENTS)
            : Workloads.random(seed, EVENTS, Workloads.RANDOM_MAX_SIZE, Workloads.RANDOM_BUDGET);
        final long capacity = Align.alignUp(3 * trace.peakLiveBytes() + (64L << 20), 1L << 20);
        subject = Allocators.create(allocator, trace.frequentSizes(8, 0.02), capacity, true, "on".equals(cache),
            trace.slotCount());
    }

    /** Closes the allocator. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        subject.close();
    }

    /**
     * One replay of the whole trace.
     *
     * @return the refused allocations (0 unless the pool is too small).
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int replay()
    {
        return Replayer.replay(trace, subject, false);
    }
}
