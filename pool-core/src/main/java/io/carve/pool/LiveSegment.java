package io.carve.pool;

/**
 * A live segment as listed by {@link SegmentPool#liveSegments()} and leak reports.
 *
 * @param address the segment's address.
 * @param length  the length the caller asked for.
 * @param site    where it was allocated, when leak tracking recorded it; {@code null} otherwise.
 */
public record LiveSegment(long address, long length, Throwable site)
{
    /**
     * The segment in one line, with the first frames of its allocation site when known.
     *
     * @return a description.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder("0x").append(Long.toHexString(address))
            .append(" (len=").append(length).append(')');
        if (site != null)
        {
            final StackTraceElement[] frames = site.getStackTrace();
            sb.append(" allocated at");
            for (int i = 0; i < Math.min(4, frames.length); i++)
            {
                sb.append(i == 0 ? " " : " <- ").append(frames[i]);
            }
        }
        return sb.toString();
    }
}
