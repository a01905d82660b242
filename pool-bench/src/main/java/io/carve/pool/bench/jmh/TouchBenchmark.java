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
 * The media trace ({@value #EVENTS} events) writing one byte per 4 KiB page of every buffer as a decoder
 * would: allocators that hand memory back to the OS pay a page fault per page again. Carve's pool is
 * pre-touched when built. Score: ns per event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.ADD_OPENS, BenchFlags.NETTY_REFLECTION,
    BenchFlags.NETTY_NO_LEAK_DETECTION})
public class TouchBenchmark
{
    /** Events per trace. */
    public static final int EVENTS = 1024;

    /** The allocator: a Carve variant or a peer. */
    @Param({BenchFlags.ALLOCATORS})
    public String allocator;

    /** The trace's seed. */
    @Param({"42"})
    public long seed;

    private Trace trace;
    private BenchAllocator subject;

    /** Generates the trace and builds the allocator. */
    @Setup(Level.Trial)
    public void setUp()
    {
        trace = Workloads.media(seed, EVENTS);
        final long capacity = Align.alignUp(3 * trace.peakLiveBytes() + (64L << 20), 1L << 20);
        subject = Allocators.create(allocator, trace.frequentSizes(8, 0.02), capacity, true, false, trace.slotCount());
    }

    /** Closes the allocator. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        subject.close();
    }

    /**
     * One touching replay of the whole trace.
     *
     * @return the refused allocations.
     */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int replayTouching()
    {
        return Replayer.replay(trace, subject, true);
    }
}
