package io.carve.pool;

import io.carve.pool.device.DeviceAllocationException;
import io.carve.pool.device.PhysicalHandle;
import io.carve.pool.device.ReservedRange;
import io.carve.pool.device.VirtualMemoryDevice;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;

import java.util.ArrayList;
import java.util.List;

/**
 * The address range of a growable pool: reserved once at its maximum size, mapped a granule at a time.
 * The policy manages the whole range; every granule that is not mapped is reserved in the policy
 * ({@link AllocationPolicy#reserve}), so no segment can ever be placed on it.
 *
 * <pre>
 *   range.address()                                                           + maximum
 *   | mapped | mapped | (reserved) | mapped | (reserved ...................... ) |
 *   granule 0                       ^ trim() gave this one back; growth maps it again when it helps
 * </pre>
 *
 * <h2>Growth</h2>
 * When an allocation of {@code m} bytes finds no free extent, {@link #grow} looks for the reserved run that,
 * joined to the free extent just before it, makes room for {@code m} at its alignment with the fewest new
 * granules (RMM's rule: at least the request, and at least the growth step, never past the maximum), maps
 * a physical handle per granule there and gives those granules back to the policy. One handle per granule
 * is what lets {@link #trim} return single granules later.
 *
 * <h2>Trim</h2>
 * {@link #trim} reserves every granule that lies wholly inside a free extent, anywhere in the range, then
 * unmaps it and frees its handle. A policy may decline a granule (TLSF if it would leave a free fragment
 * below its minimum block); that granule simply stays mapped.
 *
 * <h2>Threading</h2>
 * Guarded by the pool's lock: every call here is made with it held. Nothing in the range is touched for a
 * granule that is not mapped: the policy never places a segment there, and the pool touches only segments.
 */
final class MappedSpace
{
    private final ReservedRange range;
    private final VirtualMemoryDevice device;
    private final long granularity;
    private final int granuleShift;
    private final long growthStep;
    private final PhysicalHandle[] handles;
    private long mappedBytes;
    private long peakMappedBytes;
    private long grownBytes;
    private long trimmedBytes;
    private String refusal;
    private boolean deviceRefused;

    /**
     * Reserves the range and maps its first {@code initial} bytes.
     *
     * @param maximum   the range's size, a positive multiple of the device's granularity.
     * @param alignment the range's alignment, at most the granularity.
     * @param initial   bytes to map now, a multiple of the granularity, at most {@code maximum}.
     * @param growthStep the least a growth maps, a multiple of the granularity.
     * @throws DeviceAllocationException if the device refuses; nothing is held then.
     */
    MappedSpace(
        final VirtualMemoryDevice device, final long maximum, final long alignment, final long initial, final long growthStep)
    {
        this.device = device;
        this.granularity = device.granularity();
        this.granuleShift = Long.numberOfTrailingZeros(granularity);
        this.growthStep = growthStep;
        final long granules = maximum >>> granuleShift;
        if (granules > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("maximumCapacity has too many granules of " + granularity
                + " bytes: maximumCapacity=" + maximum);
        }
        this.handles = new PhysicalHandle[(int)granules];
        this.range = device.reserve(maximum, alignment);
        try
        {
            final long mapped = map(0, initial >>> granuleShift);
            if (mapped < initial)
            {
                throw new DeviceAllocationException("device " + device.name() + " refused to map the initial "
                    + initial + " bytes: " + refusal, initial);
            }
        }
        catch (final RuntimeException e)
        {
            close();
            throw e;
        }
    }

    ReservedRange range()
    {
        return range;
    }

    long granularity()
    {
        return granularity;
    }

    long mappedBytes()
    {
        return mappedBytes;
    }

    long peakMappedBytes()
    {
        return peakMappedBytes;
    }

    /** Bytes mapped by growth since the pool was built. */
    long grownBytes()
    {
        return grownBytes;
    }

    /** Bytes unmapped by trim since the pool was built. */
    long trimmedBytes()
    {
        return trimmedBytes;
    }

    /** Why the last growth mapped less than it wanted, or null. */
    String refusal()
    {
        return refusal;
    }

