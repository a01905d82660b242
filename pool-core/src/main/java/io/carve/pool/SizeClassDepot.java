package io.carve.pool;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Freed segments kept for reuse, one lock-free ring per segment size: the pool's fast path.
 * <p>
 * A free whose segment size has a class (or can claim an empty class slot) parks the segment's offset in
 * that class's ring instead of taking the pool lock to return it to the policy; an allocation of the same
 * segment size takes it back without the lock. Segments stay allocated in the policy while parked, so the
 * policy is touched only under the lock. Parked segments are bounded in bytes, and anything that needs
 * the memory ({@link CarvedSegmentPool}'s slow path on failure, a waiting allocation, verify, close)
 * drains the rings back into the policy, so the depot can never hoard memory another thread waits for.
 * <p>
 * Classes are claimed by CAS on an empty slot and never change size afterwards, so a ring only ever
 * holds segments of its class's size. Thread-safe; allocates nothing per operation.
 */
final class SizeClassDepot
{
    static final int MAX_CLASSES = 16;
    static final int SEGMENTS_PER_CLASS = 64;

    /** Receives drained segments. */
    @FunctionalInterface
    interface Drain
    {
        void segment(long offset, long segmentSize);
    }

    private final AtomicLongArray classSizes = new AtomicLongArray(MAX_CLASSES);
    private final LongRing[] rings = new LongRing[MAX_CLASSES];
    private final long maxBytes;

    SizeClassDepot(final long maxBytes)
    {
        this.maxBytes = maxBytes;
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            rings[i] = new LongRing(SEGMENTS_PER_CLASS);
        }
    }

    /** A parked segment of exactly {@code segmentSize} bytes, or {@link LongRing#EMPTY}. */
    long poll(final long segmentSize)
    {
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            final long size = classSizes.get(i);
            if (size == segmentSize)
            {
                return rings[i].poll();
            }
            if (size == 0)
            {
                break;
            }
        }
        return LongRing.EMPTY;
    }

    /** Parks a segment; false when it has no class, its ring is full or the byte bound would be passed. */
    boolean offer(final long segmentSize, final long offset)
    {
        if (segmentSize > maxBytes - cachedBytes())
        {
            return false;
        }
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            final long size = classSizes.get(i);
            if (size == segmentSize || (size == 0 && claim(i, segmentSize)))
            {
                return rings[i].offer(offset);
            }
        }
        return false;
    }

    private boolean claim(final int slot, final long segmentSize)
    {
        return classSizes.compareAndSet(slot, 0, segmentSize) || classSizes.get(slot) == segmentSize;
    }

    /** Empties every ring into {@code drain}; returns the segments drained. */
    long drain(final Drain drain)
    {
        long drained = 0;
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            final long size = classSizes.get(i);
            if (size == 0)
            {
                break;
            }
            long offset;
            while ((offset = rings[i].poll()) != LongRing.EMPTY)
            {
                drain.segment(offset, size);
                drained++;
            }
        }
        return drained;
    }

    long cachedBytes()
    {
        long bytes = 0;
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            final long size = classSizes.get(i);
            if (size == 0)
            {
                break;
            }
            bytes += size * rings[i].size();
        }
        return bytes;
    }

    long cachedSegments()
    {
        long segments = 0;
        for (int i = 0; i < MAX_CLASSES; i++)
        {
            if (classSizes.get(i) == 0)
            {
                break;
            }
            segments += rings[i].size();
        }
        return segments;
    }
}
