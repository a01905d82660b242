package io.carve.pool.bench.harness;

import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.workload.ScalingWorkload;
import io.carve.pool.bench.workload.Trace;

import java.util.Arrays;

/**
 * The main job's plain timing: warm-up replays, then timed replays, reporting the median nanoseconds per
 * event. JMH (see {@code io.carve.pool.bench.jmh}) is the rigorous measurement; this gives the side-by-side
 * table of one run.
 */
public final class Timing
{
    private Timing()
    {
    }

    /**
     * Times a trace.
     *
     * @param trace     the trace.
     * @param allocator the allocator.
     * @param touching  whether each buffer's pages are written after allocation.
     * @param warmupNs  untimed replays first, at least two and until this many nanoseconds have passed.
     * @param repeats   timed replays, {@code >= 1}.
     * @param failures  receives the refused allocations of the last replay at index 0.
     * @return median nanoseconds per event.
     */
    public static double nsPerEvent(
        final Trace trace,
        final BenchAllocator allocator,
        final boolean touching,
        final long warmupNs,
        final int repeats,
        final int[] failures)
    {
        final long warmupStart = System.nanoTime();
        for (int i = 0; i < 2 || System.nanoTime() - warmupStart < warmupNs; i++)
        {
            Replayer.replay(trace, allocator, touching);
        }
        final double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            final long start = System.nanoTime();
            failures[0] = Replayer.replay(trace, allocator, touching);
            times[i] = (double)(System.nanoTime() - start) / trace.length();
        }
        return median(times);
    }

    /**
     * Times the scaling workload: fill, then replace segments one at a time.
     *
     * @param workload  the set-up.
     * @param allocator the allocator, with {@code workload.live()} slots.
     * @param warmupNs  untimed passes over the steps, at least two and until this many nanoseconds have passed.
     * @param repeats   timed passes, {@code >= 1}.
     * @return median nanoseconds per allocate+free pair.
     */
    public static double nsPerPair(
        final ScalingWorkload workload,
        final BenchAllocator allocator,
        final long warmupNs,
        final int repeats)
    {
        final long[] fill = workload.fillSizes();
        for (int slot = 0; slot < fill.length; slot++)
        {
            if (!allocator.allocate(slot, fill[slot]))
            {
                throw new IllegalStateException(allocator.name() + " refused the scaling fill at slot " + slot);
            }
        }
        final long warmupStart = System.nanoTime();
        for (int i = 0; i < 2 || System.nanoTime() - warmupStart < warmupNs; i++)
        {
            replace(workload, allocator);
        }
        final double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            final long start = System.nanoTime();
            replace(workload, allocator);
            times[i] = (double)(System.nanoTime() - start) / workload.victims().length;
        }
        return median(times);
    }

    /**
     * One pass over the scaling steps: free the victim's slot, allocate the new length into it.
     *
     * @param workload  the set-up.
     * @param allocator the filled allocator.
     */
    public static void replace(final ScalingWorkload workload, final BenchAllocator allocator)
    {
        final int[] victims = workload.victims();
        final long[] sizes = workload.replacementSizes();
        for (int i = 0; i < victims.length; i++)
        {
            allocator.free(victims[i]);
            if (!allocator.allocate(victims[i], sizes[i]))
            {
                throw new IllegalStateException(allocator.name() + " refused a scaling step");
            }
        }
    }

    static double median(final double[] values)
    {
        final double[] sorted = values.clone();
        Arrays.sort(sorted);
        final int n = sorted.length;
        return (n & 1) == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
