package io.carve.pool;

/**
 * Counters of a pool's segments, kept in parts: the pool's own part (guarded by the pool's lock) and one
 * part per thread cache (guarded by the cache's lock), so that a cached allocate or free touches no line
 * another thread writes. A part may go negative (a thread that only frees); the sum over all parts, taken
 * with every lock held, is exact.
 */
final class PoolCounters
{
    long allocations;
    long frees;
    long liveSegments;
    long bytesInUse;
    long bytesRequested;
    long guardViolations;

    void allocated(final long len, final long segmentSize)
    {
        allocations++;
        liveSegments++;
        bytesInUse += segmentSize;
        bytesRequested += len;
    }

    void freed(final long len, final long segmentSize)
    {
        frees++;
        liveSegments--;
        bytesInUse -= segmentSize;
        bytesRequested -= len;
    }

    void add(final PoolCounters other)
    {
        allocations += other.allocations;
        frees += other.frees;
        liveSegments += other.liveSegments;
        bytesInUse += other.bytesInUse;
        bytesRequested += other.bytesRequested;
        guardViolations += other.guardViolations;
    }
}
