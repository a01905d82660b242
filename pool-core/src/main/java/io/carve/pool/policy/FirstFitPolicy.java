package io.carve.pool.policy;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference policy: address-ordered first fit over two sorted maps, written to be obviously correct
 * rather than fast.
 * <p>
 * Free extents are kept coalesced in a {@link TreeMap} from offset to size; live blocks in another. An
 * allocation takes the lowest free extent that holds {@code size} bytes at the requested alignment; the
 * alignment gap in front stays free, as does the remainder behind. Allocation costs O(free extents) and
 * boxes on every call: use it as the oracle of differential tests and for small pools, and a policy from
 * {@code pool-policies} (TLSF) where speed matters.
 */
public final class FirstFitPolicy implements AllocationPolicy
{
    /** The name reported in stats and messages. */
    public static final String NAME = "first-fit";

    private static final PolicyFactory FACTORY = new PolicyFactory()
    {
        @Override
        public String name()
        {
            return NAME;
        }

        @Override
        public AllocationPolicy create(final long capacity, final AlignmentProfile profile)
        {
            return new FirstFitPolicy(capacity);
        }

        @Override
        public String toString()
        {
            return NAME;
        }
    };

    private final long capacity;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final TreeMap<Long, Long> live = new TreeMap<>();
    private final TreeMap<Long, Long> reserved = new TreeMap<>();
    private long usedBytes;
    private long reservedBytes;