    boolean isMapped(final long offset)
    {
        return handles[(int)(offset >>> granuleShift)] != null;
    }

    /**
     * Maps granules so that the policy can carve {@code m} bytes at {@code alignment}, as the class comment
     * says; the caller holds the pool's lock.
     *
     * @return the bytes mapped; 0 if no reserved run can make room (the maximum is reached, or what is left
     * of it is too fragmented) or the device refused at once.
     */
    long grow(final AllocationPolicy policy, final long m, final long alignment)
    {
        refusal = null;
        deviceRefused = false;
        final List<long[]> extents = extents(policy);
        final long[] pick = pickRun(extents, m, alignment);
        if (pick == null)
        {
            refusal = noRunFor(m);
            return 0;
        }
        final long available = reservedRunLength(extents, pick[0]) >>> granuleShift;
        final long granules = Math.min(available, Math.max(pick[1], growthStep >>> granuleShift));
        final long mapped = map(pick[0], granules);
        if (mapped > 0)
        {
            policy.unreserve(pick[0], mapped);
            grownBytes += mapped;
        }
        return mapped;
    }

    /**
     * What {@link #grow} would map for {@code m} at {@code alignment}, changing nothing: the bytes, or 0 when
     * no reserved run can make room (then {@link #noRunFor} says why). The device may still refuse.
     */
    long growthFor(final AllocationPolicy policy, final long m, final long alignment)
    {
        final List<long[]> extents = extents(policy);
        final long[] pick = pickRun(extents, m, alignment);
        if (pick == null)
        {
            return 0;
        }
        final long available = reservedRunLength(extents, pick[0]) >>> granuleShift;
        return Math.min(available, Math.max(pick[1], growthStep >>> granuleShift)) << granuleShift;
    }

    /** Why no reserved run can hold {@code m}. */
    String noRunFor(final long m)
    {
        return "the maximum capacity " + range.size() + " leaves no reserved run that can hold " + m
            + " bytes (mapped " + mappedBytes + ")";
    }

    /** Whether the last growth stopped because the device refused (rather than the maximum being reached). */
    boolean deviceRefused()
    {
        return deviceRefused;
    }

    private static List<long[]> extents(final AllocationPolicy policy)
    {
        final List<long[]> extents = new ArrayList<>();
        policy.walk((offset, size, state) -> extents.add(new long[] {offset, size, state.ordinal()}));
        return extents;
    }

    /** The reserved, unmapped run needing the fewest granules for {@code m}: {offset, granules}, or null. */
    private long[] pickRun(final List<long[]> extents, final long m, final long alignment)
    {
        long bestOffset = -1;
        long bestGranules = Long.MAX_VALUE;
        for (int i = 0; i < extents.size(); i++)
        {
            final long[] e = extents.get(i);
            if (e[2] != BlockState.RESERVED.ordinal() || !isUnmapped(e[0], e[1]))
            {
                continue;
            }
            final long[] before = i > 0 ? extents.get(i - 1) : null;
            final long freeStart = before != null && before[2] == BlockState.FREE.ordinal() ? before[0] : e[0];
            final long start = freeStart + (-freeStart & (alignment - 1));
            final long needEnd = start + m;
            final long granules = Math.max(1, (needEnd - e[0] + granularity - 1) >>> granuleShift);
            if (granules <= (e[1] >>> granuleShift) && granules < bestGranules)
            {
                bestGranules = granules;
                bestOffset = e[0];
                if (granules == 1)
                {
                    break;
                }
            }
        }
        return bestOffset < 0 ? null : new long[] {bestOffset, bestGranules};
    }

    private static long reservedRunLength(final List<long[]> extents, final long offset)
    {
        for (final long[] e : extents)
        {
            if (e[0] == offset)
            {
                return e[1];
            }
        }
        return 0;
    }

