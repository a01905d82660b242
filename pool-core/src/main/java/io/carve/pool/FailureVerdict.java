package io.carve.pool;

import java.util.List;
import java.util.Map;

/**
 * Why an allocation cannot be carved, in terms a user can act on: the cause, the free extents that exist
 * and why none fits, and what lies around the largest one. {@link PoolExhaustedException#verdict()} carries
 * one; {@link SegmentPool#diagnose(long)} computes one for any length without changing anything.
 *
 * @param cause                 the class of the failure.
 * @param requestedLength       the length asked for.
 * @param segmentBytes          its segment size {@code m}.
 * @param alignment             the request's start alignment.
 * @param freeBytes             bytes free in the policy (parked segments not included).
 * @param parkedBytes           bytes parked in thread caches and the depot: a failing allocation drains them
 *                              back to the policy before it gives up.
 * @param largestAllocatable    the largest segment the policy can carve now at the request's alignment.
 * @param extentsLargeEnough    free extents at least {@code segmentBytes} long, ignoring alignment: when
 *                              positive while nothing fits, the alignment gap is what fails.
 * @param largestExtents        the largest free extents, largest first, at most five.
 * @param extentHistogram       free extents counted by size class: key {@code k} counts extents in
 *                              {@code [2^k, 2^(k+1))} bytes.
 * @param beforeLargest         the live segment that ends where the largest extent begins, or null.
 * @param afterLargest          the live segment that begins where the largest extent ends, or null.
 * @param growth                for a growable pool, why it could not grow (the maximum, or the device's
 *                              refusal); null otherwise.
 */
public record FailureVerdict(
    Cause cause,
    long requestedLength,
    long segmentBytes,
    long alignment,
    long freeBytes,
    long parkedBytes,
    long largestAllocatable,
    long extentsLargeEnough,
    List<Extent> largestExtents,
    Map<Integer, Long> extentHistogram,
    LiveSegment beforeLargest,
    LiveSegment afterLargest,
    String growth)
{
    /** The class of an allocation failure. */
    public enum Cause
    {
        /** Fewer bytes are free, parked segments included, than the segment needs: the pool is too small. */
        CAPACITY,
        /** Enough bytes are free but no extent holds the segment at its alignment: the pool is fragmented. */
        FRAGMENTATION,
        /**
         * The policy cannot carve it, but segments parked in thread caches would make enough bytes free once
         * drained (which a failing allocation does): seen by {@link SegmentPool#diagnose(long)}, or by an
         * allocation that lost a race with threads parking again.
         */
        PARKED,
        /** A growable pool could not map more: its maximum is reached, or the device refused. */
        GROWTH_REFUSED,
        /** It fits: {@link SegmentPool#diagnose(long)} of a length the pool can carve now. */
        FITS
    }

    /**
     * A free extent of the pool.
     *
     * @param offset its offset in the pool's block.
     * @param size   its size.
     */
    public record Extent(long offset, long size)
    {
    }

    /**
     * Copies the collections.
     */
    public FailureVerdict
    {
        largestExtents = List.copyOf(largestExtents);
        extentHistogram = Map.copyOf(extentHistogram);
    }

    /**
     * The verdict as lines a person can act on without a debugger.
     *
     * @return a multi-line description.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder();
        text.append(cause).append(": ");
        switch (cause)
        {
            case CAPACITY:
                text.append("only ").append(freeBytes + parkedBytes).append(" bytes are free (").append(parkedBytes)
                    .append(" of them parked in thread caches), the segment needs ").append(segmentBytes)
                    .append(": the pool is too small for what is live");
                break;
            case FRAGMENTATION:
                text.append(freeBytes).append(" bytes are free but the largest segment that fits at alignment ")
                    .append(alignment).append(" is ").append(largestAllocatable).append(" bytes, the segment needs ")
                    .append(segmentBytes).append("; ").append(extentsLargeEnough)
                    .append(extentsLargeEnough == 1 ? " free extent is" : " free extents are")
                    .append(" long enough before alignment");
                break;
            case PARKED:
                text.append(parkedBytes).append(" bytes are parked in thread caches; drained, the pool would have ")
                    .append(freeBytes + parkedBytes).append(" free for a segment of ").append(segmentBytes);
                break;
            case GROWTH_REFUSED:
                text.append("the pool could not grow: ").append(growth);
                break;
            default:
                text.append("a segment of ").append(segmentBytes).append(" bytes fits now (largest ")
                    .append(largestAllocatable).append(')');
                break;
        }
        if (!largestExtents.isEmpty())
        {
            text.append("\n  largest free extents (offset:size):");
            for (final Extent e : largestExtents)
            {
                text.append(' ').append(e.offset()).append(':').append(e.size());
            }
        }
        if (!extentHistogram.isEmpty())
        {
            text.append("\n  free extents by size:");
            extentHistogram.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> text.append(" [2^").append(e.getKey()).append("]=").append(e.getValue()));
        }
        if (beforeLargest != null || afterLargest != null)
        {
            text.append("\n  around the largest: ").append(describe(beforeLargest)).append(" | free | ")
                .append(describe(afterLargest));
        }
        return text.toString();
    }

    private static String describe(final LiveSegment segment)
    {
        if (segment == null)
        {
            return "(no live segment)";
        }
        return "0x" + Long.toHexString(segment.address()) + " len=" + segment.length()
            + (segment.site() == null ? "" : " allocated at " + firstFrame(segment.site()));
    }

    private static String firstFrame(final Throwable site)
    {
        final String pool = "io.carve.pool.";
        for (final StackTraceElement frame : site.getStackTrace())
        {
            final String type = frame.getClassName();
            // The first frame outside the pool's own package: the caller of allocate.
            if (!type.startsWith(pool) || type.indexOf('.', pool.length()) >= 0)
            {
                return frame.toString();
            }
        }
        return site.getStackTrace().length == 0 ? "?" : site.getStackTrace()[0].toString();
    }
}
