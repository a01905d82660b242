package io.carve.pool.record;

/**
 * One recorded event of a pool: an allocation, a free or a failed allocation.
 *
 * @param kind           what happened.
 * @param timeNanos      nanoseconds since the recording started.
 * @param thread         the id of the thread that made the call.
 * @param offset         the segment's offset in the pool's block; -1 for a failure.
 * @param length         the length the caller asked for.
 * @param startAlignment the start alignment of the request's profile (for a free: the pool's).
 * @param tailBytes      the tail of the request's profile, so that the segment size is
 *                       {@code ALIGN_UP(length, 32) + tailBytes}.
 */
public record PoolEvent(
    EventKind kind, long timeNanos, long thread, long offset, long length, int startAlignment, int tailBytes)
{
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if a field is out of range.
     */
    public PoolEvent
    {
        if (kind == null)
        {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (length <= 0)
        {
            throw new IllegalArgumentException("length must be positive: length=" + length);
        }
        if ((kind == EventKind.FAILURE) != (offset == -1) || offset < -1)
        {
            throw new IllegalArgumentException("a failure has offset -1 and nothing else has: kind=" + kind
                + ", offset=" + offset);
        }
        if (Integer.bitCount(startAlignment) != 1)
        {
            throw new IllegalArgumentException("startAlignment must be a power of 2: startAlignment=" + startAlignment);
        }
        if (tailBytes < 0 || tailBytes % 32 != 0)
        {
            throw new IllegalArgumentException("tailBytes must be a non-negative multiple of 32: tailBytes=" + tailBytes);
        }
    }

    /**
     * The segment size the pool carved for this request.
     *
     * @return {@code ALIGN_UP(length, 32) + tailBytes}.
     */
    public long segmentSize()
    {
        return ((length + 31) & -32L) + tailBytes;
    }
}
