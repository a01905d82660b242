package io.carve.pool;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A pool's cache of freed segments: one {@link ThreadCache} per thread that uses the pool, a registry of
 * them, and the budget that bounds everything they park. Netty splits its allocator the same way: the
 * arena (shared, locked) and the per-thread cache, which is freed when its thread ends.
 *
 * <h2>Lifecycle of a thread's cache</h2>
 * <ol>
 *   <li>A platform thread's first cached call creates its cache and registers it, under the pool's lock,
 *       unless the pool is closed. Virtual threads get none: there may be millions, each short-lived, so
 *       they go straight to the pool's lock.</li>
 *   <li>The owner parks and takes segments under the cache's own lock.</li>
 *   <li>A thread that holds the pool's lock drains caches ({@link #drain}) when an allocation would fail
 *       or waits, and retires them when the pool closes.</li>
 *   <li>When the owner has ended, its cache is reclaimed: its segments go back to the policy, its counters
 *       fold into the pool's, its lease returns to the budget and it leaves the registry. What it had
 *       handed to the depot goes back too once no thread has used that size for a period of locked
 *       allocations. Every
 *       registration reclaims all ended owners' caches, and every allocation that takes the pool's lock
 *       looks at one registered cache in turn, so memory parked by a thread that ended returns to use
 *       within as many locked allocations as there are caches, without waiting for a failure, and the
 *       registry never holds more than the live threads and those that ended since.</li>
 * </ol>
 * A cache holds no reference to its pool, so a thread that outlives the pool does not keep it reachable.
 *
 * <h2>Threading</h2>
 * The registry, the reclaim cursor and every call here except {@link #local()} are guarded by the pool's
 * lock; the caches themselves by their own locks, always taken after the pool's.
 */
final class SegmentCache
{
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();
    /** Slots of the by-thread index; a power of two. */
    private static final int SLOTS = 64;

    private final SpinLock poolLock;
    private final ThreadLocal<ThreadCache> local;
    /**
     * The thread whose id maps to each slot and its cache, so that the hot path finds its cache with a few
     * loads instead of a {@link ThreadLocal} lookup. Two arrays, written under the pool's lock and read
     * without it: a thread compares the owner first, so a thread whose slot another thread holds never reads
     * that thread's (hot) cache, then checks the cache's own final owner, so a slot changing hands is never
     * mistaken for its own; a reader that sees a cache sees its final fields initialised.
     */
    private final Thread[] slotOwners = new Thread[SLOTS];
    private final ThreadCache[] slotCaches = new ThreadCache[SLOTS];
    private final List<ThreadCache> registry = new ArrayList<>();
    /**
     * Where a thread's full class sends half of its segments, and where a thread's miss refills from before
     * carving: the hand-over of segments between a thread that frees and one that allocates, without the
     * policy. Guarded by the pool's lock (and its own, for uniformity with the registry's walks).
     */
    private final ThreadCache depot = new ThreadCache(null);
    private final AtomicLong budget;
    private final long bound;
    private final long chunk;
    private final PoolCounters retiredCounters;
    private final ThreadCache.ParkedSink release;
    private boolean closed;
    private int cursor;

    /**
     * @param poolLock        the pool's lock, taken to register a new cache.
     * @param bound           the most bytes all caches may park together, {@code > 0}.
     * @param retiredCounters the pool's counters, into which a reclaimed cache's counters fold.
     * @param release         returns a parked segment to the policy; called with the pool's lock held.
     */
    SegmentCache(
        final SpinLock poolLock, final long bound, final PoolCounters retiredCounters, final ThreadCache.ParkedSink release)
    {
        assert bound > 0;
        this.poolLock = poolLock;
        this.bound = bound;
        this.budget = new AtomicLong(bound);
        this.chunk = Math.max(MIN_CHUNK, bound / 64);
        this.retiredCounters = retiredCounters;
        this.release = release;
        this.local = ThreadLocal.withInitial(this::register);
        registry.add(depot);
    }

    /** The depot; the caller holds the pool's lock. */
    ThreadCache depot()
    {
        return depot;
    }

    private static final long MIN_CHUNK = 64 * 1024;

    /**
     * The calling thread's cache, created and registered on first use; {@code null} on a virtual thread or
     * once the pool is closed. Call it without holding the pool's lock.
     */
    ThreadCache local()
    {
        final Thread current = Thread.currentThread();
        final int slot = (int)current.getId() & (SLOTS - 1);
        if (slotOwners[slot] == current)
        {
            // The slot may be changing hands: the cache's own (final) owner settles it. In the normal case
            // this reads the caller's own cache, a line no other thread writes.
            final ThreadCache mine = slotCaches[slot];
            if (mine != null && mine.owner == current)
            {
                return mine;
            }
        }
        return local.get();
    }

    /** The budget leases are taken from. */
    AtomicLong budget()
    {
        return budget;
    }

    /** The lease chunk. */
    long chunk()
    {
        return chunk;
    }

    /** The configured bound on parked bytes. */
    long bound()
    {
        return bound;
    }

    private ThreadCache register()
    {
        final Thread thread = Thread.currentThread();
        if (isVirtual(thread))
        {
            return null;
        }
        final ThreadCache cache = new ThreadCache(thread);
        poolLock.lock();
        try
        {
            if (closed)
            {
                return null;
            }
            reclaimEnded(true);
            registry.add(cache);
            final int slot = (int)thread.getId() & (SLOTS - 1);
            slotOwners[slot] = null;
            slotCaches[slot] = cache;
            slotOwners[slot] = thread;
        }
        finally
        {
            poolLock.unlock();
        }
        return cache;
    }

    /**
     * Reclaims the caches of owners that ended: all of them when {@code all}, else the next one in turn.
     * The caller holds the pool's lock.
     */
    void reclaimEnded(final boolean all)
    {
        if (registry.isEmpty())
        {
            return;
        }
        if (!all)
        {
            cursor = cursor + 1 < registry.size() ? cursor + 1 : 0;
            final ThreadCache cache = registry.get(cursor);
            if (cache.owner != null && !cache.owner.isAlive())
            {
                reclaim(cache);
                registry.remove(cursor);
            }
            return;
        }
        for (int i = registry.size() - 1; i >= 0; i--)
        {
            final ThreadCache cache = registry.get(i);
            if (cache.owner != null && !cache.owner.isAlive())
            {
                reclaim(cache);
                registry.remove(i);
            }
        }
    }

    private void reclaim(final ThreadCache cache)
    {
        final int slot = (int)cache.owner.getId() & (SLOTS - 1);
        if (slotCaches[slot] == cache)
        {
            slotOwners[slot] = null;
            slotCaches[slot] = null;
        }
        cache.lock();
        try
        {
            cache.drain(release, budget);
            retiredCounters.add(cache.counters);
            cache.retired = true;
        }
        finally
        {
            cache.unlock();
        }
    }

    /**
     * Releases to the policy what the depot holds in classes no thread used since the last call, so memory
     * that flowed there from a thread that stopped (or ended) does not stay parked; the caller holds the
     * pool's lock.
     */
    void trimDepot()
    {
        depot.lock();
        try
        {
            depot.releaseIdle(release, budget);
        }
        finally
        {
            depot.unlock();
        }
    }

    /**
     * Empties every cache back to the policy; the caller holds the pool's lock.
     *
     * @return the segments drained.
     */
    long drain()
    {
        long drained = 0;
        for (final ThreadCache cache : registry)
        {
            cache.lock();
            try
            {
                drained += cache.drain(release, budget);
            }
            finally
            {
                cache.unlock();
            }
        }
        return drained;
    }

    /**
     * Closes the cache: every registered cache is retired (emptied without releasing, since the block goes
     * back whole) after any call in progress under its lock has finished; no cache registers afterwards.
     * The caller holds the pool's lock.
     */
    void close()
    {
        closed = true;
        for (final ThreadCache cache : registry)
        {
            cache.lock();
            try
            {
                cache.drain((offset, segmentSize) -> { }, budget);
                cache.retired = true;
            }
            finally
            {
                cache.unlock();
            }
        }
        registry.clear();
        java.util.Arrays.fill(slotOwners, null);
        java.util.Arrays.fill(slotCaches, null);
    }

    /** Takes every cache's lock, in registry order; the caller holds the pool's lock. */
    void lockAll()
    {
        for (final ThreadCache cache : registry)
        {
            cache.lock();
        }
    }

    /** Releases what {@link #lockAll()} took. */
    void unlockAll()
    {
        for (int i = registry.size() - 1; i >= 0; i--)
        {
            registry.get(i).unlock();
        }
    }

    /** The registered caches; the caller holds the pool's lock (and theirs, to read them). */
    List<ThreadCache> caches()
    {
        return registry;
    }

    private static boolean isVirtual(final Thread thread)
    {
        if (IS_VIRTUAL == null)
        {
            return false;
        }
        try
        {
            return (boolean)IS_VIRTUAL.invokeExact(thread);
        }
        catch (final Throwable e)
        {
            throw new IllegalStateException("Thread.isVirtual failed", e);
        }
    }

    /** {@code Thread.isVirtual()} on JDK 21+, null before. */
    private static MethodHandle isVirtualHandle()
    {
        try
        {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        }
        catch (final NoSuchMethodException | IllegalAccessException e)
        {
            return null;
        }
    }
}
