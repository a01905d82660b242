package io.carve.pool;

/**
 * Bytes past a segment's requested length were overwritten: the caller wrote beyond {@code len}.
 * <p>
 * Raised by {@link SegmentPool#free(long)}; the segment has been released all the same (the damaged bytes
 * are the pool's guard zone, not another segment's data) and the pool stays consistent and usable.
 * {@link SegmentPool#verify()} reports damage to live segments without raising this.
 */
public final class GuardViolationException extends PoolException
{
    private static final long serialVersionUID = 1L;

    private final long address;
    private final long requestedLength;
    private final long damagedOffset;
    private final byte expected;
    private final byte found;

    GuardViolationException(
        final String poolName,
        final long address,
        final long requestedLength,
        final long damagedOffset,
        final byte expected,
        final byte found)
    {
        super(poolName, describe(poolName, address, requestedLength, damagedOffset, expected, found));
        this.address = address;
        this.requestedLength = requestedLength;
        this.damagedOffset = damagedOffset;
        this.expected = expected;
        this.found = found;
    }

    static String describe(
        final String poolName,
        final long address,
        final long requestedLength,
        final long damagedOffset,
        final byte expected,
        final byte found)
    {
        return "pool '" + poolName + "': guard bytes of segment 0x" + Long.toHexString(address)
            + " (len=" + requestedLength + ") overwritten: first damaged byte at segment offset " + damagedOffset
            + " (len+" + (damagedOffset - requestedLength) + "), expected 0x" + hex(expected)
            + ", found 0x" + hex(found);
    }

    private static String hex(final byte b)
    {
        return String.format("%02x", b & 0xFF);
    }

    /**
     * The segment's address.
     *
     * @return the address returned by allocate.
     */
    public long address()
    {
        return address;
    }

    /**
     * The length the caller asked for.
     *
     * @return bytes.
     */
    public long requestedLength()
    {
        return requestedLength;
    }

    /**
     * The offset, from the segment's start, of the first damaged byte; {@code >= requestedLength()}.
     *
     * @return the offset.
     */
    public long damagedOffset()
    {
        return damagedOffset;
    }

    /**
     * The guard byte the pool wrote.
     *
     * @return the pattern byte.
     */
    public byte expected()
    {
        return expected;
    }

    /**
     * The byte found in its place.
     *
     * @return the damaged byte.
     */
    public byte found()
    {
        return found;
    }
}
