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
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool: composes the device block, the policy, the alignment profile and the guards, behind one lock.
 *
 * <h2>The way of one allocation</h2>
 * <pre>
 * allocate(len) -&gt; profile: m = ALIGN_UP(len,32) + tail, a = start alignment   (checks len, overflow)
 *               -&gt; policy.allocate(m, a) -&gt; offset | NO_OFFSET
 *               -&gt; address = base + offset
 *               -&gt; guards: fill [len, m)
 *               -&gt; record: segments[offset] = len &lt;&lt; 16 | (m - len)
 * free(address) -&gt; offset = address - base     (refuse 0, outside, unknown, interior, double free)
 *               -&gt; guards: check [len, m)
 *               -&gt; policy.free(offset); forget the record
 * </pre>
 * The record of a live segment is one {@code long} in a primitive map keyed by offset, kept beside the
 * policy's own metadata and never in the managed memory:
 * <pre>
 *  63                                 16 15              0
 * +-------------------------------------+----------------+
 * |   len (requested length, &lt; 2^47)   |  m - len       |
 * +-------------------------------------+----------------+
 * </pre>
 * The guard length {@code m - len} is at most 31 + 4096, so it fits in 16 bits, and the capacity limit of
 * 2^47 bounds {@code len}. Recently freed offsets are remembered in a small ring, so that a double free is
 * named as such.
 */
final class LockedSegmentPool implements SegmentPool
{
    private static final System.Logger LOGGER = System.getLogger(SegmentPool.class.getName());
    private static final long MISSING = -1L;
    private static final int LEN_SHIFT = 16;
    private static final long GUARD_MASK = (1L << LEN_SHIFT) - 1;
    private static final int RECENT_FREES = 64;

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
    private final ReentrantLock lock = new ReentrantLock();
    private final Long2LongHashMap segments = new Long2LongHashMap(MISSING);
    private final long[] recentFrees = new long[RECENT_FREES];

    private int recentFreeIndex;
    private boolean closed;
    private long bytesInUse;
    private long bytesRequested;
    private long peakBytesInUse;
    private long allocations;
    private long frees;
    private long failures;
    private long guardViolations;

    LockedSegmentPool(final SegmentPoolBuilder builder)
    {
        this.name = builder.name();
        this.deviceName = builder.device().name();
        this.capacity = builder.capacity();
        this.profile = builder.alignment();
        this.leakAction = builder.leakAction();
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
        Arrays.fill(recentFrees, MISSING);
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
        return memoryView;
    }

    @Override
    public long allocate(final long len)
    {
        return carve(len, profile, true);
    }

    @Override
    public long allocate(final long len, final AlignmentProfile requestProfile)
    {
        return carve(len, checkProfile(requestProfile), true);
    }

    @Override
    public long tryAllocate(final long len)
    {
        return carve(len, profile, false);
    }

