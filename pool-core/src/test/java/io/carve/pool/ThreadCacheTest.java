package io.carve.pool;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-thread cache alone: which sizes get a class, leases, depth, eviction and hand-over. */
class ThreadCacheTest
{
    private static final long M = 1024;
    private static final long[] LEAF = new long[512];

    private final ThreadCache cache = new ThreadCache(Thread.currentThread());
    private final AtomicLong budget = new AtomicLong(1L << 20);

    /** Sees {@code m} once without parking, so that the next free of it claims a class. */
    private void prime(final ThreadCache into, final long m)
    {
        assertFalse(free(into, -1, m));
    }

    /** Frees {@code m} as the pool does: the hint, then a park under the lock if a class takes it. */
    private boolean free(final ThreadCache into, final long offset, final long m)
    {
        final int hint = into.mayPark(m);
        if (hint == ThreadCache.NO_CLASS)
        {
            return false;
        }
        final int c = into.parkable(hint, m, budget, 4096);
        if (c < 0)
        {
            return false;
        }
        into.park(c, offset, m, LEAF);
        return true;
    }

    @Test
    void shouldGiveAClassOnlyToASizeSeenTwiceInARow()
    {
        assertFalse(free(cache, 0, M), "a size seen once goes to the policy");
        assertFalse(free(cache, 1024, 2 * M), "another size resets the streak");
        assertTrue(free(cache, 2048, 2 * M), "the second sighting in a row claims a class");
        assertEquals(1, cache.parkedSegments());
        assertEquals(2 * M, cache.parkedBytes());
        final int c = cache.mayTake(2 * M);
        assertEquals(2048, cache.take(c, 2 * M));
        assertEquals(ThreadCache.NO_CLASS, cache.mayTake(2 * M), "empty again");
        assertEquals(ThreadCache.NO_CLASS, cache.mayTake(M));
    }

    @Test
    void shouldNeverParkBeyondItsLeaseOrTheBudget()
    {
        budget.set(3 * M);
        prime(cache, M);
        for (int i = 1; i <= 3; i++)
        {
            assertTrue(free(cache, i * M, M));
        }
        assertFalse(free(cache, 4 * M, M), "the budget is spent");
        assertEquals(3 * M, cache.lease());
        assertEquals(0, budget.get());
        cache.drain((offset, size) -> { }, budget);
        assertEquals(3 * M, budget.get(), "a drain returns the whole lease");
        assertEquals(0, cache.lease());
    }

    @Test
    void shouldAskForAFlushWhenAClassIsFull()
    {
        prime(cache, M);
        for (int i = 0; i < ThreadCache.DEPTH; i++)
        {
            assertTrue(free(cache, (i + 1) * M, M));
        }
        final int hint = cache.mayPark(M);
        final int full = cache.parkable(hint, M, budget, 4096);
        assertTrue(full <= ThreadCache.FULL, "full=" + full);
        final long[] flushed = new long[ThreadCache.DEPTH + 2];
        cache.flush(ThreadCache.FULL - full, ThreadCache.DEPTH / 2, flushed);
        assertEquals(ThreadCache.DEPTH / 2, flushed[0]);
        assertEquals(ThreadCache.DEPTH / 2, cache.parkedSegments());
    }

    @Test
    void shouldEvictAClassNotUsedLatelyWhenEveryClassHoldsSegments()
    {
        final long[] evicted = new long[ThreadCache.DEPTH + 2];
        for (int k = 1; k <= ThreadCache.CLASSES; k++)
        {
            prime(cache, k * M);
            assertTrue(free(cache, k * 100 * M, k * M));
        }
        assertFalse(cache.missNeedsWork(5 * M), "a size seen once does not evict");
        assertTrue(cache.missNeedsWork(5 * M));
        cache.missed(5 * M, evicted);
        assertEquals(1, evicted[0], "every class was used: the sweep clears them all and takes the first");
        assertEquals(M, evicted[ThreadCache.DEPTH + 1]);
        assertTrue(free(cache, 500 * M, 5 * M), "the new class takes segments");
        // Use the 2M and 4M classes again; 3M is the one not used since the sweep.
        for (final long used : new long[] {2 * M, 4 * M})
        {
            final int c = cache.mayTake(used);
            final long offset = cache.take(c, used);
            cache.park(c, offset, used, LEAF);
        }
        assertFalse(cache.missNeedsWork(7 * M), "a size seen once does not evict");
        assertTrue(cache.missNeedsWork(7 * M));
        cache.missed(7 * M, evicted);
        assertEquals(1, evicted[0]);
        assertEquals(3 * M, evicted[ThreadCache.DEPTH + 1], "the class not used lately");
        assertEquals(300 * M, evicted[1]);
        assertEquals(ThreadCache.NO_CLASS, cache.mayTake(3 * M));
        assertTrue(cache.mayTake(2 * M) != ThreadCache.NO_CLASS && cache.mayTake(4 * M) != ThreadCache.NO_CLASS);
    }

    @Test
    void shouldMoveSegmentsWithTheirLeaseToAnotherCache()
    {
        final ThreadCache depot = new ThreadCache(null);
        prime(cache, M);
        for (int i = 1; i <= 4; i++)
        {
            free(cache, i * M, M);
        }
        final long before = cache.lease() + depot.lease() + budget.get();
        assertEquals(3, cache.moveTo(depot, M, 3));
        assertEquals(1, cache.parkedSegments());
        assertEquals(3, depot.parkedSegments());
        assertEquals(3 * M, depot.lease(), "the lease moved with the segments");
        assertEquals(before, cache.lease() + depot.lease() + budget.get(), "no lease made or lost");
        final List<Long> taken = new ArrayList<>();
        depot.forEachParked((offset, size) -> taken.add(offset));
        assertEquals(List.of(4 * M, 3 * M, 2 * M), taken);
        assertEquals(0, depot.moveTo(cache, 5 * M, 1), "no class of that size");
    }

    @Test
    void shouldGiveBackLeaseItNoLongerNeeds()
    {
        final ThreadCache depot = new ThreadCache(null);
        prime(depot, M);
        for (int i = 1; i <= 4; i++)
        {
            free(depot, i * M, M);
        }
        final long total = budget.get() + depot.lease() + cache.lease();
        prime(cache, M);
        assertTrue(free(cache, 100 * M, M));
        cache.take(cache.mayTake(M), M);
        assertEquals(4, depot.moveTo(cache, M, 4));
        for (int i = 0; i < 4; i++)
        {
            cache.take(cache.mayTake(M), M);
        }
        assertEquals(0, cache.parkedBytes());
        assertTrue(cache.lease() >= 5 * M, "moved segments brought their lease: " + cache.lease());
        cache.trimLease(budget, M);
        assertEquals(M, cache.lease(), "nothing parked: one segment's worth kept");
        assertEquals(total, budget.get() + depot.lease() + cache.lease(), "no lease made or lost");
    }

    @Test
    void shouldSampleOneGuardInEachInterval()
    {
        int guarded = 0;
        for (int i = 0; i < 160; i++)
        {
            guarded += cache.sampleGuard(16) ? 1 : 0;
        }
        assertEquals(10, guarded);
    }
}
