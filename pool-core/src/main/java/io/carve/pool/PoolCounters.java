package io.carve.pool;

/**
 * Counters of a pool's segments, kept in parts: the pool's own part (guarded by the pool's lock) and one
 * part per thread cache (guarded by the cache's lock), so that a cached allocate or free touches no line
 * another thread writes. A part may go negative (a thread that only frees); the sum over all parts, taken
 * with every lock held, is exact. Only what cannot be derived is counted on the hot path: live segments are
 * {@code allocations - frees}, and their segment bytes are the pool's held bytes less the parked bytes.
 */
final class PoolCounters
{
    long allocations;
    long frees;
    long bytesRequested;
    long guardViolations;

    void allocated(final long len)
    {
        allocations++;
        bytesRequested += len;
    }

    void freed(final long len)
    {
        frees++;
        bytesRequested -= len;
    }

    long liveSegments()
    {
        return allocations - frees;
    }

    void add(final PoolCounters other)
    {
        allocations += other.allocations;
        frees += other.frees;
        bytesRequested += other.bytesRequested;
        guardViolations += other.guardViolations;
    }
}
