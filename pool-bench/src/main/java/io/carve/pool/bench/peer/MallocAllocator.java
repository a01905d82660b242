package io.carve.pool.bench.peer;

import org.agrona.UnsafeApi;

/**
 * Plain {@code malloc}/{@code free} of native memory through {@code UnsafeApi.allocateMemory} and
 * {@code freeMemory} (glibc's malloc on Linux, with its default thresholds: large blocks are mapped and
 * unmapped, so their pages fault again on first touch).
 */
public final class MallocAllocator implements BenchAllocator
{
    private final long[] addresses;
    private final long[] lengths;
    private long liveRequested;

    /**
     * A peer with {@code slots} slots.
     *
     * @param slots the number of slots.
     */
    public MallocAllocator(final int slots)
    {
        this.addresses = new long[Slots.checkSlots(slots)];
        this.lengths = new long[slots];
    }

    @Override
    public String name()
    {
        return "malloc";
    }

    @Override
    public String settings()
    {
        return "UnsafeApi.allocateMemory/freeMemory (the C library's malloc/free, default tuning)";
    }

    @Override
    public String kind()
    {
        return "peer";
    }

    @Override
    public boolean allocate(final int slot, final long len)
    {
        addresses[slot] = UnsafeApi.allocateMemory(len);
        lengths[slot] = len;
        liveRequested += len;
        return true;
    }

    @Override
    public void free(final int slot)
    {
        final long address = addresses[slot];
        if (address != 0)
        {
            addresses[slot] = 0;
            liveRequested -= lengths[slot];
            UnsafeApi.freeMemory(address);
        }
    }

    @Override
    public void touch(final int slot, final long len)
    {
        final long address = addresses[slot];
        for (long offset = 0; offset < len; offset += PAGE)
        {
            UnsafeApi.putByte(address + offset, (byte)1);
        }
    }

    /** malloc's own overhead is not visible: the live requested bytes. */
    @Override
    public long occupancyBytes()
    {
        return liveRequested;
    }

    @Override
    public boolean showsOccupancy()
    {
        return false;
    }

    @Override
    public void close()
    {
        for (int slot = 0; slot < addresses.length; slot++)
        {
            free(slot);
        }
    }
}