    private boolean isUnmapped(final long offset, final long size)
    {
        if ((offset & (granularity - 1)) != 0 || (size & (granularity - 1)) != 0)
        {
            return false;
        }
        for (long g = offset; g < offset + size; g += granularity)
        {
            if (isMapped(g))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Maps {@code count} granules from {@code offset}, one handle each, stopping at the first refusal.
     *
     * @return the bytes mapped.
     */
    private long map(final long offset, final long count)
    {
        long mapped = 0;
        for (long i = 0; i < count; i++)
        {
            final long at = offset + (i << granuleShift);
            final PhysicalHandle handle;
            try
            {
                handle = device.allocatePhysical(granularity);
            }
            catch (final DeviceAllocationException e)
            {
                refusal = "device " + device.name() + " refused a physical handle: " + e.getMessage();
                deviceRefused = true;
                break;
            }
            try
            {
                range.map(at, handle);
            }
            catch (final DeviceAllocationException e)
            {
                handle.close();
                refusal = "device " + device.name() + " refused to map at offset " + at + ": " + e.getMessage();
                deviceRefused = true;
                break;
            }
            handles[(int)(at >>> granuleShift)] = handle;
            mapped += granularity;
        }
        mappedBytes += mapped;
        peakMappedBytes = Math.max(peakMappedBytes, mappedBytes);
        return mapped;
    }

    /**
     * Unmaps every granule that lies wholly inside a free extent of the policy and that the policy agrees
     * to reserve; the caller holds the pool's lock and has drained the caches if it wants their memory back.
     *
     * @return the bytes unmapped.
     */
    long trim(final AllocationPolicy policy)
    {
        final List<long[]> free = new ArrayList<>();
        policy.walk((offset, size, state) ->
        {
            if (state == BlockState.FREE)
            {
                free.add(new long[] {offset, size});
            }
        });
        long unmapped = 0;
        for (final long[] extent : free)
        {
            final long first = (extent[0] + granularity - 1) & -granularity;
            for (long g = first; g + granularity <= extent[0] + extent[1]; g += granularity)
            {
                if (isMapped(g) && policy.reserve(g, granularity))
                {
                    final PhysicalHandle handle;
                    try
                    {
                        handle = range.unmap(g);
                    }
                    catch (final DeviceAllocationException e)
                    {
                        policy.unreserve(g, granularity);
                        refusal = "device " + device.name() + " refused to unmap offset " + g + ": " + e.getMessage();
                        continue;
                    }
                    handles[(int)(g >>> granuleShift)] = null;
                    handle.close();
                    unmapped += granularity;
                }
            }
        }
        mappedBytes -= unmapped;
        trimmedBytes += unmapped;
        return unmapped;
    }

    /**
     * Checks that the policy reserves exactly the granules that are not mapped: its reserved bytes equal the
     * unmapped bytes, and no live or free extent touches an unmapped granule.
     */
    void verify(final AllocationPolicy policy, final List<String> problems)
    {
        policy.walk((offset, size, state) ->
        {
            if (state == BlockState.RESERVED)
            {
                return;
            }
            for (long g = offset & -granularity; g < offset + size; g += granularity)
            {
                if (!isMapped(g))
                {
                    problems.add("the policy holds a " + state + " extent at offset " + offset + " (size " + size
                        + ") on unmapped granule " + g);
                    return;
                }
            }
        });
        long counted = 0;
        for (final PhysicalHandle handle : handles)
        {
            counted += handle == null ? 0 : granularity;
        }
        if (counted != mappedBytes || range.mappedBytes() != mappedBytes)
        {
            problems.add("mapped bytes disagree: counted " + mappedBytes + ", granules " + counted + ", device "
                + range.mappedBytes());
        }
        if (policy.reservedBytes() != range.size() - mappedBytes)
        {
            problems.add("the policy reserves " + policy.reservedBytes() + " bytes, the unmapped granules are "
                + (range.size() - mappedBytes));
        }
    }

    /** Unmaps and frees every handle, then releases the range; the pool is closing. */
    void close()
    {
        for (int i = 0; i < handles.length; i++)
        {
            if (handles[i] != null)
            {
                range.unmap((long)i << granuleShift).close();
                handles[i] = null;
            }
        }
        mappedBytes = 0;
        range.close();
    }
}
