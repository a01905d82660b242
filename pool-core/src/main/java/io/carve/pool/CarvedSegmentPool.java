package io.carve.pool;

import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.device.DeviceBlock;
import io.carve.pool.device.DeviceMemory;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool: composes the device block, the policy, the alignment profile, the guards and a depot of
 * freed segments per size class.
 *
 * <h2>The way of one allocation</h2>
 * <pre>
 * allocate(len) -&gt; profile: m = ALIGN_UP(len,32) + tail, a = start alignment   (checks len, overflow)
 *               -&gt; magazine.pop(m) | depot.poll(m)        fast path: this thread's magazine, then the
 *                                                           lock-free depot; no pool lock
 *                  | pool lock: policy.allocate(m, a)     slow path: drains the depot and retries on
 *                                                           failure, then fails, waits or asks the listener
 *               -&gt; shard(offset) lock: record len, count   (one of 64 shards: contention only per shard)
 *               -&gt; guards: fill [len, m)
 * free(address) -&gt; shard(offset) lock: take the record    (refuse 0, outside, unknown, interior, double free)
 *                                      check [len, m)
 *               -&gt; magazine.push(m, offset)               fast path, unless a thread waits for memory;
 *                                                           a full magazine moves half to the depot
 *                  | pool lock: policy.free(offset), wake waiters
 * </pre>
 * <h2>Locks</h2>
 * The pool lock (a {@link ReentrantLock}, since waiters need its condition and a listener may free
 * under it) guards the policy, the failure count and the held-bytes peak. Each of 64 record shards
 * (chosen by a hash of the offset) guards its part of the live-segment records, its counters and a
 * recent-frees ring with a {@link SpinLock}: those sections last nanoseconds, and parking a thread that
 * found one held would cost microseconds. Order: pool lock, then shards in index order, then magazines;
 * neither a shard nor a magazine lock is ever held while taking another lock, and neither is reentrant.
 * {@link #stats()}, {@link #verify()} and {@link #close()} take the pool lock and every shard.
 * <h2>Records</h2>
 * A live segment's record is one {@code long} in its shard's primitive map, keyed by offset and never
 * kept in the managed memory:
 * <pre>
 *  63                                 16 15              0
 * +-------------------------------------+----------------+
 * |   len (requested length, &lt; 2^47)   |  m - len       |
 * +-------------------------------------+----------------+
 * </pre>
 * The guard length {@code m - len} is at most 31 + 4096, and the capacity limit of 2^47 bounds len.
 * <h2>Exactness</h2>
 * Counters change under the lock that guards the record they describe, so a snapshot taken under all
 * locks is exact. Between a depot poll and its record (or a record's removal and its depot offer) a
 * segment is in flight on one thread and appears nowhere; {@link #verify()} is exact whenever no call is
 * in flight.
 */
final class CarvedSegmentPool implements SegmentPool
{
    private static final System.Logger LOGGER = System.getLogger(SegmentPool.class.getName());
    private static final long MISSING = -1L;
    private static final int LEN_SHIFT = 16;
    private static final long GUARD_MASK = (1L << LEN_SHIFT) - 1;
    private static final int SHARDS = 64;
    private static final int RECENT_FREES = 16;

    private final String name;
    private final String deviceName;
    private final long capacity;
    private final AlignmentProfile profile;
    private final AllocationPolicy policy;
    private final DeviceBlock block;
    private final DeviceMemory memoryView;
    private final long base;
    private final Guards guards;
    private final LeakAction leakAction;
    private final AllocationListener listener;
    private final LeakTracking leakTracking;
    private final ConcurrentHashMap<Long, Throwable> sites;
    private final SizeClassDepot depot;
    private final ThreadLocal<Magazine> magazine;
    private final CopyOnWriteArrayList<Magazine> magazines = new CopyOnWriteArrayList<>();
    private final Shard[] shards = new Shard[SHARDS];
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition spaceFreed = lock.newCondition();

    private volatile boolean closed;
    private volatile int waiters;
    private long heldBytes;
    private long peakHeldBytes;
    private long failures;

    /** A part of the live-segment records, with the counters of the segments it records. */
    private static final class Shard extends SpinLock
    {
        final Long2LongHashMap records = new Long2LongHashMap(MISSING);
        final long[] recentFrees = new long[RECENT_FREES];
        final byte[] scratch = new byte[Guards.MAX_GUARD];
        int recentFreeIndex;
        long bytesInUse;
        long bytesRequested;
        long allocations;
        long frees;
        long guardViolations;

        Shard()
        {
            Arrays.fill(recentFrees, MISSING);
        }
    }

    CarvedSegmentPool(final SegmentPoolBuilder builder)
    {
        this.name = builder.name();
        this.deviceName = builder.device().name();
        this.capacity = builder.capacity();
        this.profile = builder.alignment();
        this.leakAction = builder.leakAction();
        this.listener = builder.listener();
        this.leakTracking = builder.leakTracking();
        this.sites = leakTracking == LeakTracking.OFF ? null : new ConcurrentHashMap<>();
        final long cacheBytes = builder.sizeClassCacheBytes() < 0 ? capacity / 16 : builder.sizeClassCacheBytes();
        this.depot = cacheBytes == 0 ? null : new SizeClassDepot(cacheBytes);
        this.magazine = depot == null ? null : ThreadLocal.withInitial(() ->
        {
            final Magazine created = new Magazine(cacheBytes / 4);
            magazines.add(created);
            return created;
        });
        for (int i = 0; i < SHARDS; i++)
        {
            shards[i] = new Shard();
        }
        this.policy = builder.policy().create(capacity, profile);
        if (policy.capacity() != capacity)
        {
            throw new IllegalStateException("policy " + policy.name() + " manages capacity=" + policy.capacity()
                + ", expected " + capacity);
        }
        final DeviceBlock taken = builder.device().allocate(capacity, profile.startAlignment());
        if (taken.size() < capacity || (taken.address() & (profile.startAlignment() - 1)) != 0 || taken.address() == 0)
        {
            taken.close();
            throw new IllegalStateException("device " + deviceName + " returned a block that breaks its contract: "
                + taken + ", asked for size=" + capacity + ", alignment=" + profile.startAlignment());
        }
        this.block = taken;
        this.base = taken.address();
        this.memoryView = new MemoryView(taken);
        this.guards = builder.guards() ? new Guards(taken) : null;
    }

    private Shard shardOf(final long offset)
    {
        // Offsets are multiples of at least 32: mix the high bits down before taking the low ones.
        final long h = offset * 0x9E3779B97F4A7C15L;
        return shards[(int)(h >>> 58)];
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
        return carve(len, checkProfile(requestProfile), false, 0);
    }

    @Override
    public long allocate(final long len, final long timeout, final TimeUnit unit) throws InterruptedException
    {
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
            throw new IllegalArgumentException("pool '" + name + "' is aligned to " + profile.startAlignment()
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
        final long m = rule.segmentSize(len);
        if (m > capacity)
        {
            throw new IllegalArgumentException("len can never fit in pool '" + name + "': len=" + len
                + ", segment=" + m + ", capacity=" + capacity);
        }
        checkOpen("allocate");
        long offset = LongRing.EMPTY;
        if (depot != null && waiters == 0)
        {
            final Magazine mine = magazine.get();
            mine.lock();
            try
            {
                offset = mine.pop(m, depot);
            }
            finally
            {
                mine.unlock();
            }
        }
        if (offset == LongRing.EMPTY)
        {
            offset = carveFromPolicy(len, m, rule.startAlignment(), throwOnExhaustion, waitNanos);
            if (offset == AllocationPolicy.NO_OFFSET)
            {
                return NULL_ADDRESS;
            }
        }
        final long address = base + offset;
        final int guardLength = (int)(m - len);
        final Shard shard = shardOf(offset);
        shard.lock();
        try
        {
            checkOpen("allocate");
            shard.records.put(offset, len << LEN_SHIFT | guardLength);
            shard.bytesInUse += m;
            shard.bytesRequested += len;
            shard.allocations++;
        }
        finally
        {
            shard.unlock();
        }
        if (guards != null)
        {
            guards.arm(address, len, guardLength);
        }
        if (sites != null && (leakTracking == LeakTracking.PARANOID
            || ThreadLocalRandom.current().nextInt(LeakTracking.SAMPLING_INTERVAL) == 0))
        {
            sites.put(offset, new Throwable("allocation site of len=" + len));
        }
        listener.onAllocate(address, len);
        return address;
    }

    /** Carries an interrupted wait out of the lock to {@link #allocate(long, long, TimeUnit)}. */
    private static final class WaitInterrupted extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        WaitInterrupted(final String message)
        {
            super(message, null, false, false);
        }
    }

    private long carveFromPolicy(
        final long len, final long m, final long alignment, final boolean throwOnExhaustion, final long waitNanos)
    {
        final long start = waitNanos > 0 ? System.nanoTime() : 0;
        long remaining = waitNanos;
        lock.lock();
        try
        {
            while (true)
            {
                checkOpen("allocate");
                long offset = policy.allocate(m, alignment);
                if (offset == AllocationPolicy.NO_OFFSET && depot != null && drainDepotLocked() > 0)
                {
                    offset = policy.allocate(m, alignment);
                }
                if (offset != AllocationPolicy.NO_OFFSET)
                {
                    heldBytes += m;
                    if (heldBytes > peakHeldBytes)
                    {
                        peakHeldBytes = heldBytes;
                    }
                    return offset;
                }
                if (listener.onFailure(len, m))
                {
                    continue;
                }
                if (remaining > 0)
                {
                    waiters++;
                    try
                    {
                        remaining = spaceFreed.awaitNanos(remaining);
                    }
                    catch (final InterruptedException e)
                    {
                        failures++;
                        throw new WaitInterrupted("interrupted after waiting " + (System.nanoTime() - start)
                            + " ns for len=" + len + " from pool '" + name + "'");
                    }
                    finally
                    {
                        waiters--;
                    }
                    if (remaining > 0)
                    {
                        continue;
                    }
                }
                failures++;
                if (throwOnExhaustion)
                {
                    throw exhausted(len, m, alignment, waitNanos > 0 ? System.nanoTime() - start : 0);
                }
                return AllocationPolicy.NO_OFFSET;
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Returns every parked segment (magazines and depot) to the policy; the caller holds the pool lock. */
    private long drainDepotLocked()
    {
        return drainCaches((offset, segmentSize) ->
        {
            policy.free(offset);
            heldBytes -= segmentSize;
        });
    }

    /** Empties every magazine, then the depot, into {@code drain}. */
    private long drainCaches(final SizeClassDepot.Drain drain)
    {
        long drained = 0;
        for (final Magazine each : magazines)
        {
            each.lock();
            try
            {
                drained += each.drain(drain);
            }
            finally
            {
                each.unlock();
            }
        }
        return drained + depot.drain(drain);
    }

    private long cachedSegments()
    {
        long segments = depot.cachedSegments();
        for (final Magazine each : magazines)
        {
            each.lock();
            try
            {
                segments += each.segments();
            }
            finally
            {
                each.unlock();
            }
        }
        return segments;
    }

    private long cachedBytes()
    {
        long bytes = depot.cachedBytes();
        for (final Magazine each : magazines)
        {
            bytes += each.bytes();
        }
        return bytes;
    }

    private PoolExhaustedException exhausted(final long len, final long m, final long alignment, final long waited)
    {
        long live = 0;
        long inUse = 0;
        for (final Shard shard : shards)
        {
            shard.lock();
            try
            {
                live += shard.records.size();
                inUse += shard.bytesInUse;
            }
            finally
            {
                shard.unlock();
            }
        }
        return new PoolExhaustedException(name, len, m, alignment, capacity, inUse, policy.freeBytes(),
            policy.largestFreeExtent(), live, policy.name(), waited);
    }

    @Override
    public void free(final long address)
    {
        final long offset = offsetOf(address, "free");
        final Shard shard = shardOf(offset);
        final long record;
        long len = 0;
        long m = 0;
        int damaged = -1;
        byte found = 0;
        shard.lock();
        try
        {
            checkOpen("free");
            record = shard.records.remove(offset);
            if (record != MISSING)
            {
                len = record >>> LEN_SHIFT;
                final int guardLength = (int)(record & GUARD_MASK);
                m = len + guardLength;
                damaged = guards == null ? -1 : guards.check(address, len, guardLength, shard.scratch);
                if (damaged >= 0)
                {
                    found = shard.scratch[damaged];
                    shard.guardViolations++;
                }
                shard.bytesInUse -= m;
                shard.bytesRequested -= len;
                shard.frees++;
                shard.recentFrees[shard.recentFreeIndex] = offset;
                shard.recentFreeIndex = (shard.recentFreeIndex + 1) & (RECENT_FREES - 1);
            }
        }
        finally
        {
            shard.unlock();
        }
        if (record == MISSING)
        {
            throw notLive(address, offset);
        }
        if (sites != null)
        {
            sites.remove(offset);
        }
        if (damaged >= 0 || depot == null || waiters > 0 || (offset & (profile.startAlignment() - 1)) != 0
            || !park(offset, m))
        {
            release(offset, m);
        }
        listener.onFree(address, len);
        if (damaged >= 0)
        {
            throw new GuardViolationException(name, address, len, len + damaged, Guards.PATTERN, found);
        }
    }

    /** Parks a freed segment in this thread's magazine (or the depot); false if neither takes it. */
    private boolean park(final long offset, final long m)
    {
        final Magazine mine = magazine.get();
        final boolean parked;
        mine.lock();
        try
        {
            mine.spill[0] = 0;
            parked = mine.push(m, offset, depot, mine.spill);
        }
        finally
        {
            mine.unlock();
        }
        for (int i = 1; i <= mine.spill[0]; i++)
        {
            release(mine.spill[i], m);
        }
        return parked;
    }

    private void release(final long offset, final long m)
    {
        lock.lock();
        try
        {
            policy.free(offset);
            heldBytes -= m;
            if (waiters > 0)
            {
                spaceFreed.signalAll();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The offset of {@code address} in the block, after the checks every per-segment call makes: not the
     * null address, pool open, inside the block. Whether a segment starts there is the shard's to say.
     */
    private long offsetOf(final long address, final String operation)
    {
        if (address == NULL_ADDRESS)
        {
            throw new InvalidFreeException(name, address, InvalidFreeException.Reason.NULL_ADDRESS,
                "0 is the null address, not a segment");
        }
        checkOpen(operation);
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
        final Shard shard = shardOf(offset);
        final long record;
        shard.lock();
        try
        {
            checkOpen("requestedLength");
            record = shard.records.get(offset);
        }
        finally
        {
            shard.unlock();
        }
        if (record == MISSING)
        {
            throw notLive(address, offset);
        }
        return record >>> LEN_SHIFT;
    }

    /** Says why no live segment starts at {@code offset}; takes each shard's lock in turn. */
    private InvalidFreeException notLive(final long address, final long offset)
    {
        for (final Shard shard : shards)
        {
            shard.lock();
            try
            {
                final long[] container = {MISSING, 0};
                shard.records.forEachLong((start, record) ->
                {
                    final long m = (record >>> LEN_SHIFT) + (record & GUARD_MASK);
                    if (start < offset && offset < start + m)
                    {
                        container[0] = start;
                        container[1] = record >>> LEN_SHIFT;
                    }
                });
                if (container[0] != MISSING)
                {
                    return new InvalidFreeException(name, address, InvalidFreeException.Reason.INTERIOR,
                        "inside the live segment 0x" + Long.toHexString(base + container[0]) + " (len=" + container[1]
                        + ") at offset " + (offset - container[0]) + "; free the segment's start address");
                }
            }
            finally
            {
                shard.unlock();
            }
        }
        final Shard home = shardOf(offset);
        home.lock();
        try
        {
            for (final long recent : home.recentFrees)
            {
                if (recent == offset)
                {
                    return new InvalidFreeException(name, address, InvalidFreeException.Reason.DOUBLE_FREE,
                        "double free: this segment was already freed");
                }
            }
        }
        finally
        {
            home.unlock();
        }
        return new InvalidFreeException(name, address, InvalidFreeException.Reason.NOT_ALLOCATED,
            "no live segment starts here (never allocated, or freed long ago)");
    }

    private void lockAll()
    {
        lock.lock();
        for (final Shard shard : shards)
        {
            shard.lock();
        }
    }

    private void unlockAll()
    {
        for (int i = SHARDS - 1; i >= 0; i--)
        {
            shards[i].unlock();
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
            long inUse = 0;
            long requested = 0;
            long live = 0;
            long allocations = 0;
            long frees = 0;
            long violations = 0;
            for (final Shard shard : shards)
            {
                inUse += shard.bytesInUse;
                requested += shard.bytesRequested;
                live += shard.records.size();
                allocations += shard.allocations;
                frees += shard.frees;
                violations += shard.guardViolations;
            }
            final long cachedBytes = depot == null ? 0 : cachedBytes();
            final long cachedSegments = depot == null ? 0 : cachedSegments();
            final Map<String, Long> metrics = new LinkedHashMap<>();
            policy.metrics(metrics::put);
            return new PoolStats(name, policy.name(), deviceName, capacity, inUse, requested,
                policy.usedBytes(), policy.freeBytes() + cachedBytes, policy.largestFreeExtent(),
                policy.freeExtentCount(), live, peakHeldBytes, allocations, frees, failures, violations,
                cachedBytes, cachedSegments, metrics);
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
            final List<String> problems = new ArrayList<>();
            for (final String problem : policy.verify())
            {
                problems.add("policy " + policy.name() + ": " + problem);
            }
            final Long2LongHashMap liveExtents = new Long2LongHashMap(MISSING);
            policy.walk((offset, size, state) ->
            {
                if (state == BlockState.LIVE)
                {
                    liveExtents.put(offset, size);
                }
            });
            final List<long[]> parked = new ArrayList<>();
            if (depot != null)
            {
                drainCaches((offset, segmentSize) -> parked.add(new long[] {offset, segmentSize}));
            }
            long records = 0;
            long held = 0;
            for (final Shard shard : shards)
            {
                records += shard.records.size();
                final long[] sums = new long[2];
                shard.records.forEachLong((offset, record) ->
                {
                    final long len = record >>> LEN_SHIFT;
                    final int guardLength = (int)(record & GUARD_MASK);
                    final long m = len + guardLength;
                    sums[0] += m;
                    sums[1] += len;
                    checkExtent(problems, liveExtents, offset, m, "segment 0x" + Long.toHexString(base + offset)
                        + " (len=" + len + ")");
                    if (shardOf(offset) != shard)
                    {
                        problems.add("segment 0x" + Long.toHexString(base + offset) + " is recorded in the wrong shard");
                    }
                    if (guards != null)
                    {
                        final int damaged = guards.check(base + offset, len, guardLength, shard.scratch);
                        if (damaged >= 0)
                        {
                            problems.add(GuardViolationException.describe(name, base + offset, len, len + damaged,
                                Guards.PATTERN, shard.scratch[damaged]));
                        }
                    }
                });
                if (sums[0] != shard.bytesInUse || sums[1] != shard.bytesRequested)
                {
                    problems.add("shard byte counts disagree with its records: bytesInUse=" + shard.bytesInUse
                        + " (records sum to " + sums[0] + "), bytesRequested=" + shard.bytesRequested
                        + " (records sum to " + sums[1] + ")");
                }
                held += sums[0];
            }
            for (final long[] segment : parked)
            {
                checkExtent(problems, liveExtents, segment[0], segment[1], "cached segment at offset " + segment[0]);
                held += segment[1];
            }
            if (liveExtents.size() != records + parked.size() || policy.liveBlocks() != records + parked.size())
            {
                problems.add("pool records " + records + " live and " + parked.size() + " cached segments, policy walk shows "
                    + liveExtents.size() + ", policy counts " + policy.liveBlocks());
            }
            if (held != heldBytes)
            {
                problems.add("held bytes disagree: counted " + heldBytes + ", records and cache sum to " + held);
            }
            for (final long[] segment : parked)
            {
                if (!depot.offer(segment[1], segment[0]))
                {
                    policy.free(segment[0]);
                    heldBytes -= segment[1];
                }
            }
            return new IntegrityReport(name, problems, records);
        }
        finally
        {
            unlockAll();
        }
    }

    private static void checkExtent(
        final List<String> problems, final Long2LongHashMap liveExtents, final long offset, final long m, final String what)
    {
        final long extent = liveExtents.get(offset);
        if (extent == MISSING)
        {
            problems.add(what + " is not a live block of the policy");
        }
        else if (extent < m)
        {
            problems.add(what + " needs " + m + " bytes but its block holds " + extent);
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
        for (final Shard shard : shards)
        {
            shard.records.forEachLong((offset, record) -> live.add(new LiveSegment(
                base + offset, record >>> LEN_SHIFT, sites == null ? null : sites.get(offset))));
        }
        live.sort((a, b) -> Long.compareUnsigned(a.address(), b.address()));
        return live;
    }

    @Override
    public void close()
    {
        final List<LiveSegment> leaked;
        lockAll();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            if (depot != null)
            {
                drainDepotLocked();
            }
            leaked = snapshotLive();
            block.close();
            spaceFreed.signalAll();
        }
        finally
        {
            unlockAll();
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
