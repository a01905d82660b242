package io.carve.pool;

import java.util.Map;

/**
 * An immutable snapshot of a pool's figures, taken with the pool's lock and every thread cache's lock held,
 * so that all figures agree: exact at that instant, whatever other threads were doing.
 * <p>
 * Three byte counts describe live memory, from the caller's view outwards:
 * {@link #bytesRequested()} (the lengths callers asked for) {@code <=} {@link #bytesInUse()} (their carved
 * segment sizes, {@code ALIGN_UP(len,32) + tail}) {@code <=} {@link #policyUsedBytes()} (the blocks the
 * policy set aside, which include its rounding: a buddy's power of two, a slab's object size).
 */
public final class PoolStats
{
    private final String poolName;
    private final String policy;
    private final String device;
    private final long capacity;
    private final long bytesInUse;
    private final long bytesRequested;
    private final long policyUsedBytes;
    private final long freeBytes;
    private final long largestFreeExtent;
    private final long freeExtentCount;
    private final long liveSegments;
    private final long bytesHeld;
    private final long peakBytesHeld;
    private final long allocations;
    private final long frees;
    private final long failures;
    private final long guardViolations;
    private final long cachedBytes;
    private final long cachedSegments;
    private final long reservedBytes;
    private final long mappedBytes;
    private final long peakMappedBytes;
    private final Map<String, Long> policyMetrics;

    PoolStats(
        final String poolName,
        final String policy,
        final String device,
        final long capacity,
        final long bytesInUse,
        final long bytesRequested,
        final long policyUsedBytes,
        final long freeBytes,
        final long largestFreeExtent,
        final long freeExtentCount,
        final long liveSegments,
        final long bytesHeld,
        final long peakBytesHeld,
        final long allocations,
        final long frees,
        final long failures,
        final long guardViolations,
        final long cachedBytes,
        final long cachedSegments,
        final long reservedBytes,
        final long mappedBytes,
        final long peakMappedBytes,
        final Map<String, Long> policyMetrics)
    {
        this.poolName = poolName;
        this.policy = policy;
        this.device = device;
        this.capacity = capacity;
        this.bytesInUse = bytesInUse;
        this.bytesRequested = bytesRequested;
        this.policyUsedBytes = policyUsedBytes;
        this.freeBytes = freeBytes;
        this.largestFreeExtent = largestFreeExtent;
        this.freeExtentCount = freeExtentCount;
        this.liveSegments = liveSegments;
        this.bytesHeld = bytesHeld;
        this.peakBytesHeld = peakBytesHeld;
        this.allocations = allocations;
        this.frees = frees;
        this.failures = failures;
        this.guardViolations = guardViolations;
        this.cachedBytes = cachedBytes;
        this.cachedSegments = cachedSegments;
        this.reservedBytes = reservedBytes;
        this.mappedBytes = mappedBytes;
        this.peakMappedBytes = peakMappedBytes;
        this.policyMetrics = Map.copyOf(policyMetrics);
    }

    /** @return the pool's name. */
    public String poolName()
    {
        return poolName;
    }

    /** @return the policy's name. */
    public String policy()
    {
        return policy;
    }

    /** @return the device allocator's name. */
    public String device()
    {
        return device;
    }

    /** @return the bytes the pool manages. */
    public long capacity()
    {
        return capacity;
    }

    /** @return segment bytes of live segments ({@code ALIGN_UP(len,32) + tail} each). */
    public long bytesInUse()
    {
        return bytesInUse;
    }

    /** @return the lengths callers asked for, summed over live segments. */
    public long bytesRequested()
    {
        return bytesRequested;
    }

    /** @return bytes the policy holds for live segments, its own rounding included. */
    public long policyUsedBytes()
    {
        return policyUsedBytes;
    }

    /** @return bytes available to future segments: the policy's free bytes plus {@link #cachedBytes()}. */
    public long freeBytes()
    {
        return freeBytes;
    }

    /**
     * @return the policy's largest free extent now, which an allocation of that size obtains; segments parked
     * in thread caches are not part of it (an allocation that finds no extent drains them back to the
     * policy first, so after a drain the largest extent may be larger).
     */
    public long largestFreeExtent()
    {
        return largestFreeExtent;
    }

