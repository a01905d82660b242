package io.carve.pool.bench.workload;

import java.util.Arrays;

/**
 * A pre-generated sequence of allocate and free events over numbered slots, replayed as is.
 * <p>
 * Event {@code i} is an allocation of {@code sizes[i]} bytes into slot {@code ops[i]} when
 * {@code ops[i] >= 0}, and a free of slot {@code ~ops[i]} otherwise ({@code sizes[i]} is then the freed
 * length). Every trace is balanced: it starts and ends with nothing live, so it can be replayed any number
 * of times against the same allocator. The figures that do not depend on the allocator (peak live bytes and
 * the event at which they peak) are computed once, here.
 */
public final class Trace
{
    private final String name;
    private final String description;
    private final int[] ops;
    private final long[] sizes;
    private final int slotCount;
    private final long peakLiveBytes;
    private final int peakEvent;
    private final int peakLiveSegments;
    private final long[] distinctSizes;

    Trace(final String name, final String description, final int[] ops, final long[] sizes, final int slotCount)
    {
        this.name = name;
        this.description = description;
        this.ops = ops;
        this.sizes = sizes;
        this.slotCount = slotCount;
        long live = 0;
        long peak = 0;
        int peakAt = -1;
        int liveSegments = 0;
        int peakSegments = 0;
        for (int i = 0; i < ops.length; i++)
        {
            if (ops[i] >= 0)
            {
                live += sizes[i];
                liveSegments++;
            }
            else
            {
                live -= sizes[i];
                liveSegments--;
            }
            if (live > peak)
            {
                peak = live;
                peakAt = i;
            }
            peakSegments = Math.max(peakSegments, liveSegments);
        }
        if (live != 0 || liveSegments != 0)
        {
            throw new IllegalStateException("trace " + name + " is not balanced: live=" + live);
        }
        this.peakLiveBytes = peak;
        this.peakEvent = peakAt;
        this.peakLiveSegments = peakSegments;
        this.distinctSizes = Arrays.stream(sizes).distinct().sorted().toArray();
    }

    /** @return the workload's short name (for example {@code "media"}). */
    public String name()
    {
        return name;
    }

    /** @return a one-line description with the generator's settings. */
    public String description()
    {
        return description;
    }

    /** @return the number of events. */
    public int length()
    {
        return ops.length;
    }

    /**
     * The op of event {@code i}.
     *
     * @param i the event index.
     * @return the slot allocated into ({@code >= 0}) or the complement of the slot freed ({@code < 0}).
     */
    public int op(final int i)
    {
        return ops[i];
    }

    /**
     * The length of event {@code i}.
     *
     * @param i the event index.
     * @return bytes allocated or freed.
     */
    public long size(final int i)
    {
        return sizes[i];
    }

    /**
     * The op codes, shared for hot replay loops: callers must not modify them.
     *
     * @return the array.
     */
    public int[] ops()
    {
        return ops;
    }

    /**
     * The lengths, shared for hot replay loops: callers must not modify them.
     *
     * @return the array.
     */
    public long[] sizes()
    {
        return sizes;
    }

    /** @return the number of slots an allocator needs to replay the trace. */
    public int slotCount()
    {
        return slotCount;
    }

    /** @return the highest sum of live requested lengths. */
    public long peakLiveBytes()
    {
        return peakLiveBytes;
    }

    /** @return the index of the event after which live bytes peak first. */
    public int peakEvent()
    {
        return peakEvent;
    }

    /** @return the most segments live at once. */
    public int peakLiveSegments()
    {
        return peakLiveSegments;
    }

    /** @return the distinct lengths in the trace, ascending (a copy). */
    public long[] distinctSizes()
    {
        return distinctSizes.clone();
    }

    /**
     * The lengths that recur: those of at least {@code minShare} of the allocations, most frequent first,
     * at most {@code max} of them; at least the single most frequent length. A slab policy takes its size
     * classes from these.
     *
     * @param max      the most lengths to return, {@code >= 1}.
     * @param minShare the smallest share of allocations, in {@code [0, 1]}.
     * @return the lengths.
     */
    public long[] frequentSizes(final int max, final double minShare)
    {
        final java.util.Map<Long, Integer> counts = new java.util.HashMap<>();
        int allocations = 0;
        for (int i = 0; i < ops.length; i++)
        {
            if (ops[i] >= 0)
            {
                counts.merge(sizes[i], 1, Integer::sum);
                allocations++;
            }
        }
        final int total = allocations;
        final long[] sorted = counts.entrySet().stream()
            .sorted((a, b) -> a.getValue().equals(b.getValue()) ? Long.compare(a.getKey(), b.getKey())
                : Integer.compare(b.getValue(), a.getValue()))
            .filter(e -> e.getValue() >= minShare * total)
            .limit(Math.max(1, max))
            .mapToLong(java.util.Map.Entry::getKey)
            .toArray();
        if (sorted.length > 0 || counts.isEmpty())
        {
            return sorted;
        }
        return new long[] {counts.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).get().getKey()};
    }

    /** @return the number of allocation events. */
    public int allocations()
    {
        int n = 0;
        for (final int op : ops)
        {
            if (op >= 0)
            {
                n++;
            }
        }
        return n;
    }

    @Override
    public String toString()
    {
        return name + "{events=" + ops.length + ", slots=" + slotCount + ", peakLive=" + peakLiveBytes
            + ", peakSegments=" + peakLiveSegments + '}';
    }
}
