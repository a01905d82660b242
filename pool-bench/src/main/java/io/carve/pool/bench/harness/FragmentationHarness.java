package io.carve.pool.bench.harness;

import io.carve.pool.bench.peer.BenchAllocator;
import io.carve.pool.bench.peer.CarveAllocator;
import io.carve.pool.bench.workload.Trace;

import java.util.function.LongFunction;

/**
 * Replays a trace once per allocator and computes the fragmentation figures directly (not as JMH
 * counters): occupancy after every event (kept as the maximum per sample window), the ratios at the
 * trace's peak of live bytes, and for Carve the memory map at that peak, the smallest capacity that
 * replays the trace and the heap efficiency at the first failure in a pool of fixed capacity.
 */
public final class FragmentationHarness
{
    /** Capacity search resolution: 1 MiB. */
    public static final long RESOLUTION = 1L << 20;

    private final int samples;

    /**
     * A harness.
     *
     * @param samples the number of points of each occupancy series, {@code >= 1}.
     */
    public FragmentationHarness(final int samples)
    {
        if (samples < 1)
        {
            throw new IllegalArgumentException("samples must be positive: samples=" + samples);
        }
        this.samples = samples;
    }

    /**
     * Replays {@code trace} against {@code allocator} once, measuring after every event.
     *
     * @param trace     the trace.
     * @param allocator the allocator, nothing live.
     * @return the figures (without the capacity search, see {@link #searchMinCapacity}).
     */
    public FragmentationResult measure(final Trace trace, final BenchAllocator allocator)
    {
        final int n = trace.length();
        final int perSample = Math.max(1, (n + samples - 1) / samples);
        final int points = (n + perSample - 1) / perSample;
        final FragmentationResult result = new FragmentationResult(trace.name(), allocator.name(), allocator.kind(),
            allocator.settings(), trace.peakLiveBytes(), points, perSample, allocator.showsOccupancy());
        long live = 0;
        for (int i = 0; i < n; i++)
        {
            final int op = trace.op(i);
            if (op >= 0)
            {
                if (allocator.allocate(op, trace.size(i)))
                {
                    live += trace.size(i);
                }
                else
                {
                    result.failures++;
                }
            }
            else
            {
                allocator.free(~op);
                live -= trace.size(i);
            }
            final long occupancy = allocator.occupancyBytes();
            final int point = i / perSample;
            result.liveSeries[point] = Math.max(result.liveSeries[point], Math.max(live, 0));
            result.occupancySeries[point] = Math.max(result.occupancySeries[point], occupancy);
            result.peakOccupancy = Math.max(result.peakOccupancy, occupancy);
            if (i == trace.peakEvent())
            {
                result.internalWasteAtPeak = allocator.internalWaste();
                result.externalFragmentationAtPeak = allocator.externalFragmentation();
                if (allocator instanceof CarveAllocator)
                {
                    result.mapAtPeak = MemoryMap.of(((CarveAllocator)allocator).pool());
                }
            }
        }
        return result;
    }

    /**
     * Finds the smallest capacity, to {@link #RESOLUTION}, at which a fresh pool replays the trace without
     * a refused allocation.
     *
     * @param trace the trace.
     * @param pools builds a fresh Carve allocator of the given capacity.
     * @return the capacity, or -1 if even 16 times the peak live bytes fails.
     */
    public static long searchMinCapacity(final Trace trace, final LongFunction<BenchAllocator> pools)
    {
        long lo = Math.max(RESOLUTION, trace.peakLiveBytes() / RESOLUTION * RESOLUTION);
        if (replaysAt(trace, pools, lo))
        {
            return lo;
        }
        long hi = lo * 2;
        while (!replaysAt(trace, pools, hi))
        {
            lo = hi;
            hi *= 2;
            if (hi > 16 * Math.max(trace.peakLiveBytes(), RESOLUTION))
            {
                return -1;
            }
        }
        while (hi - lo > RESOLUTION)
        {
            final long mid = (lo + hi) / 2 / RESOLUTION * RESOLUTION;
            if (replaysAt(trace, pools, mid))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * Records the capacity search's answer in a result.
     *
     * @param result      a Carve result.
     * @param minCapacity the capacity from {@link #searchMinCapacity}.
     */
    public static void recordMinCapacity(final FragmentationResult result, final long minCapacity)
    {
        result.minCapacity(minCapacity);
    }

    /**
     * Fills a pool of fixed capacity with the trace (its frees included) until the first refused
     * allocation and records the heap efficiency then: live requested bytes over capacity.
     *
     * @param result   the result to complete.
     * @param trace    the trace.
     * @param capacity the fixed capacity.
     * @param pools    builds a fresh Carve allocator of the given capacity.
     */
    public static void measureHeapEfficiency(
        final FragmentationResult result,
        final Trace trace,
        final long capacity,
        final LongFunction<BenchAllocator> pools)
    {
        try (BenchAllocator pool = pools.apply(capacity))
        {
            final long live = Replayer.liveBytesAtFirstFailure(trace, pool);
            result.fillCapacity = capacity;
            result.heapEfficiency = live < 0 ? Double.NaN : (double)live / capacity;
        }
    }

    private static boolean replaysAt(final Trace trace, final LongFunction<BenchAllocator> pools, final long capacity)
    {
        try (BenchAllocator pool = pools.apply(capacity))
        {
            return Replayer.liveBytesAtFirstFailure(trace, pool) < 0;
        }
        catch (final IllegalArgumentException e)
        {
            // A segment that can never fit in this capacity: as much a failure as a full pool.
            return false;
        }
    }
}
