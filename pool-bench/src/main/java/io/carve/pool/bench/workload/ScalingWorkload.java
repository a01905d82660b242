package io.carve.pool.bench.workload;

import java.util.SplittableRandom;

/**
 * The scaling set-up: fill {@code live} slots with segments of {@link #MIN_SIZE}..{@link #MAX_SIZE} bytes,
 * then replace them one at a time (free slot {@code v}, allocate a new size into it), so the number of live
 * segments stays at {@code live} while each measured step is one allocate+free pair.
 */
public final class ScalingWorkload
{
    /** Smallest segment length. */
    public static final long MIN_SIZE = 64;
    /** Largest segment length: small enough that 100,000 live segments take about 100 MiB. */
    public static final long MAX_SIZE = 2048;

    private final int live;
    private final long[] fillSizes;
    private final int[] victims;
    private final long[] replacementSizes;
    private final long fillBytes;

    private ScalingWorkload(final int live, final long[] fillSizes, final int[] victims, final long[] replacementSizes)
    {
        this.live = live;
        this.fillSizes = fillSizes;
        this.victims = victims;
        this.replacementSizes = replacementSizes;
        long sum = 0;
        for (final long size : fillSizes)
        {
            sum += size;
        }
        this.fillBytes = sum;
    }

    /**
     * Generates the set-up.
     *
     * @param seed  the seed.
     * @param live  live segments, {@code >= 1}.
     * @param steps replacement steps, a power of two (so replays can wrap with a mask).
     * @return the workload.
     */
    public static ScalingWorkload generate(final long seed, final int live, final int steps)
    {
        if (live < 1 || steps < 1 || Integer.bitCount(steps) != 1)
        {
            throw new IllegalArgumentException(
                "need live >= 1 and steps a power of two: live=" + live + ", steps=" + steps);
        }
        final SplittableRandom random = new SplittableRandom(seed);
        final long[] fill = new long[live];
        for (int i = 0; i < live; i++)
        {
            fill[i] = MIN_SIZE + random.nextLong(MAX_SIZE - MIN_SIZE + 1);
        }
        final int[] victims = new int[steps];
        final long[] sizes = new long[steps];
        for (int i = 0; i < steps; i++)
        {
            victims[i] = random.nextInt(live);
            sizes[i] = MIN_SIZE + random.nextLong(MAX_SIZE - MIN_SIZE + 1);
        }
        return new ScalingWorkload(live, fill, victims, sizes);
    }

    /** @return the number of live segments. */
    public int live()
    {
        return live;
    }

    /** @return the fill lengths, one per slot (shared: do not modify). */
    public long[] fillSizes()
    {
        return fillSizes;
    }

    /** @return the slot freed at each step (shared: do not modify). */
    public int[] victims()
    {
        return victims;
    }

    /** @return the length allocated at each step (shared: do not modify). */
    public long[] replacementSizes()
    {
        return replacementSizes;
    }

    /** @return bytes requested by the fill, a bound on live bytes is {@code live * MAX_SIZE}. */
    public long fillBytes()
    {
        return fillBytes;
    }
}
