package io.carve.pool.bench.peer;

import io.carve.pool.PoolStats;
import io.carve.pool.SegmentPool;
import io.carve.pool.device.OffHeapDeviceAllocator;
import io.carve.pool.policy.PolicyFactory;
import org.agrona.UnsafeApi;

import java.util.Arrays;

/**
 * Carve: one pool of fixed capacity on the off-heap device, one policy, guards off or on.
 * <p>
 * A slot holds a segment address; a refused allocation ({@code tryAllocate} returned 0) leaves the slot
 * empty. The pool's size-class cache is off unless asked for, so that the figures are the policy's own.
 */
public final class CarveAllocator implements BenchAllocator
{
    private final String name;
    private final String settings;
    private final SegmentPool pool;
    private final long[] addresses;

    /**
     * Builds the pool.
     *
     * @param name     the variant's name, for example {@code "tlsf+guards"}.
     * @param policy   the policy factory.
     * @param guards   whether guard bytes are written and checked.
     * @param cache    whether the pool's size-class cache is on (its default size) or off.
     * @param capacity the pool's capacity in bytes.
     * @param prefault whether the block is pre-touched when taken.
     * @param slots    the number of slots.
     */
    public CarveAllocator(
        final String name,
        final PolicyFactory policy,
        final boolean guards,
        final boolean cache,
        final long capacity,
        final boolean prefault,
        final int slots)
    {
        this(name, configured(name, policy, guards, cache, capacity, prefault), slots,
            "Carve " + policy.name() + " (" + policy + "), capacity " + capacity + " bytes, guards "
            + (guards ? "on" : "off") + ", size-class cache " + (cache ? "on (capacity/16)" : "off")
            + ", unified profile (128-byte start, ALIGN_UP(len,32)+32), off-heap device"
            + (prefault ? " pre-touched" : " (lazy pages)"));
    }

    private CarveAllocator(final String name, final SegmentPool pool, final int slots, final String settings)
    {
        this.name = name;
        this.pool = pool;
        this.addresses = new long[Slots.checkSlots(slots)];
        this.settings = settings;
    }

    /**
     * Carve as the builder's defaults give it: only the name and the capacity are set.
     *
     * @param name     the allocator's name.
     * @param capacity the pool's capacity in bytes.
     * @param slots    the number of slots.
     * @return the allocator.
     */
    public static CarveAllocator defaults(final String name, final long capacity, final int slots)
    {
        final SegmentPool pool = SegmentPool.builder().name(name).capacity(capacity).build();
        return new CarveAllocator(name, pool, slots, "Carve with the builder's defaults (TLSF, guards on, size-class"
            + " cache on at capacity/16, unified profile, pre-touched off-heap device), capacity " + capacity + " bytes");
    }

    private static SegmentPool configured(
        final String name,
        final PolicyFactory policy,
        final boolean guards,
        final boolean cache,
        final long capacity,
        final boolean prefault)
    {
        final var builder = SegmentPool.builder()
            .name(name)
            .capacity(capacity)
            .policy(policy)
            .guards(guards)
            .device(prefault ? OffHeapDeviceAllocator.prefaulting() : OffHeapDeviceAllocator.lazy());
        if (!cache)
        {
            builder.sizeClassCacheBytes(0);
        }
        return builder.build();
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public String settings()
    {
        return settings;
    }

    @Override
    public String kind()
    {
        return "carve";
    }

    /** @return the pool, for maps and stats (not for the hot path). */
    public SegmentPool pool()
    {
        return pool;
    }

    @Override
    public boolean allocate(final int slot, final long len)
    {
        final long address = pool.tryAllocate(len);
        addresses[slot] = address;
        return address != SegmentPool.NULL_ADDRESS;
    }

    @Override
    public void free(final int slot)
    {
        final long address = addresses[slot];
        if (address != SegmentPool.NULL_ADDRESS)
        {
            addresses[slot] = SegmentPool.NULL_ADDRESS;
            pool.free(address);
        }
    }

    @Override
    public void touch(final int slot, final long len)
    {
        final long address = addresses[slot];
        if (address != SegmentPool.NULL_ADDRESS)
        {
            for (long offset = 0; offset < len; offset += PAGE)
            {
                UnsafeApi.putByte(address + offset, (byte)1);
            }
        }
    }

    @Override
    public long occupancyBytes()
    {
        final PoolStats stats = pool.stats();
        return stats.policyUsedBytes();
    }

    @Override
    public double internalWaste()
    {
        return pool.stats().internalWaste();
    }

    @Override
    public double externalFragmentation()
    {
        return pool.stats().externalFragmentation();
    }

    @Override
    public void close()
    {
        for (int slot = 0; slot < addresses.length; slot++)
        {
            free(slot);
        }
        Arrays.fill(addresses, SegmentPool.NULL_ADDRESS);
        pool.close();
    }

    @Override
    public String toString()
    {
        return name;
    }
}
