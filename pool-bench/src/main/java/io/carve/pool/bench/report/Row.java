package io.carve.pool.bench.report;

import io.carve.pool.bench.harness.FragmentationResult;

/**
 * One allocator's figures on one workload.
 */
public final class Row
{
    private final String allocator;
    private final String kind;
    private final String settings;
    private final double nsPerEvent;
    private final int failures;
    private final FragmentationResult fragmentation;

    /**
     * A row.
     *
     * @param allocator     the allocator's name.
     * @param kind          {@code "carve"} or {@code "peer"}.
     * @param settings      its settings in words.
     * @param nsPerEvent    median nanoseconds per event (or per allocate+free pair for scaling).
     * @param failures      refused allocations in the timed replays.
     * @param fragmentation the harness's figures, or null when not measured.
     */
    public Row(
        final String allocator,
        final String kind,
        final String settings,
        final double nsPerEvent,
        final int failures,
        final FragmentationResult fragmentation)
    {
        this.allocator = allocator;
        this.kind = kind;
        this.settings = settings;
        this.nsPerEvent = nsPerEvent;
        this.failures = failures;
        this.fragmentation = fragmentation;
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

    /** @return whether this is a Carve variant. */
    public boolean isCarve()
    {
        return "carve".equals(kind);
    }

    /** @return the settings in words. */
    public String settings()
    {
        return settings;
    }

    /** @return median nanoseconds per event. */
    public double nsPerEvent()
    {
        return nsPerEvent;
    }

    /** @return refused allocations. */
    public int failures()
    {
        return failures;
    }

    /** @return the fragmentation figures, or null. */
    public FragmentationResult fragmentation()
    {
        return fragmentation;
    }
}
