package io.carve.pool;

/**
 * No free extent can hold the segment. {@link #verdict()} says why, in terms a user can act on: the pool is
 * too small ({@link FailureVerdict.Cause#CAPACITY}), fragmented ({@code FRAGMENTATION}, with the largest
 * free extents and the live segments around the largest), other threads parked what it needed in their
 * caches again ({@code PARKED}), or a growable pool's device refused to grow ({@code GROWTH_REFUSED}). The
 * message holds the verdict's description.
 */
public final class PoolExhaustedException extends PoolException
{
    private static final long serialVersionUID = 1L;

    private final long requestedLength;
    private final long segmentBytes;
    private final long alignment;
    private final long capacity;
    private final long bytesInUse;
    private final long freeBytes;
    private final long largestFreeExtent;
    private final long cachedBytes;
    private final long liveSegments;
    private final String policy;
    private final long waitedNanos;
    private final transient FailureVerdict verdict;

    PoolExhaustedException(
        final String poolName,
        final long requestedLength,
        final long segmentBytes,
        final long alignment,
        final long capacity,
        final long bytesInUse,
        final long freeBytes,
        final long largestFreeExtent,
        final long cachedBytes,
        final long liveSegments,
        final String policy,
        final long waitedNanos,
        final String growth,
        final FailureVerdict verdict)
    {
        super(poolName, "pool '" + poolName + "' cannot carve len=" + requestedLength
            + " (segment " + segmentBytes + " bytes, alignment " + alignment + "): capacity=" + capacity
            + ", in use=" + bytesInUse + ", free=" + freeBytes + ", largest free extent=" + largestFreeExtent
            + ", parked in thread caches=" + cachedBytes + ", live segments=" + liveSegments + ", policy=" + policy
            + (waitedNanos > 0 ? " after waiting " + waitedNanos / 1_000_000 + " ms" : "")
            + (growth == null ? "" : "; could not grow: " + growth)
            + "\n" + verdict.describe());
        this.requestedLength = requestedLength;
        this.segmentBytes = segmentBytes;
        this.alignment = alignment;
        this.capacity = capacity;
        this.bytesInUse = bytesInUse;
        this.freeBytes = freeBytes;
        this.largestFreeExtent = largestFreeExtent;
        this.cachedBytes = cachedBytes;
        this.liveSegments = liveSegments;
        this.policy = policy;
        this.waitedNanos = waitedNanos;
        this.verdict = verdict;
    }

    /**
     * Why the allocation failed: the cause, the largest free extents, a histogram of free extents by size,
     * and the live segments around the largest extent, as the pool stood when the allocation gave up.
     *
     * @return the verdict; null only after the exception was deserialized.
     */
    public FailureVerdict verdict()
    {
        return verdict;
    }

    /**
     * Segment bytes parked in thread caches when the allocation gave up: freed, held for reuse by the threads
     * that freed them, and not in the policy's free bytes. The allocation drained every cache before it gave
     * up, so this is what threads parked again since.
     *
     * @return bytes.
     */
    public long cachedBytes()
    {
        return cachedBytes;
    }

    /**
     * How long the allocation waited for frees before giving up; 0 for an allocation that did not wait.
     *
     * @return nanoseconds.
     */
    public long waitedNanos()
    {
        return waitedNanos;
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
     * The segment size the length needed under the alignment profile.
     *
     * @return bytes.
     */
    public long segmentBytes()
    {
        return segmentBytes;
    }

    /**
     * The start alignment asked for.
     *
     * @return bytes.
     */
    public long alignment()
    {
        return alignment;
    }

    /**
     * The pool's capacity.
     *
     * @return bytes.
     */
    public long capacity()
    {
        return capacity;
    }

    /**
     * Segment bytes of live segments at the time.
     *
     * @return bytes.
     */
    public long bytesInUse()
    {
        return bytesInUse;
    }

    /**
     * Bytes the policy had free at the time.
     *
     * @return bytes.
     */
    public long freeBytes()
    {
        return freeBytes;
    }

    /**
     * The largest extent a single segment could have taken at the time.
     *
     * @return bytes.
     */
    public long largestFreeExtent()
    {
        return largestFreeExtent;
    }

    /**
     * Live segments at the time.
     *
     * @return the count.
     */
    public long liveSegments()
    {
        return liveSegments;
    }

    /**
     * The policy's name.
     *
     * @return the name.
     */
    public String policy()
    {
        return policy;
    }
}
