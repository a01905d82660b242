package io.carve.pool;

import java.util.List;

/**
 * {@link SegmentPool#close()} found segments still live. The block has been returned to the device all
 * the same; the addresses and lengths of the leaked segments say what was never freed.
 */
public final class SegmentLeakException extends PoolException
{
    private static final long serialVersionUID = 1L;
    private static final int LISTED = 16;

    private final List<LiveSegment> leaked;

    SegmentLeakException(final String poolName, final List<LiveSegment> leaked)
    {
        super(poolName, describe(poolName, leaked));
        this.leaked = List.copyOf(leaked);
    }

    static String describe(final String poolName, final List<LiveSegment> leaked)
    {
        long total = 0;
        for (final LiveSegment segment : leaked)
        {
            total += segment.length();
        }
        final StringBuilder sb = new StringBuilder()
            .append("pool '").append(poolName).append("' closed with ").append(leaked.size())
            .append(" live segment(s), ").append(total).append(" bytes requested:");
        for (int i = 0; i < Math.min(LISTED, leaked.size()); i++)
        {
            sb.append(leaked.get(i).site() == null ? " " : "\n  ").append(leaked.get(i).describe());
        }
        if (leaked.size() > LISTED)
        {
            sb.append(" and ").append(leaked.size() - LISTED).append(" more");
        }
        return sb.toString();
    }

    /**
     * The leaked segments, in ascending address order, with their allocation sites when tracked.
     *
     * @return an immutable list.
     */
    public List<LiveSegment> leaked()
    {
        return leaked;
    }

    /**
     * The leaked segments' addresses, in ascending order.
     *
     * @return a copy.
     */
    public long[] addresses()
    {
        return leaked.stream().mapToLong(LiveSegment::address).toArray();
    }

    /**
     * The leaked segments' requested lengths, index for index with {@link #addresses()}.
     *
     * @return a copy.
     */
    public long[] lengths()
    {
        return leaked.stream().mapToLong(LiveSegment::length).toArray();
    }
}