    /**
     * Creates a policy over {@code [0, capacity)}.
     *
     * @param capacity the bytes to manage, {@code > 0}.
     * @throws IllegalArgumentException if capacity is not positive.
     */
    public FirstFitPolicy(final long capacity)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity must be positive: capacity=" + capacity);
        }
        this.capacity = capacity;
        free.put(0L, capacity);
    }

    /**
     * The factory to hand to the pool builder.
     *
     * @return a stateless factory.
     */
    public static PolicyFactory factory()
    {
        return FACTORY;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public long capacity()
    {
        return capacity;
    }

    @Override
    public long allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        for (final Map.Entry<Long, Long> e : free.entrySet())
        {
            final long start = e.getKey();
            final long extent = e.getValue();
            final long gap = -start & (alignment - 1);
            if (gap < extent && extent - gap >= size)
            {
                final long end = start + extent;
                final long aligned = start + gap;
                free.remove(start);
                if (aligned > start)
                {
                    free.put(start, aligned - start);
                }
                if (aligned + size < end)
                {
                    free.put(aligned + size, end - aligned - size);
                }
                live.put(aligned, size);
                usedBytes += size;
                return aligned;
            }
        }
        return NO_OFFSET;
    }

    @Override
    public long free(final long offset)
    {
        final Long size = live.get(offset);
        if (size == null)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        live.remove(offset);
        usedBytes -= size;
        put(free, offset, size);
        return size;
    }

    @Override
    public long blockSize(final long offset)
    {
        final Long size = live.get(offset);
        if (size == null)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        return size;
    }

    @Override
    public boolean reserve(final long offset, final long size)
    {
        checkRange(offset, size);
        final Map.Entry<Long, Long> holder = free.floorEntry(offset);
        if (holder == null || holder.getKey() + holder.getValue() < offset + size)
        {
            return false;
        }
        final long start = holder.getKey();
        final long end = start + holder.getValue();
        free.remove(start);
        if (start < offset)
        {
            free.put(start, offset - start);
        }
        if (offset + size < end)
        {
            free.put(offset + size, end - offset - size);
        }
        put(reserved, offset, size);
        reservedBytes += size;
        return true;
    }

    @Override
    public void unreserve(final long offset, final long size)
    {
        checkRange(offset, size);
        final Map.Entry<Long, Long> holder = reserved.floorEntry(offset);
        if (holder == null || holder.getKey() + holder.getValue() < offset + size)
        {
            throw new IllegalArgumentException("not a reserved range: offset=" + offset + ", size=" + size);
        }
        final long start = holder.getKey();
        final long end = start + holder.getValue();
        reserved.remove(start);
        if (start < offset)
        {
            reserved.put(start, offset - start);
        }
        if (offset + size < end)
        {
            reserved.put(offset + size, end - offset - size);
        }
        put(free, offset, size);
        reservedBytes -= size;
    }

    /** Adds an extent to a map of extents, merging it with the extents that touch it. */
    private static void put(final TreeMap<Long, Long> extents, final long offset, final long size)
    {
        long start = offset;
        long end = offset + size;
        final Map.Entry<Long, Long> before = extents.floorEntry(offset);
        if (before != null && before.getKey() + before.getValue() == offset)
        {
            start = before.getKey();
            extents.remove(start);
        }
        final Long after = extents.get(end);
        if (after != null)
        {
            extents.remove(end);
            end += after;
        }
        extents.put(start, end - start);
    }

    private void checkRange(final long offset, final long size)
    {
        if (offset < 0 || size <= 0 || offset > capacity - size)
        {
            throw new IllegalArgumentException("range outside [0, " + capacity + "): offset=" + offset + ", size=" + size);
        }
    }

    @Override
    public long reservedBytes()
    {
        return reservedBytes;
    }

    @Override
    public long usedBytes()
    {
        return usedBytes;
    }

    @Override
    public long freeBytes()
    {
        return capacity - usedBytes - reservedBytes;
    }

    @Override
    public long largestFreeExtent()
    {
        long largest = 0;
        for (final long size : free.values())
        {
            largest = Math.max(largest, size);
        }
        return largest;
    }

    @Override
    public long freeExtentCount()
    {
        return free.size();
    }

    @Override
    public long liveBlocks()
    {
        return live.size();
    }

    @Override
    public void walk(final BlockVisitor visitor)
    {
        long position = 0;
        while (position < capacity)
        {
            final Long freeSize = free.get(position);
            if (freeSize != null)
            {
                visitor.visit(position, freeSize, BlockState.FREE);
                position += freeSize;
                continue;
            }
            final Long reservedSize = reserved.get(position);
            if (reservedSize != null)
            {
                visitor.visit(position, reservedSize, BlockState.RESERVED);
                position += reservedSize;
                continue;
            }
            final Long liveSize = live.get(position);
            if (liveSize == null)
            {
                throw new IllegalStateException("no extent starts at offset=" + position);
            }
            visitor.visit(position, liveSize, BlockState.LIVE);
            position += liveSize;
        }
    }

    @Override
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        final TreeMap<Long, long[]> all = new TreeMap<>();
        free.forEach((o, s) -> all.put(o, new long[] {s, 0}));
        for (final Map.Entry<Long, Long> e : live.entrySet())
        {
            if (all.put(e.getKey(), new long[] {e.getValue(), 1}) != null)
            {
                problems.add("offset is both free and live: offset=" + e.getKey());
            }
        }
        long reservedSum = 0;
        long previousReservedEnd = -1;
        for (final Map.Entry<Long, Long> e : reserved.entrySet())
        {
            if (all.put(e.getKey(), new long[] {e.getValue(), 2}) != null)
            {
                problems.add("offset is both reserved and free or live: offset=" + e.getKey());
            }
            if (e.getKey() == previousReservedEnd)
            {
                problems.add("adjacent reserved extents not merged at offset=" + e.getKey());
            }
            previousReservedEnd = e.getKey() + e.getValue();
            reservedSum += e.getValue();
        }
        if (reservedSum != reservedBytes)
        {
            problems.add("reservedBytes=" + reservedBytes + " but reserved extents sum to " + reservedSum);
        }
        long position = 0;
        long used = 0;
        boolean previousFree = false;
        for (final Map.Entry<Long, long[]> e : all.entrySet())
        {
            final long offset = e.getKey();
            final long size = e.getValue()[0];
            final boolean isFree = e.getValue()[1] == 0;
            final boolean isLive = e.getValue()[1] == 1;
            if (offset != position)
            {
                problems.add("extents do not tile: expected offset=" + position + ", found offset=" + offset);
            }
            if (size <= 0)
            {
                problems.add("extent has no size: offset=" + offset + ", size=" + size);
            }
            if (isFree && previousFree)
            {
                problems.add("adjacent free extents not coalesced at offset=" + offset);
            }
            if (isLive)
            {
                used += size;
            }
            previousFree = isFree;
            position = offset + size;
        }
        if (position != capacity)
        {
            problems.add("extents end at " + position + ", capacity=" + capacity);
        }
        if (used != usedBytes)
        {
            problems.add("usedBytes=" + usedBytes + " but live extents sum to " + used);
        }
        return problems;
    }

    @Override
    public long metadataBytes()
    {
        // A TreeMap entry with two boxed longs is about 40 + 2 * 16 bytes on a 64-bit JVM.
        return (free.size() + live.size() + reserved.size()) * 72L;
    }

    @Override
    public String toString()
    {
        return "FirstFitPolicy{capacity=" + capacity + ", used=" + usedBytes + ", live=" + live.size()
            + ", freeExtents=" + free.size() + '}';
    }
}
