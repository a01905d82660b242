package io.carve.pool.bench.harness;

/**
 * What the fragmentation harness measured for one allocator on one trace. Ratios that an allocator does
 * not show are NaN; capacities it does not have are -1.
 */
public final class FragmentationResult
{
    final String workload;
    final String allocator;
    final String kind;
    final String settings;
    final long peakLiveBytes;
    final long[] liveSeries;
    final long[] occupancySeries;
    final int eventsPerSample;
    final boolean showsOccupancy;
    long peakOccupancy;
    int failures;
    double internalWasteAtPeak = Double.NaN;
    double externalFragmentationAtPeak = Double.NaN;
    MemoryMap mapAtPeak;
    long minCapacity = -1;
    long fillCapacity = -1;
    double heapEfficiency = Double.NaN;

    FragmentationResult(
        final String workload,
        final String allocator,
        final String kind,
        final String settings,
        final long peakLiveBytes,
        final int samples,
        final int eventsPerSample,
        final boolean showsOccupancy)
    {
        this.workload = workload;
        this.allocator = allocator;
        this.kind = kind;
        this.settings = settings;
        this.peakLiveBytes = peakLiveBytes;
        this.liveSeries = new long[samples];
        this.occupancySeries = new long[samples];
        this.eventsPerSample = eventsPerSample;
        this.showsOccupancy = showsOccupancy;
    }

    /** @return the workload's name. */
    public String workload()
    {
        return workload;
    }

    /** @return the allocator's name. */
    public String allocator()
    {
        return allocator;
    }

    /** @return {@code "carve"} or {@code "peer"}. */
    public String kind()
    {
        return kind;
    }

    /** @return the allocator's settings in words. */
    public String settings()
    {
        return settings;
    }

    /** @return the trace's peak of live requested bytes. */
    public long peakLiveBytes()
    {
        return peakLiveBytes;
    }

    /** @return live requested bytes over time: the maximum within each sample window (shared). */
    public long[] liveSeries()
    {
        return liveSeries;
    }

    /** @return the allocator's occupancy over time: the maximum within each sample window (shared). */
    public long[] occupancySeries()
    {
        return occupancySeries;
    }

    /** @return events per sample window. */
    public int eventsPerSample()
    {
        return eventsPerSample;
    }

    /** @return whether occupancy is the allocator's own holding (not just the live bytes). */
    public boolean showsOccupancy()
    {
        return showsOccupancy;
    }

    /** @return the highest occupancy seen after any event. */
    public long peakOccupancy()
    {
        return peakOccupancy;
    }

    /** @return allocations refused in the measured replay. */
    public int failures()
    {
        return failures;
    }

    /** @return peak occupancy over peak live bytes, NaN if occupancy is not shown. */
    public double peakOccupancyRatio()
    {
        return showsOccupancy && peakLiveBytes > 0 ? (double)peakOccupancy / peakLiveBytes : Double.NaN;
    }

    /** @return internal waste at the trace's peak (held over requested, minus 1), or NaN. */
    public double internalWasteAtPeak()
    {
        return internalWasteAtPeak;
    }

    /** @return external fragmentation at the trace's peak, or NaN. */
    public double externalFragmentationAtPeak()
    {
        return externalFragmentationAtPeak;
    }

    /** @return the pool's memory map at the trace's peak, or null for peers. */
    public MemoryMap mapAtPeak()
    {
        return mapAtPeak;
    }

    /** @return the smallest capacity that replays the trace without a failure, or -1. */
    public long minCapacity()
    {
        return minCapacity;
    }

    /** @return minimum capacity over peak live bytes, or NaN. */
    public double footprintRatio()
    {
        return minCapacity > 0 ? (double)minCapacity / peakLiveBytes : Double.NaN;
    }

    /** @return the fixed capacity of the fill experiment, or -1. */
    public long fillCapacity()
    {
        return fillCapacity;
    }

    /** @return live requested bytes at the first failure over the fixed capacity, or NaN. */
    public double heapEfficiency()
    {
        return heapEfficiency;
    }

    void minCapacity(final long minCapacity)
    {
        this.minCapacity = minCapacity;
    }
}
