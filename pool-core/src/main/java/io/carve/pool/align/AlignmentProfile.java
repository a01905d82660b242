package io.carve.pool.align;

/**
 * How a pool sizes and aligns the segments it carves: start alignment and segment size for a caller's
 * length.
 * <p>
 * For a length {@code len >= 1} the carved segment occupies
 * <pre>
 *   m = ALIGN_UP(len, 32) + tail          (tail = 32 by default)
 *
 *   start (aligned to startAlignment)
 *   |&lt;----------- len -----------&gt;|&lt;- padding -&gt;|&lt;----- tail -----&gt;|
 *   |        caller's bytes        |  round-up   |  belongs to the   |
 *   |                              |  to 32      |  segment, not the |
 *   |                              |             |  caller           |
 *   |&lt;------------------------------- m -------------------------------&gt;|
 *                                  |&lt;-------- guard zone [len, m) -----&gt;|
 * </pre>
 * Instances are immutable; {@link #segmentSize(long)} allocates nothing and is safe on a hot path.
 */
public final class AlignmentProfile
{
    /** The largest tail a profile may carry: keeps the guard zone small enough to check in one pass. */
    public static final int MAX_TAIL = 4096;

    /** The seeds' advice for a pool serving every API: 128-byte start, {@code ALIGN_UP(len,32)+32}. */
    public static final AlignmentProfile UNIFIED = new AlignmentProfile(
        MemoryApi.UNIFIED.name(), MemoryApi.UNIFIED.startAlignment(), MemoryApi.DEFAULT_TAIL);

    private final String name;
    private final int startAlignment;
    private final int tailBytes;
    private final long maxLength;

    private AlignmentProfile(final String name, final int startAlignment, final int tailBytes)
    {
        this.name = name;
        this.startAlignment = startAlignment;
        this.tailBytes = tailBytes;
        this.maxLength = ((Long.MAX_VALUE - tailBytes) / MemoryApi.GRANULE) * MemoryApi.GRANULE;
    }

    /**
     * The profile of a table row with the default 32-byte tail.
     *
     * @param api the row.
     * @return its profile.
     */
    public static AlignmentProfile of(final MemoryApi api)
    {
        return of(api, MemoryApi.DEFAULT_TAIL);
    }

    /**
     * The profile of a table row with another tail size (the runtime reads it per chip, default 32).
     *
     * @param api       the row.
     * @param tailBytes the tail past the rounded length, a multiple of 32 in {@code [0, 4096]}.
     * @return its profile.
     * @throws IllegalArgumentException if {@code tailBytes} is out of range.
     */
    public static AlignmentProfile of(final MemoryApi api, final int tailBytes)
    {
        if (api == MemoryApi.UNIFIED && tailBytes == MemoryApi.DEFAULT_TAIL)
        {
            return UNIFIED;
        }
        return new AlignmentProfile(api.name(), api.startAlignment(), checkTail(tailBytes));
    }

    /**
     * A profile outside the table, for devices with other rules.
     *
     * @param name           a name for messages and reports.
     * @param startAlignment a power of two in {@code [1, 2^20]}.
     * @param tailBytes      a multiple of 32 in {@code [0, 4096]}.
     * @return the profile.
     * @throws IllegalArgumentException naming the bad argument.
     */
    public static AlignmentProfile custom(final String name, final int startAlignment, final int tailBytes)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("name must not be empty: name=" + name);
        }
        Align.checkPowerOfTwo(startAlignment, "startAlignment");
        if (startAlignment > (1 << 20))
        {
            throw new IllegalArgumentException("startAlignment must be at most 1 MiB: startAlignment=" + startAlignment);
        }
        return new AlignmentProfile(name, startAlignment, checkTail(tailBytes));
    }

    private static int checkTail(final int tailBytes)
    {
        if (tailBytes < 0 || tailBytes > MAX_TAIL || tailBytes % MemoryApi.GRANULE != 0)
        {
            throw new IllegalArgumentException(
                "tailBytes must be a multiple of 32 in [0, " + MAX_TAIL + "]: tailBytes=" + tailBytes);
        }
        return tailBytes;
    }

    /**
     * The profile's name (a {@link MemoryApi} row name for table profiles).
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The alignment of every segment's start address.
     *
     * @return a power of two.
     */
    public int startAlignment()
    {
        return startAlignment;
    }

    /**
     * The bytes every segment carries past its length rounded up to 32.
     *
     * @return the tail size.
     */
    public int tailBytes()
    {
        return tailBytes;
    }

    /**
     * The largest length whose segment size fits in a {@code long}.
     *
     * @return the largest valid {@code len}.
     */
    public long maxLength()
    {
        return maxLength;
    }

    /**
     * The carved segment size for a caller's length: {@code ALIGN_UP(len, 32) + tail}.
     *
     * @param len the caller's length, in {@code [1, maxLength()]}.
     * @return the segment size {@code m}.
     * @throws IllegalArgumentException if len is not positive or its segment size would overflow.
     */
    public long segmentSize(final long len)
    {
        if (len <= 0)
        {
            throw new IllegalArgumentException("len must be positive: len=" + len);
        }
        if (len > maxLength)
        {
            throw new IllegalArgumentException(
                "len overflows the segment size: len=" + len + ", maxLength=" + maxLength);
        }
        return ((len + MemoryApi.GRANULE - 1) & -MemoryApi.GRANULE) + tailBytes;
    }

    /**
     * Whether a pool with this profile can serve requests under {@code other}: its start alignment must
     * divide this profile's (a 128-byte pool serves 64-byte runtime requests, not the other way round).
     *
     * @param other the per-request profile.
     * @return {@code true} if segments for {@code other} can be carved from a pool with this profile.
     */
    public boolean canServe(final AlignmentProfile other)
    {
        return other.startAlignment <= startAlignment;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof AlignmentProfile))
        {
            return false;
        }
        final AlignmentProfile that = (AlignmentProfile)o;
        return startAlignment == that.startAlignment && tailBytes == that.tailBytes && name.equals(that.name);
    }

    @Override
    public int hashCode()
    {
        return (name.hashCode() * 31 + startAlignment) * 31 + tailBytes;
    }

    @Override
    public String toString()
    {
        return "AlignmentProfile{" + name + ", startAlignment=" + startAlignment + ", tailBytes=" + tailBytes + '}';
    }
}
