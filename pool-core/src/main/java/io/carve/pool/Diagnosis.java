package io.carve.pool;

import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Computes a {@link FailureVerdict} from the policy's extents and the segment table; the pool calls it with
 * its lock and every cache lock held, and nothing here changes anything.
 * <p>
 * The cause, in this order: the segment fits now ({@link FailureVerdict.Cause#FITS}, counting growth a
 * growable pool would make); the device refused to grow; what a drain of the thread caches would give back
 * (free extents merged with the parked segments next to them) holds the segment ({@code PARKED}); fewer
 * bytes are free and parked than the segment needs ({@code CAPACITY}); else {@code FRAGMENTATION}. The
 * merge of parked segments into their neighbours is exact for first fit and TLSF, which coalesce any two
 * neighbours, and an upper bound for buddy, which coalesces only buddies.
 */
final class Diagnosis
{
    private static final int TOP = 5;

    private Diagnosis()
    {
    }

    /**
     * @param failed whether an allocation just failed (its growth refusal, if any, is the space's last);
     *               false for a query, which asks the space what growth could do.
     */
    static FailureVerdict verdict(
        final AllocationPolicy policy,
        final SegmentTable table,
        final long base,
        final Map<Long, Throwable> sites,
        final MappedSpace space,
        final long parkedBytes,
        final long len,
        final long m,
        final long alignment,
        final boolean failed)
    {
        final List<long[]> extents = new ArrayList<>();
        policy.walk((offset, size, state) -> extents.add(new long[] {offset, size, state.ordinal()}));
        final int free = BlockState.FREE.ordinal();
        long freeBytes = 0;
        long largeEnough = 0;
        int largestIndex = -1;
        final List<FailureVerdict.Extent> freeExtents = new ArrayList<>();
        final TreeMap<Integer, Long> histogram = new TreeMap<>();
        // What a drain would make free: runs of free extents and parked segments that touch.
        long drainedLargest = 0;
        long runStart = -1;
        long runEnd = -1;
        for (int i = 0; i < extents.size(); i++)
        {
            final long[] e = extents.get(i);
            final boolean isFree = e[2] == free;
            if (isFree)
            {
                freeBytes += e[1];
                if (e[1] >= m)
                {
                    largeEnough++;
                }
                freeExtents.add(new FailureVerdict.Extent(e[0], e[1]));
                histogram.merge(63 - Long.numberOfLeadingZeros(e[1]), 1L, Long::sum);
                if (largestIndex < 0 || e[1] > extents.get(largestIndex)[1])
                {
                    largestIndex = i;
                }
            }
            final boolean reusable = isFree
                || e[2] == BlockState.LIVE.ordinal() && SegmentRecord.isParked(recordAt(table, e[0]));
            if (reusable)
            {
                if (runStart < 0 || runEnd != e[0])
                {
                    runStart = e[0];
                }
                runEnd = e[0] + e[1];
                drainedLargest = Math.max(drainedLargest, runEnd - (runStart + (-runStart & (alignment - 1))));
            }
            else
            {
                runStart = -1;
            }
        }
        freeExtents.sort(Comparator.comparingLong(FailureVerdict.Extent::size).reversed()
            .thenComparingLong(FailureVerdict.Extent::offset));
        final List<FailureVerdict.Extent> top = freeExtents.subList(0, Math.min(TOP, freeExtents.size()));
        LiveSegment before = null;
        LiveSegment after = null;
        if (largestIndex > 0)
        {
            before = liveAt(table, base, sites, extents.get(largestIndex - 1));
        }
        if (largestIndex >= 0 && largestIndex + 1 < extents.size())
        {
            after = liveAt(table, base, sites, extents.get(largestIndex + 1));
        }
        final long largest = policy.largestAllocatable(alignment);

        FailureVerdict.Cause cause = null;
        String growth = null;
        if (largest >= m)
        {
            cause = FailureVerdict.Cause.FITS;
        }
        else if (space != null)
        {
            if (failed)
            {
                growth = space.refusal();
                if (space.deviceRefused())
                {
                    cause = FailureVerdict.Cause.GROWTH_REFUSED;
                }
            }
            else
            {
                final long wouldMap = space.growthFor(policy, m, alignment);
                if (wouldMap > 0)
                {
                    cause = FailureVerdict.Cause.FITS;
                    growth = "fits once the pool maps " + wouldMap + " more bytes (if the device agrees)";
                }
                else
                {
                    growth = space.noRunFor(m);
                }
            }
        }
        if (cause == null)
        {
            if (drainedLargest >= m && parkedBytes > 0)
            {
                cause = FailureVerdict.Cause.PARKED;
            }
            else if (freeBytes + parkedBytes < m)
            {
                cause = FailureVerdict.Cause.CAPACITY;
            }
            else
            {
                cause = FailureVerdict.Cause.FRAGMENTATION;
            }
        }
        return new FailureVerdict(cause, len, m, alignment, freeBytes, parkedBytes, largest, largeEnough, top,
            histogram, before, after, growth);
    }

    private static long recordAt(final SegmentTable table, final long offset)
    {
        final long[] leaf = table.leaf(offset);
        return leaf == null ? SegmentRecord.EMPTY : SegmentTable.get(leaf, SegmentTable.entry(offset));
    }

    private static LiveSegment liveAt(
        final SegmentTable table, final long base, final Map<Long, Throwable> sites, final long[] extent)
    {
        if (extent[2] != BlockState.LIVE.ordinal())
        {
            return null;
        }
        final long record = recordAt(table, extent[0]);
        if (!SegmentRecord.isLive(record))
        {
            return null;
        }
        return new LiveSegment(base + extent[0], SegmentRecord.length(record), sites == null ? null : sites.get(extent[0]));
    }
}
