package io.carve.pool;


/**
 * One thread's small cache of freed segments, in front of the shared {@link SizeClassDepot}: the owner
 * pushes and pops without touching any line another thread writes, so two threads allocating and freeing
 * their own segments never contend.
 * <p>
 * A magazine holds up to {@link #DEPTH} segments for each of up to {@link #CLASSES} segment sizes, and at
 * most a byte budget in all. When a class is full, the owner moves half of it to the depot; when a class
 * is empty, the owner refills half of it from the depot, so segments cross between threads in bursts that
 * keep the depot's lines in one cache at a time. The magazine is a spin lock that only its owner takes on the
 * hot path (uncontended, so cheap); a thread that needs the memory (a failing or waiting allocation,
 * verify, close) takes it too and drains the magazine, so no thread can hoard memory another waits for.
 */
final class Magazine extends SpinLock
{
    static final int CLASSES = 4;
    static final int DEPTH = 8;

    private final long[] sizes = new long[CLASSES];
    private final long[][] offsets = new long[CLASSES][DEPTH];
    private final int[] counts = new int[CLASSES];
    private final long maxBytes;
    private volatile long bytes;

    /** Offsets the depot refused during the owner's last {@link #push}; {@code spill[0]} is their count. */
    final long[] spill = new long[DEPTH + 1];

    Magazine(final long maxBytes)
    {
        this.maxBytes = maxBytes;
    }

    /** Bytes parked here; readable from any thread. */
    long bytes()
    {
        return bytes;
    }

    /** Segments parked here; the caller holds this magazine's lock. */
    long segments()
    {
        long segments = 0;
        for (final int count : counts)
        {
            segments += count;
        }
        return segments;
    }

    /** A parked segment of exactly {@code segmentSize}, refilling from the depot; the caller holds the lock. */
    long pop(final long segmentSize, final SizeClassDepot depot)
    {
        for (int c = 0; c < CLASSES; c++)
        {
            if (sizes[c] == segmentSize)
            {
                if (counts[c] == 0)
                {
                    refill(c, segmentSize, depot);
                }
                if (counts[c] == 0)
                {
                    return LongRing.EMPTY;
                }
                bytes -= segmentSize;
                return offsets[c][--counts[c]];
            }
        }
        return depot.poll(segmentSize);
    }

    private void refill(final int c, final long segmentSize, final SizeClassDepot depot)
    {
        long added = 0;
        while (counts[c] < DEPTH / 2 && bytes + added + segmentSize <= maxBytes)
        {
            final long offset = depot.poll(segmentSize);
            if (offset == LongRing.EMPTY)
            {
                break;
            }
            offsets[c][counts[c]++] = offset;
            added += segmentSize;
        }
        bytes += added;
    }

    /**
     * Parks a segment here, moving half of a full class to the depot first; the caller holds the lock.
     *
     * @param spill receives the offsets the depot would not take, to be released to the policy by the
     *              caller after unlocking; {@code spill[0]} is their count.
     * @return {@code false} when the segment could not be parked here or in the depot.
     */
    boolean push(final long segmentSize, final long offset, final SizeClassDepot depot, final long[] spill)
    {
        if (segmentSize > maxBytes)
        {
            return depot.offer(segmentSize, offset);
        }
        int c = -1;
        for (int i = 0; i < CLASSES; i++)
        {
            if (sizes[i] == segmentSize)
            {
                c = i;
                break;
            }
            if (c < 0 && counts[i] == 0)
            {
                c = i;
            }
        }
        if (c < 0)
        {
            return depot.offer(segmentSize, offset);
        }
        sizes[c] = segmentSize;
        if (counts[c] == DEPTH || bytes + segmentSize > maxBytes)
        {
            final int keep = counts[c] / 2;
            long moved = 0;
            while (counts[c] > keep)
            {
                final long out = offsets[c][--counts[c]];
                moved += segmentSize;
                if (!depot.offer(segmentSize, out))
                {
                    spill[(int)++spill[0]] = out;
                }
            }
            bytes -= moved;
            if (bytes + segmentSize > maxBytes)
            {
                return depot.offer(segmentSize, offset);
            }
        }
        offsets[c][counts[c]++] = offset;
        bytes += segmentSize;
        return true;
    }

    /** Empties the magazine into {@code drain}; the caller holds the lock. */
    long drain(final SizeClassDepot.Drain drain)
    {
        long drained = 0;
        for (int c = 0; c < CLASSES; c++)
        {
            while (counts[c] > 0)
            {
                drain.segment(offsets[c][--counts[c]], sizes[c]);
                drained++;
            }
        }
        bytes = 0;
        return drained;
    }
}
