package io.carve.pool.bench.concurrent;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A single-producer single-consumer ring of primitive longs, so handing segments across threads in the
 * benchmark allocates nothing. Package-private: a benchmark fixture, not part of Carve.
 */
final class LongSpscRing
{
    static final long EMPTY = Long.MIN_VALUE;

    private final long[] values;
    private final int mask;
    private final AtomicLong head = new AtomicLong();
    private final AtomicLong tail = new AtomicLong();

    LongSpscRing(final int capacity)
    {
        values = new long[capacity];
        mask = capacity - 1;
    }

    boolean offer(final long value)
    {
        final long t = tail.get();
        if (t - head.get() == values.length)
        {
            return false;
        }
        values[(int)(t & mask)] = value;
        tail.lazySet(t + 1);
        return true;
    }

    long poll()
    {
        final long h = head.get();
        if (h == tail.get())
        {
            return EMPTY;
        }
        final long value = values[(int)(h & mask)];
        head.lazySet(h + 1);
        return value;
    }
}
