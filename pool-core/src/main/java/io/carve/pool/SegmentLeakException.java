package io.carve.pool;

import java.util.Arrays;

/**
 * {@link SegmentPool#close()} found segments still live. The block has been returned to the device all
 * the same; the addresses and lengths of the leaked segments say what was never freed.
 */
public final class SegmentLeakException extends PoolException
{
    private static final long serialVersionUID = 1L;
    private static final int LISTED = 16;

    private final long[] addresses;
    private final long[] lengths;

    SegmentLeakException(final String poolName, final long[] addresses, final long[] lengths, final String sites)
    {
        super(poolName, describe(poolName, addresses, lengths) + sites);
        this.addresses = addresses;
        this.lengths = lengths;
    }

    static String describe(final String poolName, final long[] addresses, final long[] lengths)
    {
        long total = 0;
        for (final long len : lengths)
        {
            total += len;
        }
        final StringBuilder sb = new StringBuilder()
            .append("pool '").append(poolName).append("' closed with ").append(addresses.length)
            .append(" live segment(s), ").append(total).append(" bytes requested:");
        for (int i = 0; i < Math.min(LISTED, addresses.length); i++)
        {
            sb.append(" 0x").append(Long.toHexString(addresses[i])).append(" (len=").append(lengths[i]).append(')');
        }
        if (addresses.length > LISTED)
        {
            sb.append(" and ").append(addresses.length - LISTED).append(" more");
        }
        return sb.toString();
    }

    /**
     * The leaked segments' addresses, in ascending order.
     *
     * @return a copy.
     */
    public long[] addresses()
    {
        return Arrays.copyOf(addresses, addresses.length);
    }

    /**
     * The leaked segments' requested lengths, index for index with {@link #addresses()}.
     *
     * @return a copy.
     */
    public long[] lengths()
    {
        return Arrays.copyOf(lengths, lengths.length);
    }
}
