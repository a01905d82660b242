package io.carve.pool;

/**
 * The layout of a segment's record: one {@code long} per segment start, kept in the {@link SegmentTable} and
 * never in the managed memory. Static helpers only, in the manner of Agrona's descriptors; the one place
 * that packs and unpacks a record.
 *
 * <pre>
 *   63 62  61  60                                        13 12              0
 *  +-----+---+-------------------------------------------+-----------------+
 *  | 01  | G |            len (48 bits)                  |  m - len (13)   |   LIVE: a caller holds it
 *  +-----+---+-------------------------------------------+-----------------+
 *  | 10  | 0 |        0        |        m, the segment size (48 bits)      |   PARKED: in a thread cache
 *  +-----+---+-------------------------------------------+-----------------+
 *  | 00  | F |                          0                                  |   EMPTY (F: freed here last)
 *  +-----+---+-------------------------------------------------------------+
 * </pre>
 * <ul>
 *   <li>{@code G}: the segment's guard zone {@code [len, m)} holds the pattern (all segments with guards on,
 *       one in N when sampled).</li>
 *   <li>{@code m - len}: the guard length, at most 31 bytes of padding plus a 4096-byte tail, so 13 bits.</li>
 *   <li>{@code F}: the last segment that started here was freed and nothing has started here since; it
 *       tells a double free from an address that was never a segment.</li>
 * </ul>
 * A segment's length is below the pool's capacity limit of 2^47, so 48 bits hold it and its size.
 */
final class SegmentRecord
{
    /** No segment starts here, and none was freed here. */
    static final long EMPTY = 0L;
    /** No segment starts here; the last one that did was freed. */
    static final long FREED = 1L << 61;

    private static final int STATE_SHIFT = 62;
    private static final long STATE_LIVE = 1L;
    private static final long STATE_PARKED = 2L;
    private static final long GUARDED = 1L << 61;
    private static final int LEN_SHIFT = 13;
    private static final long GUARD_MASK = (1L << LEN_SHIFT) - 1;
    private static final long SIZE_MASK = (1L << 48) - 1;

    private SegmentRecord()
    {
    }

    /**
     * The record of a segment a caller holds.
     *
     * @param len         the caller's length, {@code < 2^48}.
     * @param guardLength {@code m - len}, {@code < 2^13}.
     * @param guarded     whether the guard zone holds the pattern.
     * @return the record.
     */
    static long live(final long len, final int guardLength, final boolean guarded)
    {
        assert len > 0 && len <= SIZE_MASK && guardLength >= 0 && guardLength <= GUARD_MASK;
        return STATE_LIVE << STATE_SHIFT | (guarded ? GUARDED : 0) | len << LEN_SHIFT | guardLength;
    }

    /**
     * The record of a segment parked in a thread cache.
     *
     * @param segmentSize its size {@code m}.
     * @return the record.
     */
    static long parked(final long segmentSize)
    {
        assert segmentSize > 0 && segmentSize <= SIZE_MASK;
        return STATE_PARKED << STATE_SHIFT | segmentSize;
    }

    static boolean isLive(final long record)
    {
        return record >>> STATE_SHIFT == STATE_LIVE;
    }

    static boolean isParked(final long record)
    {
        return record >>> STATE_SHIFT == STATE_PARKED;
    }

    /** Whether the record is {@link #EMPTY} or {@link #FREED}: no segment starts here. */
    static boolean isEmpty(final long record)
    {
        return record >>> STATE_SHIFT == 0;
    }

    /** A live record's requested length. */
    static long length(final long record)
    {
        assert isLive(record);
        return (record & ~(3L << STATE_SHIFT | GUARDED)) >>> LEN_SHIFT;
    }

    /** A live record's guard length, {@code m - len}. */
    static int guardLength(final long record)
    {
        assert isLive(record);
        return (int)(record & GUARD_MASK);
    }

    /** Whether a live record's guard zone holds the pattern. */
    static boolean isGuarded(final long record)
    {
        return (record & GUARDED) != 0 && isLive(record);
    }

    /** The segment size {@code m} of a live or parked record. */
    static long segmentSize(final long record)
    {
        return isParked(record) ? record & SIZE_MASK : length(record) + guardLength(record);
    }

    /** For messages: what a record says. */
    static String describe(final long record)
    {
        if (isLive(record))
        {
            return "live{len=" + length(record) + ", m=" + segmentSize(record) + (isGuarded(record) ? ", guarded}" : "}");
        }
        if (isParked(record))
        {
            return "parked{m=" + segmentSize(record) + '}';
        }
        return record == FREED ? "freed" : record == EMPTY ? "empty" : "corrupt(0x" + Long.toHexString(record) + ')';
    }
}