    @Override
    public long tryAllocate(final long len, final AlignmentProfile requestProfile)
    {
        return carve(len, checkProfile(requestProfile), false);
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

    private long carve(final long len, final AlignmentProfile rule, final boolean throwOnExhaustion)
    {
        final long m = rule.segmentSize(len);
        if (m > capacity)
        {
            throw new IllegalArgumentException("len can never fit in pool '" + name + "': len=" + len
                + ", segment=" + m + ", capacity=" + capacity);
        }
        final long alignment = rule.startAlignment();
        lock.lock();
        try
        {
            checkOpen("allocate");
            final long offset = policy.allocate(m, alignment);
            if (offset == AllocationPolicy.NO_OFFSET)
            {
                failures++;
                if (throwOnExhaustion)
                {
                    throw exhausted(len, m, alignment);
                }
                return NULL_ADDRESS;
            }
            final long address = base + offset;
            final int guardLength = (int)(m - len);
            if (guards != null)
            {
                guards.arm(address, len, guardLength);
            }
            segments.put(offset, len << LEN_SHIFT | guardLength);
            bytesInUse += m;
            bytesRequested += len;
            if (bytesInUse > peakBytesInUse)
            {
                peakBytesInUse = bytesInUse;
            }
            allocations++;
            return address;
        }
        finally
        {
            lock.unlock();
        }
    }

    private PoolExhaustedException exhausted(final long len, final long m, final long alignment)
    {
        return new PoolExhaustedException(name, len, m, alignment, capacity, bytesInUse, policy.freeBytes(),
            policy.largestFreeExtent(), segments.size(), policy.name());
    }

    @Override
    public void free(final long address)
    {
        lock.lock();
        try
        {
            checkOpen("free");
            final long offset = address - base;
            final long record = lookup(address, offset);
            final long len = record >>> LEN_SHIFT;
            final int guardLength = (int)(record & GUARD_MASK);
            final int damaged = guards == null ? -1 : guards.check(address, len, guardLength);
            policy.free(offset);
            segments.remove(offset);
            recentFrees[recentFreeIndex] = offset;
            recentFreeIndex = (recentFreeIndex + 1) & (RECENT_FREES - 1);
            bytesInUse -= len + guardLength;
            bytesRequested -= len;
            frees++;
            if (damaged >= 0)
            {
                guardViolations++;
                throw new GuardViolationException(
                    name, address, len, len + damaged, Guards.PATTERN, guards.found(damaged));
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public long requestedLength(final long address)
    {
        lock.lock();
        try
        {
            checkOpen("requestedLength");
            return lookup(address, address - base) >>> LEN_SHIFT;
        }
        finally
        {
            lock.unlock();
        }
    }

    /** The record of the live segment at {@code address}, or the exception that says why there is none. */
    private long lookup(final long address, final long offset)
    {
        if (address == NULL_ADDRESS)
        {
            throw new InvalidFreeException(name, address, InvalidFreeException.Reason.NULL_ADDRESS,
                "0 is the null address, not a segment");
        }
        if (offset < 0 || offset >= capacity)
        {
            throw new InvalidFreeException(name, address, InvalidFreeException.Reason.OUTSIDE_POOL,
                "outside the pool's block [0x" + Long.toHexString(base) + ", 0x" + Long.toHexString(base + capacity) + ")");
        }
        final long record = segments.get(offset);
        if (record != MISSING)
        {
            return record;
        }
        throw notLive(address, offset);
    }

    private InvalidFreeException notLive(final long address, final long offset)
    {
        final long[] container = {MISSING, 0};
        segments.forEachLong((start, record) ->
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
        for (final long recent : recentFrees)
        {
            if (recent == offset)
            {
                return new InvalidFreeException(name, address, InvalidFreeException.Reason.DOUBLE_FREE,
                    "double free: this segment was already freed");
            }
        }
        return new InvalidFreeException(name, address, InvalidFreeException.Reason.NOT_ALLOCATED,
            "no live segment starts here (never allocated, or freed long ago)");
    }

    @Override
    public PoolStats stats()
    {
        lock.lock();
        try
        {
            checkOpen("stats");
            final Map<String, Long> metrics = new LinkedHashMap<>();
            policy.metrics(metrics::put);
            return new PoolStats(name, policy.name(), deviceName, capacity, bytesInUse, bytesRequested,
                policy.usedBytes(), policy.freeBytes(), policy.largestFreeExtent(), policy.freeExtentCount(),
                segments.size(), peakBytesInUse, allocations, frees, failures, guardViolations, metrics);
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public IntegrityReport verify()
    {
        lock.lock();
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
            if (liveExtents.size() != segments.size() || policy.liveBlocks() != segments.size())
            {
                problems.add("pool records " + segments.size() + " live segments, policy walk shows "
                    + liveExtents.size() + ", policy counts " + policy.liveBlocks());
            }
            final long[] sums = new long[2];
            segments.forEachLong((offset, record) ->
            {
                final long len = record >>> LEN_SHIFT;
                final int guardLength = (int)(record & GUARD_MASK);
                final long m = len + guardLength;
                sums[0] += m;
                sums[1] += len;
                final long extent = liveExtents.get(offset);
                if (extent == MISSING)
                {
                    problems.add("segment 0x" + Long.toHexString(base + offset) + " (len=" + len
                        + ") is not a live block of the policy");
                }
                else if (extent < m)
                {
                    problems.add("segment 0x" + Long.toHexString(base + offset) + " needs " + m
                        + " bytes but its block holds " + extent);
                }
                if (guards != null)
                {
                    final int damaged = guards.check(base + offset, len, guardLength);
                    if (damaged >= 0)
                    {
                        problems.add(GuardViolationException.describe(name, base + offset, len, len + damaged,
                            Guards.PATTERN, guards.found(damaged)));
                    }
                }
            });
            if (sums[0] != bytesInUse || sums[1] != bytesRequested)
            {
                problems.add("byte counts disagree: bytesInUse=" + bytesInUse + " (records sum to " + sums[0]
                    + "), bytesRequested=" + bytesRequested + " (records sum to " + sums[1] + ")");
            }
            if (policy.usedBytes() < bytesInUse || policy.usedBytes() + policy.freeBytes() > capacity)
            {
                problems.add("policy figures disagree: used=" + policy.usedBytes() + ", free=" + policy.freeBytes()
                    + ", segment bytes=" + bytesInUse + ", capacity=" + capacity);
            }
            return new IntegrityReport(name, problems, segments.size());
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    public void forEachLiveSegment(final SegmentVisitor visitor)
    {
        lock.lock();
        try
        {
            checkOpen("forEachLiveSegment");
            final long[] offsets = sortedOffsets();
            for (final long offset : offsets)
            {
                visitor.visit(base + offset, segments.get(offset) >>> LEN_SHIFT);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    private long[] sortedOffsets()
    {
        final long[] offsets = new long[segments.size()];
        final int[] i = {0};
        segments.forEachLong((offset, record) -> offsets[i[0]++] = offset);
        Arrays.sort(offsets);
        return offsets;
    }

    @Override
    public void close()
    {
        final long[] addresses;
        final long[] lengths;
        lock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            addresses = sortedOffsets();
            lengths = new long[addresses.length];
            for (int i = 0; i < addresses.length; i++)
            {
                lengths[i] = segments.get(addresses[i]) >>> LEN_SHIFT;
                addresses[i] += base;
            }
            block.close();
        }
        finally
        {
            lock.unlock();
        }
        if (addresses.length > 0)
        {
            switch (leakAction)
            {
                case THROW:
                    throw new SegmentLeakException(name, addresses, lengths, "");
                case LOG:
                    LOGGER.log(System.Logger.Level.WARNING, SegmentLeakException.describe(name, addresses, lengths));
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
