package io.carve.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One thread's cache of freed segments for one pool: up to {@link #CLASSES} exact segment sizes, up to
 * {@link #DEPTH} segments each, and the thread's share of the pool's counters. Its owner parks the segments
 * it frees here and takes them back when it allocates the same size, without the pool's lock.
 *
 * <h2>Ownership</h2>
 * Everything here is guarded by this object's lock (it is a {@link SpinLock}): the owner takes it for
 * each cached allocate or free, and a thread that holds the pool's lock takes it to drain the cache (a
 * failing or waiting allocation), to read the counters (stats, verify) or to retire it (close, owner
 * ended). The one exception is {@link #mayTake(long)}: the owner reads its own fields without the lock as a
 * hint, which is safe because only the owner ever adds segments, so a stale read can only send the owner
 * to the slower path, never hand out a segment that is not here.
 *
 * <h2>Which sizes get a class</h2>
 * A class costs memory that other threads cannot use, so only sizes this thread repeats get one: a size
 * seen twice in a row (an allocation that missed, or a free) claims an empty class, preferring one not
 * used lately; if none is empty, an allocation's miss evicts a class chosen by CLOCK (second chance: a
 * used bit per class, set on every take or park). An allocation that misses on a size with a class of its own refills the class from the
 * policy in a batch that doubles on each miss up to {@code DEPTH / 2} (the producer of a producer/consumer
 * pair never frees, so it would otherwise take the pool's lock for every segment). A size that never
 * repeats never gets a class and costs one compare per call.
 *
 * <h2>Budget</h2>
 * Parked bytes never exceed the cache's lease, taken in chunks from the pool's budget, so everything
 * parked in all caches stays within the configured bound. A drain returns the lease.
 */
final class ThreadCache extends SpinLock
{
    /** Segment sizes a cache keeps at most. */
    static final int CLASSES = 4;
    /** Segments per size at most. */
    static final int DEPTH = 8;
    /** No segment: a class was empty. */
    static final long NONE = -1L;
    /** {@link #parkable} found no class for the size. */
    static final int NO_CLASS = -1;
    /** {@link #mayPark}: no class yet, but the size has repeated often enough to claim one. */
    static final int CANDIDATE = -2;
    /** Sightings in a row that earn a size a class. */
    static final int REPEATS = 2;
    /** {@link #parkable} returns {@code FULL - c} when class {@code c} is full. */
    static final int FULL = -3;

    /** The thread that owns this cache; null for the pool's depot, which the pool lock guards. */
    final Thread owner;
    /** The guard read-back buffer of operations under this cache's lock. */
    final byte[] scratch = new byte[Guards.MAX_GUARD];
    /** This thread's part of the pool's counters. */
    final PoolCounters counters = new PoolCounters();

    private final long[] sizes = new long[CLASSES];
    private final long[] slots = new long[CLASSES * DEPTH];
    /** The record-table leaf of each parked segment, so that taking one needs no table lookup. */
    private final long[][] slotLeaves = new long[CLASSES * DEPTH][];
    /** The leaf of the segment {@link #take} returned last. */
    private long[] takenLeaf;
    private final int[] counts = new int[CLASSES];
    private final int[] refills = new int[CLASSES];
    /** Second-chance bits: set when a class is used, cleared by an eviction's sweep (the CLOCK policy). */
    private final boolean[] used = new boolean[CLASSES];
    private int hand;
    /** The class {@link #classOf} found last: owner-confined. */
    private int lastClass;
    /** The last size seen without a class, and how many times in a row: owner-confined. */
    private long candidate;
    private int streak;
    private long parkedBytes;
    private long lease;
    private int guardCountdown;
    /** Set when the pool closes or the owner ended: nothing may be parked here any more. */
    boolean retired;

    ThreadCache(final Thread owner)
    {
        this.owner = owner;
    }

    /**
     * The class holding {@code segmentSize}, or {@link #NO_CLASS}: the class found last is tried first, since
     * one call's hint, take or park and the next call usually ask for the same size. Owner only.
     */
    private int classOf(final long segmentSize)
    {
        final long[] sizes = this.sizes;
        if (sizes[lastClass] == segmentSize)
        {
            return lastClass;
        }
        for (int c = 0; c < CLASSES; c++)
        {
            if (sizes[c] == segmentSize)
            {
                lastClass = c;
                return c;
            }
        }
        return NO_CLASS;
    }

    /**
     * Owner-only hint, without the lock: the class of {@code segmentSize} if it may hold a segment, else
     * {@link #NO_CLASS}. "None" is reliable (only the owner adds segments); a class must be confirmed by
     * {@link #take(int, long)} under the lock.
     */
    int mayTake(final long segmentSize)
    {
        final int c = classOf(segmentSize);
        return c != NO_CLASS && counts[c] > 0 ? c : NO_CLASS;
    }

    /**
     * Owner-only hint, without the lock: whether a free of {@code segmentSize} should try this cache: its
     * class, {@link #CANDIDATE} when the size repeats the last one seen (which claims a class), else
     * {@link #NO_CLASS}, recording the size.
     */
    int mayPark(final long segmentSize)
    {
        final int c = classOf(segmentSize);
        if (c != NO_CLASS)
        {
            return c;
        }
        return sighted(segmentSize) ? CANDIDATE : NO_CLASS;
    }

    /**
     * Counts a sighting of a size without a class (an allocation's miss or a free): true once it has been
     * seen {@link #REPEATS} times in a row, which earns it a class.
     */
    private boolean sighted(final long segmentSize)
    {
        if (candidate == segmentSize)
        {
            return ++streak >= REPEATS;
        }
        candidate = segmentSize;
        streak = 1;
        return false;
    }

    /**
     * Owner-only hint, without the lock: whether an allocation of {@code segmentSize} that missed this cache
     * has class work to do under the locks ({@link #missed}). Records the size otherwise.
     */
    boolean missNeedsWork(final long segmentSize)
    {
        return mayPark(segmentSize) != NO_CLASS;
    }

    /**
     * A parked segment of class {@code c} (from {@link #mayTake}), which must still hold exactly
     * {@code segmentSize}, or {@link #NONE}; the caller holds the lock.
     */
    long take(final int c, final long segmentSize)
    {
        if (sizes[c] != segmentSize || counts[c] == 0)
        {
            return NONE;
        }
        used[c] = true;
        parkedBytes -= segmentSize;
        final int slot = c * DEPTH + --counts[c];
        takenLeaf = slotLeaves[slot];
        return slots[slot];
    }

    /** The record-table leaf of the segment the last {@link #take} returned; the caller holds the lock. */
    long[] takenLeaf()
    {
        return takenLeaf;
    }

    /**
     * The class a freed segment of {@code segmentSize} may be parked in, claiming one for a size seen twice
     * in a row and taking lease from {@code budget} when needed; the caller holds the lock.
     *
     * @param hint what {@link #mayPark} said.
     * @return a class index; {@link #NO_CLASS} if the segment must go to the policy; or {@code -3 - c} when
     * class {@code c} is full and should be flushed under the pool's lock.
     */
    int parkable(final int hint, final long segmentSize, final AtomicLong budget, final long chunk)
    {
        int c = hint >= 0 && sizes[hint] == segmentSize ? hint : classOf(segmentSize);
        if (c == NO_CLASS)
        {
            if (hint != CANDIDATE)
            {
                return NO_CLASS;
            }
            c = claimEmptyClass(segmentSize);
            if (c == NO_CLASS)
            {
                return NO_CLASS;
            }
        }
        if (counts[c] == DEPTH)
        {
            return FULL - c;
        }
        return reserve(segmentSize, budget, chunk) ? c : NO_CLASS;
    }

    /**
     * Parks a segment in class {@code c} as {@link #parkable} allowed, with the leaf of its record; the caller
     * holds the lock.
     */
    void park(final int c, final long offset, final long segmentSize, final long[] leaf)
    {
        assert sizes[c] == segmentSize && counts[c] < DEPTH && parkedBytes + segmentSize <= lease;
        final int slot = c * DEPTH + counts[c]++;
        slots[slot] = offset;
        slotLeaves[slot] = leaf;
        parkedBytes += segmentSize;
        used[c] = true;
    }

    /**
     * A segment this thread freed was parked in class {@code c}: the thread frees this size itself, so its
     * misses need no batch refill (only a thread that allocates a size without freeing it does).
     */
    void freedInto(final int c)
    {
        refills[c] = 1;
    }

    /**
     * After an allocation of {@code segmentSize} missed this cache: claims a class for a size seen twice in
     * a row, evicting a class not used lately (CLOCK) if every class holds segments (its segments are
     * written to {@code evicted}), and says how many more segments of this size the caller should carve
     * into the class. The caller holds the pool's lock and this lock.
     *
     * @param evicted receives evicted offsets from index 1; {@code evicted[0]} is their count, their size
     *                is {@code evicted[DEPTH + 1]}.
     * @return segments to add with {@link #refill}, 0 for none.
     */
    int missed(final long segmentSize, final long[] evicted)
    {
        evicted[0] = 0;
        int c = classOf(segmentSize);
        if (c == NO_CLASS)
        {
            // The caller's hint (missNeedsWork) saw the size repeat often enough to claim a class.
            c = claimEmptyClass(segmentSize);
            if (c == NO_CLASS)
            {
                c = leastRecentlyUsed();
                evicted[DEPTH + 1] = sizes[c];
                while (counts[c] > 0)
                {
                    evicted[(int)++evicted[0]] = slots[c * DEPTH + --counts[c]];
                    parkedBytes -= sizes[c];
                }
                assign(c, segmentSize);
            }
            return 0;
        }
        used[c] = true;
        refills[c] = Math.min(DEPTH / 2, refills[c] * 2);
        return refills[c] - 1;
    }

    /**
     * Whether {@code segmentSize} more bytes may be parked (taking lease if needed): the caller is about to
     * {@link #refill} a segment.
     */
    boolean canRefill(final long segmentSize, final AtomicLong budget, final long chunk)
    {
        final int c = classOf(segmentSize);
        return c != NO_CLASS && counts[c] < DEPTH && reserve(segmentSize, budget, chunk);
    }

    /** Adds a segment carved for the class of its size; the caller checked {@link #canRefill}. */
    void refill(final long offset, final long segmentSize, final long[] leaf)
    {
        park(classOf(segmentSize), offset, segmentSize, leaf);
    }

    /** The segment size of class {@code c}; the caller holds the lock. */
    long classSize(final int c)
    {
        return sizes[c];
    }

    /**
     * Moves the {@code n} newest segments of class {@code c} out, for the caller to release to the policy;
     * the caller holds the pool's lock and this lock.
     *
     * @param flushed receives the offsets from index 1; {@code flushed[0]} is their count.
     */
    void flush(final int c, final int n, final long[] flushed)
    {
        flushed[0] = 0;
        while (flushed[0] < n && counts[c] > 0)
        {
            flushed[(int)++flushed[0]] = slots[c * DEPTH + --counts[c]];
            parkedBytes -= sizes[c];
        }
    }

    /**
     * Empties the cache into {@code drain} and returns its whole lease to {@code budget}; the caller holds
     * the pool's lock and this lock.
     *
     * @return the segments drained.
     */
    int drain(final ParkedSink drain, final AtomicLong budget)
    {
        int drained = 0;
        for (int c = 0; c < CLASSES; c++)
        {
            while (counts[c] > 0)
            {
                drain.segment(slots[c * DEPTH + --counts[c]], sizes[c]);
                drained++;
            }
        }
        parkedBytes = 0;
        budget.addAndGet(lease);
        lease = 0;
        return drained;
    }

    /**
     * Empties into {@code drain} every class not used since the last call, returning their lease to
     * {@code budget}, and starts the next period: for the depot, whose segments no thread owns. The caller
     * holds the pool's lock and this lock.
     *
     * @return the segments released.
     */
    int releaseIdle(final ParkedSink drain, final AtomicLong budget)
    {
        int released = 0;
        long bytes = 0;
        for (int c = 0; c < CLASSES; c++)
        {
            if (!used[c])
            {
                while (counts[c] > 0)
                {
                    drain.segment(slots[c * DEPTH + --counts[c]], sizes[c]);
                    bytes += sizes[c];
                    released++;
                }
            }
            used[c] = false;
        }
        parkedBytes -= bytes;
        lease -= bytes;
        if (bytes > 0)
        {
            budget.addAndGet(bytes);
        }
        return released;
    }

    /** Visits the parked segments without changing anything; the caller holds the lock. */
    void forEachParked(final ParkedSink visitor)
    {
        for (int c = 0; c < CLASSES; c++)
        {
            for (int i = 0; i < counts[c]; i++)
            {
                visitor.segment(slots[c * DEPTH + i], sizes[c]);
            }
        }
    }

    long parkedBytes()
    {
        return parkedBytes;
    }

    int parkedSegments()
    {
        int segments = 0;
        for (final int count : counts)
        {
            segments += count;
        }
        return segments;
    }

    long lease()
    {
        return lease;
    }

    /**
     * Moves up to {@code n} parked segments of {@code segmentSize} from this cache to {@code to}, with the
     * lease that covers them, claiming an empty class of {@code to} if it has none for the size. The caller
     * holds the pool's lock and both caches' locks.
     *
     * @return the segments moved.
     */
    int moveTo(final ThreadCache to, final long segmentSize, final int n)
    {
        final int from = classOf(segmentSize);
        if (from == NO_CLASS)
        {
            return 0;
        }
        int into = to.classOf(segmentSize);
        if (into == NO_CLASS)
        {
            into = to.claimEmptyClass(segmentSize);
            if (into == NO_CLASS)
            {
                return 0;
            }
        }
        int moved = 0;
        while (moved < n && counts[from] > 0 && to.counts[into] < DEPTH)
        {
            final int slot = from * DEPTH + --counts[from];
            parkedBytes -= segmentSize;
            lease -= segmentSize;
            to.lease += segmentSize;
            to.park(into, slots[slot], segmentSize, slotLeaves[slot]);
            moved++;
        }
        return moved;
    }

    /**
     * Makes sure a class holds {@code segmentSize}: its own, an empty one, or one evicted by CLOCK, whose
     * segments are written to {@code evicted} (from index 1, {@code evicted[0]} their count, their size at
     * {@code evicted[DEPTH + 1]}) for the caller to release. For the depot; the caller holds the pool's lock
     * and this lock.
     */
    void claimClass(final long segmentSize, final long[] evicted)
    {
        evicted[0] = 0;
        if (classOf(segmentSize) != NO_CLASS || claimEmptyClass(segmentSize) != NO_CLASS)
        {
            return;
        }
        final int c = leastRecentlyUsed();
        evicted[DEPTH + 1] = sizes[c];
        while (counts[c] > 0)
        {
            evicted[(int)++evicted[0]] = slots[c * DEPTH + --counts[c]];
            parkedBytes -= sizes[c];
        }
        assign(c, segmentSize);
    }

    /** Whether a class holds {@code segmentSize} (empty or not); owner only. */
    boolean hasClass(final long segmentSize)
    {
        return classOf(segmentSize) != NO_CLASS;
    }

    /** Segments parked in the class of {@code segmentSize}; the caller holds the lock. */
    int parked(final long segmentSize)
    {
        final int c = classOf(segmentSize);
        return c == NO_CLASS ? 0 : counts[c];
    }

    /**
     * Returns to {@code budget} the lease this cache holds beyond its parked bytes plus {@code keep}. Taking
     * a segment leaves its lease with the cache, and segments moved in from the depot bring theirs, so a
     * thread that only allocates would otherwise gather lease until the budget ran dry for every other
     * thread. The caller holds the pool's lock and this lock.
     */
    void trimLease(final AtomicLong budget, final long keep)
    {
        final long excess = lease - parkedBytes - keep;
        if (excess > 0)
        {
            lease -= excess;
            budget.addAndGet(excess);
        }
    }

    /** Sampled guards: true for one segment in {@code interval} allocated through this cache. */
    boolean sampleGuard(final int interval)
    {
        if (--guardCountdown <= 0)
        {
            guardCountdown = interval;
            return true;
        }
        return false;
    }

    private boolean reserve(final long segmentSize, final AtomicLong budget, final long chunk)
    {
        final long need = parkedBytes + segmentSize - lease;
        if (need <= 0)
        {
            return true;
        }
        while (true)
        {
            final long available = budget.get();
            if (available < need)
            {
                return false;
            }
            // Take lease for half a class at once (at least a chunk), so a thread parking a stream of one
            // size touches the shared budget once every few segments rather than on every free.
            final long take = Math.min(Math.max(need, Math.max(chunk, (DEPTH / 2) * segmentSize)), available);
            if (budget.compareAndSet(available, available - take))
            {
                lease += take;
                return true;
            }
        }
    }

    private int claimEmptyClass(final long segmentSize)
    {
        int best = NO_CLASS;
        for (int c = 0; c < CLASSES; c++)
        {
            if (counts[c] == 0 && (best == NO_CLASS || used[best] && !used[c]))
            {
                best = c;
            }
        }
        if (best != NO_CLASS)
        {
            assign(best, segmentSize);
        }
        return best;
    }

    /** The CLOCK victim: the first class, from the hand on, not used since the hand last passed it. */
    private int leastRecentlyUsed()
    {
        while (used[hand])
        {
            used[hand] = false;
            hand = (hand + 1) % CLASSES;
        }
        final int victim = hand;
        hand = (hand + 1) % CLASSES;
        return victim;
    }

    private void assign(final int c, final long segmentSize)
    {
        assert counts[c] == 0;
        sizes[c] = segmentSize;
        refills[c] = 1;
        used[c] = true;
        candidate = 0;
        streak = 0;
    }

    /** Receives parked segments. */
    @FunctionalInterface
    interface ParkedSink
    {
        void segment(long offset, long segmentSize);
    }
}
