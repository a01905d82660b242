package io.carve.pool;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A bounded, lock-free, many-producer many-consumer queue of primitive longs (Vyukov's array queue):
 * each slot carries a sequence number that says whether it is ready to be written or read in the current
 * lap, so producers and consumers claim slots with one CAS on the tail or head and never block.
 * <p>
 * Allocates nothing per operation. {@link #size()} is exact when quiescent and a close estimate under
 * concurrency.
 */
final class LongRing
{
    static final long EMPTY = Long.MIN_VALUE;

    private final int mask;
    private final AtomicLongArray values;
    private final AtomicLongArray sequences;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    LongRing(final int capacity)
    {
        assert Integer.bitCount(capacity) == 1 : "capacity must be a power of 2: capacity=" + capacity;
        mask = capacity - 1;
        values = new AtomicLongArray(capacity);
        sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++)
        {
            sequences.set(i, i);
        }
    }

    /** Adds {@code value}; false when the ring is full. */
    boolean offer(final long value)
    {
        long position = tail.get();
        while (true)
        {
            final int index = (int)(position & mask);
            final long difference = sequences.get(index) - position;
            if (difference == 0)
            {
                if (tail.compareAndSet(position, position + 1))
                {
                    values.lazySet(index, value);
                    sequences.lazySet(index, position + 1);
                    return true;
                }
                position = tail.get();
            }
            else if (difference < 0)
            {
                return false;
            }
            else
            {
                position = tail.get();
            }
        }
    }

    /** Removes the oldest value; {@link #EMPTY} when there is none. */
    long poll()
    {
        long position = head.get();
        while (true)
        {
            final int index = (int)(position & mask);
            final long difference = sequences.get(index) - (position + 1);
            if (difference == 0)
            {
                if (head.compareAndSet(position, position + 1))
                {
                    final long value = values.get(index);
                    sequences.lazySet(index, position + mask + 1);
                    return value;
                }
                position = head.get();
            }
            else if (difference < 0)
            {
                return EMPTY;
            }
            else
            {
                position = head.get();
            }
        }
    }

    int size()
    {
        final long size = tail.get() - head.get();
        return (int)Math.max(0, Math.min(size, mask + 1));
    }
}