    /** @return the number of free extents. */
    public long freeExtentCount()
    {
        return freeExtentCount;
    }

    /** @return live segments. */
    public long liveSegments()
    {
        return liveSegments;
    }

    /**
     * @return segment bytes taken from the policy now: live segments ({@link #bytesInUse()}) plus those parked
     * in thread caches ({@link #cachedBytes()}).
     */
    public long bytesHeld()
    {
        return bytesHeld;
    }

    /**
     * @return the highest {@link #bytesHeld()} since the pool was built: the most segment bytes the policy
     * ever had to hold at once, parked segments included (with the cache off, the peak of
     * {@link #bytesInUse()}).
     */
    public long peakBytesHeld()
    {
        return peakBytesHeld;
    }

    /** @return successful allocations since the pool was built. */
    public long allocations()
    {
        return allocations;
    }

    /** @return frees since the pool was built (including those that found a guard violation). */
    public long frees()
    {
        return frees;
    }

    /** @return allocations refused for want of space (not for bad arguments). */
    public long failures()
    {
        return failures;
    }

    /** @return frees that found overwritten guard bytes. */
    public long guardViolations()
    {
        return guardViolations;
    }

    /** @return segment bytes parked in the size-class cache for reuse (free to callers, held in the policy). */
    public long cachedBytes()
    {
        return cachedBytes;
    }

    /** @return segments parked in the size-class cache. */
    public long cachedSegments()
    {
        return cachedSegments;
    }

    /**
     * @return address space the pool holds on its device: its capacity (a growable pool's maximum).
     */
    public long reservedBytes()
    {
        return reservedBytes;
    }

    /**
     * @return device memory mapped now: a fixed pool's whole capacity; for a growable pool, the granules
     * mapped so far and not trimmed.
     */
    public long mappedBytes()
    {
        return mappedBytes;
    }

    /**
     * @return the most device memory the pool has had mapped at once since it was built.
     */
    public long peakMappedBytes()
    {
        return peakMappedBytes;
    }

    /**
     * The policy's own figures (for example free blocks per buddy order, bytes in slabs).
     *
     * @return an immutable map from metric name to value.
     */
    public Map<String, Long> policyMetrics()
    {
        return policyMetrics;
    }

    /**
     * External fragmentation: the share of free bytes that the largest free extent cannot serve,
     * {@code 1 - largestFreeExtent / freeBytes}; 0 when nothing is free.
     *
     * @return a value in {@code [0, 1)}.
     */
    public double externalFragmentation()
    {
        return freeBytes == 0 ? 0.0 : 1.0 - (double)largestFreeExtent / freeBytes;
    }

    /**
     * Internal waste: bytes the policy holds beyond what callers asked for, over what they asked for,
     * {@code (policyUsedBytes - cachedBytes) / bytesRequested - 1}; 0 when nothing is live.
     *
     * @return a value {@code >= 0}.
     */
    public double internalWaste()
    {
        return bytesRequested == 0 ? 0.0 : (double)(policyUsedBytes - cachedBytes) / bytesRequested - 1.0;
    }

    @Override
    public String toString()
    {
        return "PoolStats{pool=" + poolName + ", policy=" + policy + ", device=" + device
            + ", capacity=" + capacity + ", inUse=" + bytesInUse + ", requested=" + bytesRequested
            + ", policyUsed=" + policyUsedBytes + ", free=" + freeBytes
            + ", largestFreeExtent=" + largestFreeExtent + ", freeExtents=" + freeExtentCount
            + ", live=" + liveSegments + ", held=" + bytesHeld + ", peakHeld=" + peakBytesHeld + ", allocations=" + allocations
            + ", frees=" + frees + ", failures=" + failures + ", guardViolations=" + guardViolations
            + ", cachedBytes=" + cachedBytes + ", cachedSegments=" + cachedSegments
            + ", reserved=" + reservedBytes + ", mapped=" + mappedBytes + ", peakMapped=" + peakMappedBytes
            + (policyMetrics.isEmpty() ? "" : ", policyMetrics=" + policyMetrics) + '}';
    }
}
