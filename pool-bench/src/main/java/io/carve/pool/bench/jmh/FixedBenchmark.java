package io.carve.pool.bench.jmh;

import io.carve.pool.align.Align;
import io.carve.pool.bench.Allocators;
import io.carve.pool.bench.peer.BenchAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Allocate+free of one buffer, single thread: a 1920x1080 NV12 frame (3,110,400 bytes) and a 64 KiB buffer.
 * A slab pool is configured with the buffer's class. Score: ns per allocate+free pair.
 * <p>
 * One more buffer of the same size stays live for the whole trial, in every allocator, as a decoder
 * always has frames in flight: without it an idle slab policy returns its only slab to the backing
 * policy on every free, which measures slab creation rather than steady state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {BenchFlags.ADD_EXPORTS, BenchFlags.ADD_OPENS, BenchFlags.NETTY_REFLECTION,
    BenchFlags.NETTY_NO_LEAK_DETECTION})
public class FixedBenchmark
{
    /** The allocator: a Carve variant or a peer. */
    @Param({BenchFlags.ALLOCATORS})
    public String allocator;

    /** The buffer's length in bytes. */
    @Param({"3110400", "65536"})
    public long size;

    /** Carve's size-class cache: off measures the policy itself. */
    @Param({"off"})
    public String cache;

    private BenchAllocator subject;

    /** Builds the allocator: a Carve pool of 4 x the size + 64 MiB, pre-touched. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final long capacity = Align.alignUp(4 * size + (64L << 20), 1L << 20);
        subject = Allocators.create(allocator, new long[] {size}, capacity, true, "on".equals(cache), 2);
        if (!subject.allocate(1, size))
        {
            throw new IllegalStateException(allocator + " refused the resident " + size + " bytes");
        }
    }

    /** Closes the allocator. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        subject.free(1);
        subject.close();
    }

    /** One allocate+free pair. */
    @Benchmark
    public void allocateFree()
    {
        if (!subject.allocate(0, size))
        {
            throw new IllegalStateException(allocator + " refused " + size + " bytes");
        }
        subject.free(0);
    }
}
