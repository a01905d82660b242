package io.carve.pool;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.device.DeviceBlock;
import io.carve.pool.device.DeviceMemory;
import io.carve.pool.device.VirtualMemoryDevice;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool: composes the device block, the policy, the alignment profile, the guards, the
 * {@link SegmentTable} of records and the {@link SegmentCache} of freed segments.
 *
 * <h2>The way of one allocation</h2>
 * <pre>
 * allocate(len) -&gt; closed? checks; m = ALIGN_UP(len,32) + tail; m &lt;= the policy's largest possible block
 *               -&gt; this thread's cache has a segment of exactly m?      (a hint read without any lock)
 *                    cache lock: take it, fill guards, record LIVE       one lock, no shared line
 *               -&gt; else pool lock: policy.allocate(m, a)                on failure: drain every cache,
 *                    install the record's leaf, fill guards,            retry; then the listener, then
 *                    record LIVE, maybe refill the thread's cache       wait or fail
 * free(address) -&gt; closed? checks; the record at the offset must be LIVE (lock-free read)
 *               -&gt; this thread's cache wants m?
 *                    cache lock: check guards, CAS LIVE -&gt; PARKED, park  one lock
 *               -&gt; else pool lock: CAS LIVE -&gt; FREED, check guards,
 *                    policy.free, wake waiters
 * </pre>
 *
 * <h2>Who owns what (each field's guard, and the edge that publishes it)</h2>
 * <ul>
 *   <li>The <b>pool lock</b> ({@link SpinLock}) guards the policy, the pool's part of the counters,
 *       {@code heldBytes} and its peak, the cache registry, the leaf directories of the table, and
 *       {@code closed} and {@code waiters} changes. Releasing it publishes all of them to the next holder.</li>
 *   <li>A <b>thread cache's lock</b> guards that cache's parked segments, lease and counters.</li>
 *   <li>A <b>record</b> in the table changes only in a critical section of the pool lock or of the
 *       changing thread's own cache lock, by a release store (a segment the thread holds exclusively: just
 *       carved, or taken from its cache) or a compare-and-set (a free, which must beat a concurrent
 *       double free). A caller that hands an address to another thread publishes the record with it.</li>
 *   <li>Memory is touched (guard fill and check) only inside one of those critical sections.</li>
 * </ul>
 * Lock order: the pool lock, then thread caches (a thread holding a cache lock never takes the pool lock,
 * and only the pool-lock holder takes more than one cache lock).
 *
 * <h2>Lifecycle: close</h2>
 * {@link #close()} takes the pool lock, sets {@code closed}, then takes every registered cache's lock in
 * turn before the block goes back. A call in progress holds one of those locks while it touches memory,
 * so it completes first; every call checks {@code closed} after taking its lock, so any later call throws
 * {@link PoolClosedException} without touching memory or returning an address. A thread registers its
 * cache under the pool lock and only while open, so no cache escapes the sweep.
 *
 * <h2>Lifecycle: waiting</h2>
 * A timed allocation increments {@code waiters} under the pool lock and only then drains every cache
 * (taking each cache's lock) and retries. A free that would park reads {@code waiters} under its cache's
 * lock: either the waiter's drain took that lock later and found the segment, or the free saw the waiter
 * and released the segment to the policy instead. Every release to the policy while a thread waits bumps
 * {@code epoch} under the pool lock and signals; a waiter reads {@code epoch} before unlocking and sleeps
 * only while it is unchanged, so no release between its last attempt and its sleep is missed. At the
 * deadline a last attempt (with a drain) is made before failing.
 *
 * <h2>Exactness</h2>
 * Every state change (record, counters, cache contents, policy) happens inside one critical section, so
 * {@link #stats()} and {@link #verify()}, which take the pool lock and every cache's lock, see no change
 * half-made: their figures are exact at that instant, under any load.
 */
final class CarvedSegmentPool implements SegmentPool
{
    private static final System.Logger LOGGER = System.getLogger(SegmentPool.class.getName());
    /** Locked allocations between looks at one registered cache whose owner may have ended. */
    static final int RECLAIM_INTERVAL = 64;

    private final String name;
    private final String deviceName;
    private final long capacity;
    private final AlignmentProfile profile;
    private final long poolAlignment;
    private final AllocationPolicy policy;
    private final long[] maximumAllocation;
    /** A fixed pool's one block; null for a growable pool. */
    private final DeviceBlock block;
    /** A growable pool's range and its mapped granules; null for a fixed pool. Guarded by the pool lock. */
    private final MappedSpace space;
    private final long trimThreshold;
    private final DeviceMemory memoryView;
    private final long base;
    private final Guards guards;
    private final int guardInterval;
    private final LeakAction leakAction;
    private final AllocationListener listener;
    private final LeakTracking leakTracking;
    private final ConcurrentHashMap<Long, Throwable> sites;
    private final SegmentTable table;
    private final SegmentCache cache;

    private final SpinLock lock = new SpinLock();
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition spaceFreed = waitLock.newCondition();

    private volatile boolean closed;
    /** The recording running now, or null: one volatile read per call when none runs. */
    private volatile EventRecorder recorder;
    private final int recordingBufferEvents;
    private volatile int waiters;
    private volatile long epoch;

    // Guarded by lock.
    private final PoolCounters counters = new PoolCounters();
    private final byte[] scratch = new byte[Guards.MAX_GUARD];
    private final long[] spill = new long[ThreadCache.DEPTH + 2];
    private long heldBytes;
    private long peakHeldBytes;
    private long failures;
    /** Written under the pool lock, read without it when explaining an invalid free. */
    private volatile long longestSegment;
    private int guardCountdown;
    private int reclaimTick;
    private boolean released;
    /** Idle mapped bytes above which a release trims automatically; raised after each trim. */
    private long autoTrimAt;

    CarvedSegmentPool(final SegmentPoolBuilder builder)
    {
        this.name = builder.name();
        this.deviceName = builder.device().name();
        this.profile = builder.alignment();
        this.poolAlignment = profile.startAlignment();
        this.leakAction = builder.leakAction();
        this.listener = builder.listener();
        this.leakTracking = builder.leakTracking();
        this.sites = leakTracking == LeakTracking.OFF ? null : new ConcurrentHashMap<>();
        this.guardInterval = builder.guardMode() == GuardMode.SAMPLED ? builder.guardSampleInterval() : 1;
        final VirtualMemoryDevice growable = builder.maximumCapacity() > 0 ? (VirtualMemoryDevice)builder.device() : null;
        final long granularity = growable == null ? 1 : growable.granularity();
        this.capacity = growable == null ? builder.capacity() : Align.alignUp(builder.maximumCapacity(), granularity);
        final long initial = growable == null ? capacity : Math.min(capacity, Align.alignUp(builder.initialCapacity(), granularity));
        this.trimThreshold = builder.trimThreshold();
        this.recordingBufferEvents = builder.recordingBufferEvents();
        this.autoTrimAt = trimThreshold;
        this.table = new SegmentTable(capacity);
        final long cacheBytes = builder.sizeClassCacheBytes() < 0 ? capacity / 16 : builder.sizeClassCacheBytes();
        this.cache = cacheBytes == 0 ? null : new SegmentCache(lock, cacheBytes, counters, this::releaseLocked);
        this.policy = builder.policy().create(capacity, profile);
        if (policy.capacity() != capacity)
        {
            throw new IllegalStateException("policy " + policy.name() + " manages capacity=" + policy.capacity()
                + ", expected " + capacity);
        }
        this.maximumAllocation = new long[Long.numberOfTrailingZeros(poolAlignment) + 1];
        for (int k = 0; k < maximumAllocation.length; k++)
        {
            maximumAllocation[k] = policy.maximumAllocation(1L << k);
        }
        if (growable != null)
        {
            if (initial < capacity && !policy.reserve(initial, capacity - initial))
            {
                throw new IllegalArgumentException("policy " + policy.name() + " cannot serve a growable pool: it"
                    + " does not reserve ranges (AllocationPolicy.reserve)");
            }
            if (poolAlignment > granularity)
            {
                throw new IllegalArgumentException("the pool's alignment exceeds the device's granularity: alignment="
                    + poolAlignment + ", granularity=" + granularity);
            }
            final long step = builder.growthStep() == 0 ? granularity : Align.alignUp(builder.growthStep(), granularity);
            this.space = new MappedSpace(growable, capacity, poolAlignment, initial, step);
            this.block = null;
            this.base = space.range().address();
            this.memoryView = new MemoryView(space.range());
            this.guards = builder.guardMode() == GuardMode.OFF ? null : new Guards(space.range());
            return;
        }
        this.space = null;
        final DeviceBlock taken = builder.device().allocate(capacity, poolAlignment);
        if (taken.size() < capacity || (taken.address() & (poolAlignment - 1)) != 0 || taken.address() == 0
            || taken.address() > Long.MAX_VALUE - capacity)
        {
            taken.close();
            throw new IllegalStateException("device " + deviceName + " returned a block that breaks its contract: "
                + taken + ", asked for size=" + capacity + ", alignment=" + poolAlignment);
        }
        this.block = taken;
        this.base = taken.address();
        this.memoryView = new MemoryView(taken);
        this.guards = builder.guardMode() == GuardMode.OFF ? null : new Guards(taken);
    }

    @Override
    public io.carve.pool.record.Recording startRecording(final java.nio.file.Path file)
    {
        if (file == null)
        {
            throw new IllegalArgumentException("file must not be null");
        }
        lock.lock();
        try
        {
            checkOpen("startRecording");
            if (recorder != null)
            {
                throw new IllegalStateException("pool '" + name + "' is already recording to " + recorder.file());
            }
            final EventRecorder[] self = new EventRecorder[1];
            self[0] = new EventRecorder(file, new io.carve.pool.record.RecordingFormat.Header(name, capacity,
                (int)poolAlignment, profile.tailBytes(), System.currentTimeMillis() * 1_000_000L),
                recordingBufferEvents, () -> detach(self[0]));
            recorder = self[0];
            return self[0];
        }
        finally
        {
            lock.unlock();
        }
    }

    private void detach(final EventRecorder stopped)
    {
        lock.lock();
        try
        {
            if (recorder == stopped)
            {
                recorder = null;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public io.carve.pool.record.Recording recording()
    {
        return recorder;
    }

    /** Records a free inside its critical section, before the segment can be handed out again. */
    private void recordFree(final long offset, final long len, final long m)
    {
        final EventRecorder r = recorder;
        if (r != null)
        {
            r.record(io.carve.pool.record.EventKind.FREE, offset, len, (int)poolAlignment,
                (int)(m - ((len + MemoryApi.GRANULE - 1) & -MemoryApi.GRANULE)));
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public long capacity()
    {
        return capacity;
    }

    @Override
    public long baseAddress()
    {
        return base;
    }

    @Override
    public AlignmentProfile alignment()
    {
        return profile;
    }

    @Override
    public DeviceMemory memory()
    {
        checkOpen("memory");
        return memoryView;
    }

    @Override
    public long allocate(final long len)
    {
        return carve(len, profile, true, 0);
    }

    @Override
    public long allocate(final long len, final AlignmentProfile requestProfile)
    {
        checkOpen("allocate");
        return carve(len, checkProfile(requestProfile), true, 0);
    }

    @Override
    public long tryAllocate(final long len)
    {
        return carve(len, profile, false, 0);
    }

    @Override
    public long tryAllocate(final long len, final AlignmentProfile requestProfile)
    {
        checkOpen("allocate");
        return carve(len, checkProfile(requestProfile), false, 0);
    }

    @Override
    public long allocate(final long len, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        checkOpen("allocate");
        if (timeout < 0)
        {
            throw new IllegalArgumentException("timeout must not be negative: timeout=" + timeout);
        }
        if (unit == null)
        {
            throw new IllegalArgumentException("unit must not be null");
        }
        if (Thread.interrupted())
        {
            throw new InterruptedException("interrupted before allocating len=" + len + " from pool '" + name + "'");
        }
        try
        {
            return carve(len, profile, true, Math.max(1, unit.toNanos(timeout)));
        }
        catch (final WaitInterrupted e)
        {
            throw new InterruptedException(e.getMessage());
        }
    }

    private AlignmentProfile checkProfile(final AlignmentProfile requestProfile)
    {
        if (requestProfile == null)
        {
            throw new IllegalArgumentException("profile must not be null");
        }
        if (!profile.canServe(requestProfile))
        {
            throw new IllegalArgumentException("pool '" + name + "' is aligned to " + poolAlignment
                + " bytes and cannot serve profile " + requestProfile.name() + ": startAlignment="
                + requestProfile.startAlignment());
        }
        return requestProfile;
    }

    /**
     * @param waitNanos 0 for no waiting; otherwise how long a failed allocation may wait for frees.
     */
    private long carve(final long len, final AlignmentProfile rule, final boolean throwOnExhaustion, final long waitNanos)
    {
        checkOpen("allocate");
        final long m = rule.segmentSize(len);
        final long alignment = rule.startAlignment();
        final long largest = maximumAllocation[Long.numberOfTrailingZeros(alignment)];
        if (m > largest)
        {
            throw new IllegalArgumentException("len can never fit in pool '" + name + "': len=" + len + ", segment="
                + m + ", largest segment policy " + policy.name() + " can carve at alignment " + alignment + "="
                + largest + ", capacity=" + capacity);
        }
        final ThreadCache mine = cache == null ? null : cache.local();
        final int c = mine == null ? ThreadCache.NO_CLASS : mine.mayTake(m);
        if (c != ThreadCache.NO_CLASS)
        {
            final long address = takeCached(mine, c, len, m);
            if (address != NULL_ADDRESS)
            {
                return delivered(address, len, rule);
            }
        }
        final long address = carveLocked(len, m, alignment, mine, throwOnExhaustion, waitNanos, rule);
        return address == NULL_ADDRESS ? NULL_ADDRESS : delivered(address, len, rule);
    }

    /** Takes a parked segment of exactly {@code m} from class {@code c} of the caller's own cache, or returns 0. */
    private long takeCached(final ThreadCache mine, final int c, final long len, final long m)
    {
        mine.lock();
        try
        {
            checkOpen("allocate");
            return takeLocked(mine, c, len, m);
        }
        finally
        {
            mine.unlock();
        }
    }

    /** The body of a cached take; the caller holds the cache's lock and has checked that the pool is open. */
    private long takeLocked(final ThreadCache mine, final int c, final long len, final long m)
    {
        final long offset = mine.take(c, m);
        if (offset == ThreadCache.NONE)
        {
            return NULL_ADDRESS;
        }
        final long[] leaf = mine.takenLeaf();
        final int guardLength = (int)(m - len);
        final boolean guarded = guards != null && (guardInterval == 1 || mine.sampleGuard(guardInterval));
        if (guarded)
        {
            try
            {
                guards.arm(base + offset, len, guardLength);
            }
            catch (final RuntimeException e)
            {
                // The lease still covers it: take() left the lease alone.
                mine.refill(offset, m, leaf);
                throw e;
            }
        }
        SegmentTable.set(leaf, SegmentTable.entry(offset), SegmentRecord.live(len, guardLength, guarded));
        mine.counters.allocated(len);
        return base + offset;
    }

    /** The segment reaches its caller: leak site, listener; a listener that throws gets it freed again. */
    private long delivered(final long address, final long len, final AlignmentProfile rule)
    {
        final EventRecorder r = recorder;
        if (r != null)
        {
            // Before the address escapes: any free of it is recorded later.
            r.record(io.carve.pool.record.EventKind.ALLOCATE, address - base, len, rule.startAlignment(), rule.tailBytes());
        }
        if (sites != null && (leakTracking == LeakTracking.PARANOID
            || ThreadLocalRandom.current().nextInt(LeakTracking.SAMPLING_INTERVAL) == 0))
        {
            sites.put(address - base, new Throwable("allocation site of len=" + len));
        }
        try
        {
            listener.onAllocate(address, len);
        }
        catch (final RuntimeException | Error e)
        {
            try
            {
                free(address);
            }
            catch (final RuntimeException suppressed)
            {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return address;
    }

    /** Carries an interrupted wait out to {@link #allocate(long, long, TimeUnit)}. */
    private static final class WaitInterrupted extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        WaitInterrupted(final String message)
        {
            super(message, null, false, false);
        }
    }

    private long carveLocked(
        final long len,
        final long m,
        final long alignment,
        final ThreadCache mine,
        final boolean throwOnExhaustion,
        final long waitNanos,
        final AlignmentProfile rule)
    {
        final long start = waitNanos > 0 ? System.nanoTime() : 0;
        while (true)
        {
            lock.lock();
            try
            {
                final long address = attemptLocked(len, m, alignment, mine);
                if (address != NULL_ADDRESS)
                {
                    return address;
                }
            }
            finally
            {
                unlockAndSignal();
            }
            if (listener.onFailure(len, m))
            {
                continue;
            }
            if (waitNanos > 0)
            {
                final long address = waitForSpace(len, m, alignment, mine, start + waitNanos);
                if (address != NULL_ADDRESS)
                {
                    return address;
                }
            }
            lock.lock();
            try
            {
                checkOpen("allocate");
                failures++;
                final EventRecorder r = recorder;
                if (r != null)
                {
                    r.record(io.carve.pool.record.EventKind.FAILURE, -1, len, rule.startAlignment(), rule.tailBytes());
                }
                if (!throwOnExhaustion)
                {
                    return NULL_ADDRESS;
                }
                throw exhausted(len, m, alignment, waitNanos > 0 ? System.nanoTime() - start : 0);
            }
            finally
            {
                lock.unlock();
            }
        }
    }

    /**
     * Waits, registered as a waiter, until an attempt succeeds or the deadline passes (after a last
     * attempt); returns 0 then.
     */
    private long waitForSpace(final long len, final long m, final long alignment, final ThreadCache mine, final long deadline)
    {
        lock.lock();
        waiters++;
        try
        {
            while (true)
            {
                final long address = attemptLocked(len, m, alignment, mine);
                if (address != NULL_ADDRESS)
                {
                    return address;
                }
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return NULL_ADDRESS;
                }
                // Read the epoch before unlocking: a release after this point bumps it and wakes us.
                final boolean signal = released;
                released = false;
                if (signal)
                {
                    epoch++;
                }
                final long seen = epoch;
                lock.unlock();
                if (signal)
                {
                    signalWaiters();
                }
                try
                {
                    awaitRelease(seen, remaining, len);
                }
                finally
                {
                    lock.lock();
                }
            }
        }
        finally
        {
            waiters--;
            unlockAndSignal();
        }
    }

    private void awaitRelease(final long seen, final long remaining, final long len)
    {
        waitLock.lock();
        try
        {
            long nanos = remaining;
            while (epoch == seen && nanos > 0)
            {
                nanos = spaceFreed.awaitNanos(nanos);
            }
        }
        catch (final InterruptedException e)
        {
            throw new WaitInterrupted("interrupted while waiting for len=" + len + " from pool '" + name + "'");
        }
        finally
        {
            waitLock.unlock();
        }
    }

    /**
     * One try under the pool lock: the policy, then, if that fails, every cache drained and the policy
     * again. Returns the address, or 0.
     */
    private long attemptLocked(final long len, final long m, final long alignment, final ThreadCache mine)
    {
        checkOpen("allocate");
        if (cache != null && ++reclaimTick == RECLAIM_INTERVAL)
        {
            reclaimTick = 0;
            cache.reclaimEnded(false);
            cache.trimDepot();
        }
        if (mine != null && alignment == poolAlignment && mine.missNeedsWork(m))
        {
            // A size this thread repeats: fill its class (from the depot first) and take from it. Only at the
            // pool's own alignment: cached segments must suit any request of their size.
            final long address = refillAndTake(mine, len, m);
            if (address != NULL_ADDRESS)
            {
                return address;
            }
        }
        long offset = policy.allocate(m, alignment);
        if (offset == AllocationPolicy.NO_OFFSET && cache != null)
        {
            cache.reclaimEnded(true);
            if (cache.drain() > 0)
            {
                offset = policy.allocate(m, alignment);
            }
        }
        // A growable pool maps what the allocation needs before anyone waits or the listener is asked.
        for (int growth = 0; offset == AllocationPolicy.NO_OFFSET && space != null && growth < 4; growth++)
        {
            if (space.grow(policy, m, alignment) == 0)
            {
                break;
            }
            autoTrimAt = trimThreshold;
            offset = policy.allocate(m, alignment);
        }
        if (offset == AllocationPolicy.NO_OFFSET)
        {
            return NULL_ADDRESS;
        }
        table.install(offset);
        final int guardLength = (int)(m - len);
        final boolean guarded = guards != null && (guardInterval == 1 || sampleGuardLocked());
        if (guarded)
        {
            try
            {
                guards.arm(base + offset, len, guardLength);
            }
            catch (final RuntimeException e)
            {
                policy.free(offset);
                throw e;
            }
        }
        table.set(offset, SegmentRecord.live(len, guardLength, guarded));
        counters.allocated(len);
        hold(m);
        return base + offset;
    }

    private boolean sampleGuardLocked()
    {
        if (--guardCountdown <= 0)
        {
            guardCountdown = guardInterval;
            return true;
        }
        return false;
    }

    private void hold(final long m)
    {
        heldBytes += m;
        if (heldBytes > peakHeldBytes)
        {
            peakHeldBytes = heldBytes;
        }
        if (m > longestSegment)
        {
            longestSegment = m;
        }
    }

    /**
     * After an allocation of {@code m} missed the caller's cache: lets the cache claim a class (releasing what
     * it evicts), fills the class with the batch it asks for, from the depot first (segments another thread
     * freed, handed over without the policy) and then carved from the policy, and takes one segment of it as
     * the allocation. Returns the address, or 0 if the class got nothing (no class yet, no lease, the
     * policy is full). The caller holds the pool lock.
     */
    private long refillAndTake(final ThreadCache mine, final long len, final long m)
    {
        mine.lock();
        try
        {
            if (mine.retired)
            {
                return NULL_ADDRESS;
            }
            final int batch = mine.missed(m, spill) + 1;
            // While a thread waits for memory, carve only the segment asked for: no batch to hoard.
            int wanted = waiters > 0 ? 1 : batch;
            for (int i = 1; i <= spill[0]; i++)
            {
                releaseLocked(spill[i], spill[ThreadCache.DEPTH + 1]);
            }
            if (mine.mayTake(m) == ThreadCache.NO_CLASS && mine.hasClass(m))
            {
                final ThreadCache depot = cache.depot();
                depot.lock();
                try
                {
                    wanted -= depot.moveTo(mine, m, wanted);
                }
                finally
                {
                    depot.unlock();
                }
            }
            while (wanted-- > 0 && mine.canRefill(m, cache.budget(), cache.chunk()))
            {
                final long extra = policy.allocate(m, poolAlignment);
                if (extra == AllocationPolicy.NO_OFFSET)
                {
                    break;
                }
                table.install(extra);
                table.set(extra, SegmentRecord.parked(m));
                hold(m);
                mine.refill(extra, m, table.leaf(extra));
            }
            final int c = mine.mayTake(m);
            final long address = c == ThreadCache.NO_CLASS ? NULL_ADDRESS : takeLocked(mine, c, len, m);
            mine.trimLease(cache.budget(), Math.max(cache.chunk(), (ThreadCache.DEPTH / 2) * m));
            return address;
        }
        finally
        {
            mine.unlock();
        }
    }

    /** Returns a parked or freed segment to the policy; the caller holds the pool lock. */
    private void releaseLocked(final long offset, final long m)
    {
        table.set(offset, SegmentRecord.FREED);
        policy.free(offset);
        heldBytes -= m;
        released = true;
    }

    /** Unlocks the pool lock; if memory went back to the policy while a thread waits, wakes the waiters. */
    private void unlockAndSignal()
    {
        if (released && space != null && trimThreshold >= 0 && space.mappedBytes() - heldBytes > autoTrimAt)
        {
            autoTrim();
        }
        final boolean signal = released && waiters > 0;
        released = false;
        if (signal)
        {
            epoch++;
        }
        lock.unlock();
        if (signal)
        {
            signalWaiters();
        }
    }

    /** Trims a growable pool whose idle mapped bytes passed the threshold; the caller holds the pool lock. */
    private void autoTrim()
    {
        space.trim(policy);
        // Granules the policy would not give back stay idle: trim again only once more is idle.
        autoTrimAt = Math.max(trimThreshold, space.mappedBytes() - heldBytes + space.granularity());
    }

    @Override
    public long trim()
    {
        checkOpen("trim");
        if (space == null)
        {
            return 0;
        }
        lock.lock();
        try
        {
            checkOpen("trim");
            if (cache != null)
            {
                cache.drain();
            }
            final long unmapped = space.trim(policy);
            autoTrimAt = Math.max(trimThreshold, space.mappedBytes() - heldBytes + space.granularity());
            return unmapped;
        }
        finally
        {
            unlockAndSignal();
        }
    }

    private void signalWaiters()
    {
        waitLock.lock();
        try
        {
            spaceFreed.signalAll();
        }
        finally
        {
            waitLock.unlock();
        }
    }

    private PoolExhaustedException exhausted(final long len, final long m, final long alignment, final long waited)
    {
        final PoolCounters sum = new PoolCounters();
        long parked = 0;
        sum.add(counters);
        if (cache != null)
        {
            cache.lockAll();
        }
        try
        {
            if (cache != null)
            {
                for (final ThreadCache each : cache.caches())
                {
                    sum.add(each.counters);
                    parked += each.parkedBytes();
                }
            }
            final FailureVerdict verdict = Diagnosis.verdict(policy, table, base, sites, space, parked, len, m, alignment, true);
            return new PoolExhaustedException(name, len, m, alignment, capacity, heldBytes - parked, policy.freeBytes(),
                policy.largestFreeExtent(), parked, sum.liveSegments(), policy.name(), waited,
                space == null ? null : space.refusal(), verdict);
        }
        finally
        {
            if (cache != null)
            {
                cache.unlockAll();
            }
        }
    }

    @Override
    public FailureVerdict diagnose(final long len)
    {
        return diagnose(len, profile);
    }

    @Override
    public FailureVerdict diagnose(final long len, final AlignmentProfile requestProfile)
    {
        checkOpen("diagnose");
        final AlignmentProfile rule = checkProfile(requestProfile);
        final long m = rule.segmentSize(len);
        lockAll();
        try
        {
            checkOpen("diagnose");
            long parked = 0;
            if (cache != null)
            {
                for (final ThreadCache each : cache.caches())
                {
                    parked += each.parkedBytes();
                }
            }
            return Diagnosis.verdict(policy, table, base, sites, space, parked, len, m, rule.startAlignment(), false);
        }
        finally
        {
            unlockAll();
        }
    }

    @Override
    public long largestAllocatable()
    {
        return largestAllocatable(profile);
    }

    @Override
    public long largestAllocatable(final AlignmentProfile requestProfile)
    {
        checkOpen("largestAllocatable");
        final AlignmentProfile rule = checkProfile(requestProfile);
        final long segment;
        lock.lock();
        try
        {
            checkOpen("largestAllocatable");
            if (cache != null)
            {
                // What a failing allocation would do: parked segments go back to the policy first.
                cache.reclaimEnded(true);
                cache.drain();
            }
            segment = policy.largestAllocatable(rule.startAlignment());
        }
        finally
        {
            unlockAndSignal();
        }
        final long len = (segment - rule.tailBytes()) & -MemoryApi.GRANULE;
        return Math.max(0, Math.min(len, rule.maxLength()));
    }

    @Override
    public void free(final long address)
    {
        final long offset = offsetOf(address, "free");
        final long[] leaf = table.leaf(offset);
        final int entry = SegmentTable.entry(offset);
        final long record = leaf == null ? SegmentRecord.EMPTY : SegmentTable.get(leaf, entry);
        if (!SegmentRecord.isLive(record))
        {
            throw invalidFree(address, offset, record);
        }
        final long len = SegmentRecord.length(record);
        final long m = len + SegmentRecord.guardLength(record);
        final ThreadCache mine = cache == null ? null : cache.local();
        int flushClass = ThreadCache.NO_CLASS;
        final int hint = mine == null || (offset & (poolAlignment - 1)) != 0 ? ThreadCache.NO_CLASS : mine.mayPark(m);
        if (hint != ThreadCache.NO_CLASS)
        {
            final int parked = freeCached(mine, hint, address, offset, leaf, entry, record, len, m);
            if (parked == PARKED)
            {
                freed(address, offset, len);
                return;
            }
            flushClass = parked;
        }
        freeLocked(mine, address, offset, leaf, entry, record, len, m, flushClass);
    }

    /** {@link #freeCached} parked the segment. */
    private static final int PARKED = Integer.MIN_VALUE;

    /**
     * Parks a freed segment in the caller's cache when the cache takes it, no thread waits and its guards
     * are intact. Returns {@link #PARKED}, a class to flush, or {@link ThreadCache#NO_CLASS}.
     */
    private int freeCached(
        final ThreadCache mine,
        final int hint,
        final long address,
        final long offset,
        final long[] leaf,
        final int entry,
        final long record,
        final long len,
        final long m)
    {
        mine.lock();
        try
        {
            checkOpen("free");
            if (waiters > 0)
            {
                return ThreadCache.NO_CLASS;
            }
            final int c = mine.parkable(hint, m, cache.budget(), cache.chunk());
            if (c < 0)
            {
                return c <= ThreadCache.FULL ? ThreadCache.FULL - c : ThreadCache.NO_CLASS;
            }
            if (SegmentRecord.isGuarded(record)
                && guards.check(address, len, SegmentRecord.guardLength(record), mine.scratch) >= 0)
            {
                return ThreadCache.NO_CLASS;
            }
            if (!SegmentTable.compareAndSet(leaf, entry, record, SegmentRecord.parked(m)))
            {
                // Freed by another thread since our read: the locked path reports the double free.
                return ThreadCache.NO_CLASS;
            }
            mine.park(c, offset, m, leaf);
            mine.freedInto(c);
            mine.counters.freed(len);
            recordFree(offset, len, m);
            return PARKED;
        }
        finally
        {
            mine.unlock();
        }
    }

    private void freeLocked(
        final ThreadCache mine,
        final long address,
        final long offset,
        final long[] leaf,
        final int entry,
        final long record,
        final long len,
        final long m,
        final int flushClass)
    {
        int damaged = -1;
        byte found = 0;
        lock.lock();
        try
        {
            checkOpen("free");
            if (flushClass < 0 || !flushAndPark(mine, flushClass, address, leaf, entry, record, len, m))
            {
                if (!SegmentTable.compareAndSet(leaf, entry, record, SegmentRecord.FREED))
                {
                    throw invalidFree(address, offset, table.get(offset));
                }
                if (SegmentRecord.isGuarded(record))
                {
                    damaged = guards.check(address, len, SegmentRecord.guardLength(record), scratch);
                    if (damaged >= 0)
                    {
                        found = scratch[damaged];
                        counters.guardViolations++;
                    }
                }
                policy.free(offset);
                heldBytes -= m;
                released = true;
                counters.freed(len);
                recordFree(offset, len, m);
            }
        }
        finally
        {
            unlockAndSignal();
        }
        freed(address, offset, len);
        if (damaged >= 0)
        {
            throw new GuardViolationException(name, address, len, len + damaged, Guards.PATTERN, found);
        }
    }

    /**
     * The free of a segment whose class in the caller's cache is full: half of the class moves to the depot
     * (where another thread's miss finds it; what the depot cannot take goes to the policy), and the segment
     * is parked in the room this made, with its guards checked as on the cached path. Returns false, having
     * changed no record, if the segment must go to the policy instead (its guards are damaged, the cache was
     * retired, no lease). The caller holds the pool lock, so the segment's memory is still the pool's.
     */
    private boolean flushAndPark(
        final ThreadCache mine,
        final int c,
        final long address,
        final long[] leaf,
        final int entry,
        final long record,
        final long len,
        final long m)
    {
        final ThreadCache depot = cache.depot();
        mine.lock();
        depot.lock();
        try
        {
            if (mine.retired || mine.classSize(c) != m)
            {
                return false;
            }
            final int half = mine.parked(m) / 2;
            depot.claimClass(m, spill);
            for (int i = 1; i <= spill[0]; i++)
            {
                releaseLocked(spill[i], spill[ThreadCache.DEPTH + 1]);
            }
            final int moved = mine.moveTo(depot, m, half);
            if (moved < half)
            {
                mine.flush(c, half - moved, spill);
                for (int i = 1; i <= spill[0]; i++)
                {
                    releaseLocked(spill[i], m);
                }
            }
            final int room = mine.parkable(c, m, cache.budget(), cache.chunk());
            if (room < 0 || SegmentRecord.isGuarded(record)
                && guards.check(address, len, SegmentRecord.guardLength(record), mine.scratch) >= 0)
            {
                return false;
            }
            if (!SegmentTable.compareAndSet(leaf, entry, record, SegmentRecord.parked(m)))
            {
                return false;
            }
            mine.park(room, address - base, m, leaf);
            mine.counters.freed(len);
            recordFree(address - base, len, m);
            return true;
        }
        finally
        {
            depot.unlock();
            mine.unlock();
        }
    }

    private void freed(final long address, final long offset, final long len)
    {
        if (sites != null)
        {
            sites.remove(offset);
        }
        listener.onFree(address, len);
    }

    /**
     * The offset of {@code address} in the block, after the checks every per-segment call makes: pool open,
     * not the null address, inside the block. Whether a segment starts there is the table's to say.
     */
    private long offsetOf(final long address, final String operation)
    {
        checkOpen(operation);
        if (address == NULL_ADDRESS)
        {
            throw new InvalidFreeException(name, address, InvalidFreeException.Reason.NULL_ADDRESS,
                "0 is the null address, not a segment");
        }
        final long offset = address - base;
        if (offset < 0 || offset >= capacity)
        {
            throw new InvalidFreeException(name, address, InvalidFreeException.Reason.OUTSIDE_POOL,
                "outside the pool's block [0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(base + capacity) + ")");
        }
        return offset;
    }

    @Override
    public long requestedLength(final long address)
    {
        final long offset = offsetOf(address, "requestedLength");
        final long record = table.get(offset);
        if (!SegmentRecord.isLive(record))
        {
            throw invalidFree(address, offset, record);
        }
        return SegmentRecord.length(record);
    }

    /** Says why no live segment starts at {@code offset}, given the record found there. */
    private InvalidFreeException invalidFree(final long address, final long offset, final long record)
    {
        final long container = table.findContaining(offset, longestSegment);
        if (container >= 0)
        {
            final long live = table.get(container);
            return new InvalidFreeException(name, address, InvalidFreeException.Reason.INTERIOR,
                "inside the live segment 0x" + Long.toHexString(base + container)
                + (SegmentRecord.isLive(live) ? " (len=" + SegmentRecord.length(live) + ")" : "")
                + " at offset " + (offset - container) + "; free the segment's start address");
        }
        if (record == SegmentRecord.FREED || SegmentRecord.isParked(record))
        {
            return new InvalidFreeException(name, address, InvalidFreeException.Reason.DOUBLE_FREE,
                "double free: this segment was already freed");
        }
        return new InvalidFreeException(name, address, InvalidFreeException.Reason.NOT_ALLOCATED,
            "no live segment starts here (never allocated, or its memory was reused by another segment)");
    }

    /** Takes the pool lock and every cache's lock: no state change is in progress while they are held. */
    private void lockAll()
    {
        lock.lock();
        if (cache != null)
        {
            cache.lockAll();
        }
    }

    private void unlockAll()
    {
        if (cache != null)
        {
            cache.unlockAll();
        }
        lock.unlock();
    }

    @Override
    public PoolStats stats()
    {
        checkOpen("stats");
        lockAll();
        try
        {
            checkOpen("stats");
            final PoolCounters sum = new PoolCounters();
            sum.add(counters);
            long cachedBytes = 0;
            long cachedSegments = 0;
            if (cache != null)
            {
                for (final ThreadCache each : cache.caches())
                {
                    sum.add(each.counters);
                    cachedBytes += each.parkedBytes();
                    cachedSegments += each.parkedSegments();
                }
            }
            final Map<String, Long> metrics = new LinkedHashMap<>();
            policy.metrics(metrics::put);
            return new PoolStats(name, policy.name(), deviceName, capacity, heldBytes - cachedBytes, sum.bytesRequested,
                policy.usedBytes(), policy.freeBytes() + cachedBytes, policy.largestFreeExtent(),
                policy.freeExtentCount(), sum.liveSegments(), heldBytes, peakHeldBytes, sum.allocations, sum.frees,
                failures, sum.guardViolations, cachedBytes, cachedSegments, capacity,
                space == null ? capacity : space.mappedBytes(), space == null ? capacity : space.peakMappedBytes(),
                metrics);
        }
        finally
        {
            unlockAll();
        }
    }

    @Override
    public IntegrityReport verify()
    {
        checkOpen("verify");
        lockAll();
        try
        {
            checkOpen("verify");
            return new Verifier().run();
        }
        finally
        {
            unlockAll();
        }
    }

    /** One run of {@link #verify()}: reads everything, changes nothing. The caller holds every lock. */
    private final class Verifier
    {
        private final List<String> problems = new ArrayList<>();
        private final Long2LongHashMap liveExtents = new Long2LongHashMap(-1L);
        private long live;
        private long parked;
        private long liveBytes;
        private long requestedBytes;
        private long parkedBytes;

        IntegrityReport run()
        {
            for (final String problem : policy.verify())
            {
                problems.add("policy " + policy.name() + ": " + problem);
            }
            policy.walk((offset, size, state) ->
            {
                if (state == BlockState.LIVE)
                {
                    liveExtents.put(offset, size);
                }
            });
            table.forEach(this::record);
            checkCaches();
            if (space != null)
            {
                space.verify(policy, problems);
            }
            final PoolCounters sum = new PoolCounters();
            sum.add(counters);
            if (cache != null)
            {
                for (final ThreadCache each : cache.caches())
                {
                    sum.add(each.counters);
                }
            }
            if (liveExtents.size() != live + parked || policy.liveBlocks() != live + parked)
            {
                problems.add("the table holds " + live + " live and " + parked + " parked segments, the policy's walk "
                    + liveExtents.size() + " live blocks, its count " + policy.liveBlocks());
            }
            if (sum.liveSegments() != live || sum.bytesRequested != requestedBytes)
            {
                problems.add("counters disagree with the table: live segments " + sum.liveSegments() + " (table " + live
                    + "), bytes requested " + sum.bytesRequested + " (table " + requestedBytes + ")");
            }
            if (heldBytes != liveBytes + parkedBytes)
            {
                problems.add("held bytes disagree: counted " + heldBytes + ", live and parked segments sum to "
                    + (liveBytes + parkedBytes));
            }
            return new IntegrityReport(name, problems, live);
        }

        private void record(final long offset, final long record)
        {
            if (SegmentRecord.isLive(record))
            {
                final long len = SegmentRecord.length(record);
                final long m = SegmentRecord.segmentSize(record);
                live++;
                liveBytes += m;
                requestedBytes += len;
                checkExtent(offset, m, "segment 0x" + Long.toHexString(base + offset) + " (len=" + len + ")");
                if (SegmentRecord.isGuarded(record))
                {
                    final int damaged = guards.check(base + offset, len, SegmentRecord.guardLength(record), scratch);
                    if (damaged >= 0)
                    {
                        problems.add(GuardViolationException.describe(name, base + offset, len, len + damaged,
                            Guards.PATTERN, scratch[damaged]));
                    }
                }
            }
            else if (SegmentRecord.isParked(record))
            {
                parked++;
                parkedBytes += SegmentRecord.segmentSize(record);
                checkExtent(offset, SegmentRecord.segmentSize(record), "parked segment at offset " + offset);
            }
            else if (record != SegmentRecord.FREED)
            {
                problems.add("corrupt record at offset " + offset + ": " + SegmentRecord.describe(record));
            }
        }

        private void checkCaches()
        {
            long cachedSegments = 0;
            long cachedBytes = 0;
            long leases = 0;
            if (cache != null)
            {
                for (final ThreadCache each : cache.caches())
                {
                    final long[] sum = new long[1];
                    each.forEachParked((offset, m) ->
                    {
                        sum[0] += m;
                        final long record = table.get(offset);
                        if (!SegmentRecord.isParked(record) || SegmentRecord.segmentSize(record) != m)
                        {
                            problems.add("a cache holds offset " + offset + " as a parked segment of " + m
                                + " bytes, the table says " + SegmentRecord.describe(record));
                        }
                    });
                    if (sum[0] != each.parkedBytes() || each.parkedBytes() > each.lease())
                    {
                        problems.add((each.owner == null ? "the depot" : "the cache of " + each.owner.getName())
                            + " counts " + each.parkedBytes()
                            + " parked bytes under a lease of " + each.lease() + ", its segments sum to " + sum[0]);
                    }
                    cachedSegments += each.parkedSegments();
                    cachedBytes += sum[0];
                    leases += each.lease();
                }
                if (leases + cache.budget().get() != cache.bound())
                {
                    problems.add("cache leases " + leases + " plus the unleased budget " + cache.budget().get()
                        + " differ from the bound " + cache.bound());
                }
            }
            if (cachedSegments != parked || cachedBytes != parkedBytes)
            {
                problems.add("the caches hold " + cachedSegments + " segments (" + cachedBytes + " bytes), the table "
                    + parked + " parked (" + parkedBytes + " bytes)");
            }
        }

        private void checkExtent(final long offset, final long m, final String what)
        {
            final long extent = liveExtents.get(offset);
            if (extent == -1L)
            {
                problems.add(what + " is not a live block of the policy");
            }
            else if (extent < m)
            {
                problems.add(what + " needs " + m + " bytes but its block holds " + extent);
            }
        }
    }

    @Override
    public void forEachLiveSegment(final SegmentVisitor visitor)
    {
        for (final LiveSegment segment : liveSegments())
        {
            visitor.visit(segment.address(), segment.length());
        }
    }

    @Override
    public List<LiveSegment> liveSegments()
    {
        checkOpen("liveSegments");
        lockAll();
        try
        {
            checkOpen("liveSegments");
            return snapshotLive();
        }
        finally
        {
            unlockAll();
        }
    }

    private List<LiveSegment> snapshotLive()
    {
        final List<LiveSegment> live = new ArrayList<>();
        table.forEach((offset, record) ->
        {
            if (SegmentRecord.isLive(record))
            {
                live.add(new LiveSegment(base + offset, SegmentRecord.length(record),
                    sites == null ? null : sites.get(offset)));
            }
        });
        return live;
    }

    @Override
    public void close()
    {
        final List<LiveSegment> leaked;
        lock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (cache != null)
            {
                cache.close();
            }
            leaked = snapshotLive();
            epoch++;
            if (space != null)
            {
                space.close();
            }
            else
            {
                block.close();
            }
        }
        finally
        {
            lock.unlock();
            signalWaiters();
        }
        final EventRecorder r = recorder;
        if (r != null)
        {
            r.stop();
        }
        if (!leaked.isEmpty())
        {
            switch (leakAction)
            {
                case THROW:
                    throw new SegmentLeakException(name, leaked);
                case LOG:
                    LOGGER.log(System.Logger.Level.WARNING, SegmentLeakException.describe(name, leaked));
                    break;
                default:
                    break;
            }
        }
    }

    private void checkOpen(final String operation)
    {
        if (closed)
        {
            throw new PoolClosedException(name, operation);
        }
    }

    /** The cache budget not leased to any cache: for tests of the leases. */
    long unleasedBudget()
    {
        return cache == null ? 0 : cache.budget().get();
    }

    /** The thread caches registered now (the depot not counted): for tests of the cache's lifecycle. */
    int cacheCount()
    {
        if (cache == null)
        {
            return 0;
        }
        lock.lock();
        try
        {
            return cache.caches().size() - 1;
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public String toString()
    {
        return "SegmentPool{name=" + name + ", policy=" + policy.name() + ", device=" + deviceName
            + ", capacity=" + capacity + ", base=0x" + Long.toHexString(base) + ", alignment=" + profile.name() + '}';
    }

    /** The block's memory operations without its close(). */
    private static final class MemoryView implements DeviceMemory
    {
        private final DeviceMemory memory;

        MemoryView(final DeviceMemory memory)
        {
            this.memory = memory;
        }

        @Override
        public boolean isHostAccessible()
        {
            return memory.isHostAccessible();
        }

        @Override
        public void fill(final long address, final long length, final byte value)
        {
            memory.fill(address, length, value);
        }

        @Override
        public void copyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
        {
            memory.copyToHost(address, dst, dstOffset, length);
        }

        @Override
        public void copyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
        {
            memory.copyFromHost(src, srcOffset, address, length);
        }
    }
}
