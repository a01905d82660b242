package io.carve.pool.bench.harness;

import io.carve.pool.SegmentPool;
import org.agrona.collections.LongArrayList;

/**
 * The extents of a pool at one moment: live segments (offset and segment size, {@code ALIGN_UP(len,32) +
 * tail}) along {@code [0, capacity)}; everything else is free from the pool's view (segments parked in
 * the size-class cache, if on, count as free, and a policy's own rounding beyond the segment size is not
 * shown).
 */
public final class MemoryMap
{
    private final long capacity;
    private final long[] offsets;
    private final long[] lengths;

    /**
     * A map from explicit extents.
     *
     * @param capacity the range's length.
     * @param offsets  live extents' offsets, ascending.
     * @param lengths  their lengths.
     */
    public MemoryMap(final long capacity, final long[] offsets, final long[] lengths)
    {
        if (offsets.length != lengths.length)
        {
            throw new IllegalArgumentException("offsets and lengths differ: offsets=" + offsets.length
                + ", lengths=" + lengths.length);
        }
        this.capacity = capacity;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    /**
     * Captures a pool's live segments.
     *
     * @param pool the pool.
     * @return its map now.
     */
    public static MemoryMap of(final SegmentPool pool)
    {
        final LongArrayList offsets = new LongArrayList();
        final LongArrayList lengths = new LongArrayList();
        final long base = pool.baseAddress();
        pool.forEachLiveSegment((address, len) ->
        {
            offsets.addLong(address - base);
            lengths.addLong(pool.alignment().segmentSize(len));
        });
        return new MemoryMap(pool.capacity(), offsets.toLongArray(), lengths.toLongArray());
    }

    /** @return the range's length. */
    public long capacity()
    {
        return capacity;
    }

    /** @return the number of live extents. */
    public int size()
    {
        return offsets.length;
    }

    /**
     * @param i an extent index.
     * @return its offset.
     */
    public long offset(final int i)
    {
        return offsets[i];
    }

    /**
     * @param i an extent index.
     * @return its length.
     */
    public long length(final int i)
    {
        return lengths[i];
    }

    /** @return bytes in live extents. */
    public long liveBytes()
    {
        long sum = 0;
        for (final long length : lengths)
        {
            sum += length;
        }
        return sum;
    }

    /** @return the largest gap between live extents (or at either end). */
    public long largestFreeExtent()
    {
        long largest = 0;
        long cursor = 0;
        for (int i = 0; i < offsets.length; i++)
        {
            largest = Math.max(largest, offsets[i] - cursor);
            cursor = offsets[i] + lengths[i];
        }
        return Math.max(largest, capacity - cursor);
    }

    /** @return {@code 1 - largest free extent / free bytes} from the pool's view, 0 when nothing is free. */
    public double externalFragmentation()
    {
        final long free = capacity - liveBytes();
        return free == 0 ? 0.0 : 1.0 - (double)largestFreeExtent() / free;
    }
}
