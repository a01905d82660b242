package io.carve.pool.bench.concurrent;

import io.carve.pool.LeakAction;
import io.carve.pool.SegmentPool;
import io.carve.pool.device.OffHeapDeviceAllocator;
import io.carve.pool.policy.FirstFitPolicy;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.tlsf.TlsfPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;

/**
 * Events (one allocate or one free) per microsecond of a pool of 1080p NV12 frames, guards off:
 * <ul>
 *   <li>{@code single}: one thread allocates and frees a frame (2 events per invocation);</li>
 *   <li>{@code same}: two threads, each allocating and freeing its own frames;</li>
 *   <li>{@code cross}: a producer allocates frames that a consumer frees, through an SPSC ring.</li>
 * </ul>
 * {@code cache} switches the size-class cache: {@code off} is the lock-only pool (every call takes the
 * pool lock), {@code on} is the default. The targets: two-thread throughput at least the
 * single-thread throughput, and single-thread cost within 20% of the lock-only pool.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class TwoThreadPoolBenchmark
{
    static final long FRAME = 1920 * 1080 * 3 / 2;

    /** The pool shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class PoolState
    {
        /** The size-class cache: on (default) or off (the lock-only pool). */
        @Param({"on", "off"})
        public String cache;

        /** The placement policy. */
        @Param({"tlsf"})
        public String policy;

        SegmentPool pool;
        final LongSpscRing ring = new LongSpscRing(64);

        /** Builds the pool. */
        @Setup(Level.Trial)
        public void setUp()
        {
            pool = SegmentPool.builder().name("two-threads").capacity(1L << 30)
                .device(OffHeapDeviceAllocator.prefaulting()).policy(policy(policy)).guards(false)
                .leakAction(LeakAction.IGNORE).sizeClassCacheBytes("on".equals(cache) ? 256L << 20 : 0).build();
        }

        /** Frees what is left in the ring and closes the pool. */
        @TearDown(Level.Trial)
        public void tearDown()
        {
            long address;
            while ((address = ring.poll()) != LongSpscRing.EMPTY)
            {
                if (address != FRAME)
                {
                    pool.free(address);
                }
            }
            pool.close();
        }
    }

    static PolicyFactory policy(final String name)
    {
        switch (name)
        {
            case "first-fit":
                return FirstFitPolicy.factory();
            case "tlsf":
                return TlsfPolicy.builder();
            default:
                throw new IllegalArgumentException("unknown policy: policy=" + name);
        }
    }

    /**
     * One thread: allocate and free a frame.
     *
     * @param state the pool.
     * @return the address, so the JIT keeps the work.
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(2)
    public long single(final PoolState state)
    {
        final long address = state.pool.allocate(FRAME);
        state.pool.free(address);
        return address;
    }

    /**
     * Two threads, each allocating and freeing its own frames.
     *
     * @param state the pool.
     * @return the address.
     */
    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(2)
    public long same(final PoolState state)
    {
        final long address = state.pool.allocate(FRAME);
        state.pool.free(address);
        return address;
    }

    /**
     * The producer of the cross-thread pair: allocates a frame and hands it to the consumer.
     *
     * @param state   the pool and ring.
     * @param control JMH's control, so the producer stops when the consumer does.
     */
    @Benchmark
    @Group("cross")
    @GroupThreads(1)
    public void produce(final PoolState state, final Control control)
    {
        final long address = state.pool.allocate(FRAME);
        if (!handOver(state.ring, address, control))
        {
            state.pool.free(address);
        }
    }

    /**
     * The consumer of the cross-thread pair: frees the frame the producer allocated.
     *
     * @param state   the pool and ring.
     * @param control JMH's control, so the consumer stops when the producer does.
     */
    @Benchmark
    @Group("cross")
    @GroupThreads(1)
    public void consume(final PoolState state, final Control control)
    {
        final long address = takeOver(state.ring, control);
        if (address != LongSpscRing.EMPTY)
        {
            state.pool.free(address);
        }
    }

    /**
     * The hand-off alone, as a baseline for {@code cross}: the producer passes a constant through the same
     * ring and the consumer drops it, so the pool is not touched.
     *
     * @param state   the ring.
     * @param control JMH's control.
     */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public void handOff(final PoolState state, final Control control)
    {
        handOver(state.ring, FRAME, control);
    }

    /**
     * The receiving side of the hand-off baseline.
     *
     * @param state   the ring.
     * @param control JMH's control.
     * @return the value received.
     */
    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public long receive(final PoolState state, final Control control)
    {
        return takeOver(state.ring, control);
    }

    /** Spins until {@code value} is in the ring; false if the measurement stopped first. */
    private static boolean handOver(final LongSpscRing ring, final long value, final Control control)
    {
        while (!ring.offer(value))
        {
            if (control.stopMeasurement)
            {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** Spins until the ring yields a value; {@link LongSpscRing#EMPTY} if the measurement stopped first. */
    private static long takeOver(final LongSpscRing ring, final Control control)
    {
        long value;
        while ((value = ring.poll()) == LongSpscRing.EMPTY)
        {
            if (control.stopMeasurement)
            {
                return LongSpscRing.EMPTY;
            }
            Thread.onSpinWait();
        }
        return value;
    }
}
