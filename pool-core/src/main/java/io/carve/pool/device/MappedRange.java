package io.carve.pool.device;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What every {@link ReservedRange} does whatever its device: the argument checks, the table of mapped
 * granules and the order rules of {@link VirtualMemoryDevice}. Subclasses make the vendor's calls in the
 * {@code on*} hooks (which throw to refuse, leaving the state as it was) and reach mapped memory in the
 * {@code do*} operations, which run only after every byte was found mapped.
 * <p>
 * The table holds, for each granule, the handle mapped over it (or {@code null}) and the granule where
 * that handle's mapping starts. A write lock guards map, unmap and release; memory operations hold the
 * read lock, so they run concurrently with each other but never with a change of the table.
 */
abstract class MappedRange implements ReservedRange
{
    private final Object device;
    private final String deviceName;
    private final long address;
    private final long size;
    private final long granularity;
    private final int shift;
    private final MappedHandle[] handles;
    private final int[] starts;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long mappedBytes;
    private boolean released;

    MappedRange(final Object device, final String deviceName, final long address, final long size, final long granularity)
    {
        assert Long.bitCount(granularity) == 1 && size > 0 && size % granularity == 0 && address % granularity == 0;
        this.device = device;
        this.deviceName = deviceName;
        this.address = address;
        this.size = size;
        this.granularity = granularity;
        this.shift = Long.numberOfTrailingZeros(granularity);
        final int granules = Math.toIntExact(size >>> shift);
        this.handles = new MappedHandle[granules];
        this.starts = new int[granules];
    }

    /** Checks a range size for {@link VirtualMemoryDevice#reserve}: a positive multiple, a table that fits. */
    static void checkReserve(final long size, final long alignment, final long granularity)
    {
        if (size <= 0 || size % granularity != 0)
        {
            throw new IllegalArgumentException(VendorCall.RESERVE.cName()
                + ": size must be a positive multiple of the granularity " + granularity + ": size=" + size);
        }
        if ((size / granularity) > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException(VendorCall.RESERVE.cName()
                + ": size is too large for granularity " + granularity + ": size=" + size);
        }
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > granularity)
        {
            throw new IllegalArgumentException(VendorCall.RESERVE.cName()
                + ": alignment must be a power of 2 no larger than the granularity " + granularity + ": alignment=" + alignment);
        }
    }

    /** Checks a handle size for {@link VirtualMemoryDevice#allocatePhysical}. */
    static void checkPhysical(final long size, final long granularity)
    {
        if (size <= 0 || size % granularity != 0)
        {
            throw new IllegalArgumentException(VendorCall.MALLOC_PHYSICAL.cName()
                + ": size must be a positive multiple of the granularity " + granularity + ": size=" + size);
        }
    }

    /** The vendor's map of the whole handle at {@code offset}. */
    abstract void onMap(long offset, MappedHandle handle);

    /** The vendor's unmap of the handle mapped at {@code offset}. */
    abstract void onUnmap(long offset, MappedHandle handle);

    /** The vendor's release of the range. */
    abstract void onRelease();

    abstract void doFill(long address, long length, byte value);

    abstract void doCopyToHost(long address, byte[] dst, int dstOffset, int length);

    abstract void doCopyFromHost(byte[] src, int srcOffset, long address, int length);

    @Override
    public final long address()
    {
        return address;
    }

    @Override
    public final long size()
    {
        return size;
    }

    @Override
    public final long granularity()
    {
        return granularity;
    }

    /** The handle mapped over the granule holding {@code offset}; only under the lock (from a do/on method). */
    final MappedHandle handleAt(final long offset)
    {
        return handles[(int)(offset >>> shift)];
    }

    /** The offset at which the handle over the granule holding {@code offset} is mapped; under the lock. */
    final long mappingStart(final long offset)
    {
        return (long)starts[(int)(offset >>> shift)] << shift;
    }

    @Override
    public final void map(final long offset, final PhysicalHandle handle)
    {
        final MappedHandle mapped = checkHandle(handle);
        if (offset < 0 || (offset & (granularity - 1)) != 0)
        {
            throw new IllegalArgumentException(VendorCall.MAP.cName()
                + ": offset must be a non-negative multiple of the granularity " + granularity + ": offset=" + offset);
        }
        if (offset > size - mapped.size())
        {
            throw new IllegalArgumentException(VendorCall.MAP.cName() + ": the handle does not fit: offset=" + offset
                + ", handle size=" + mapped.size() + ", range size=" + size);
        }
        lock.writeLock().lock();
        try
        {
            checkOpen(VendorCall.MAP);
            final int first = (int)(offset >>> shift);
            final int count = (int)(mapped.size() >>> shift);
            for (int i = first; i < first + count; i++)
            {
                if (handles[i] != null)
                {
                    final long taken = (long)i << shift;
                    throw new IllegalStateException(VendorCall.MAP.cName() + ": the granule at offset " + taken
                        + " (address 0x" + Long.toHexString(address + taken) + ") is already mapped, by the handle at offset "
                        + mappingStart(taken) + ": offset=" + offset + ", handle size=" + mapped.size());
                }
            }
            mapped.claim(this, offset);
            try
            {
                onMap(offset, mapped);
            }
            catch (final RuntimeException e)
            {
                mapped.unclaim();
                throw e;
            }
            for (int i = first; i < first + count; i++)
            {
                handles[i] = mapped;
                starts[i] = first;
            }
            mappedBytes += mapped.size();
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    @Override
    public final PhysicalHandle unmap(final long offset)
    {
        if (offset < 0 || offset >= size || (offset & (granularity - 1)) != 0)
        {
            throw new IllegalArgumentException(VendorCall.UNMAP.cName()
                + ": offset must be a multiple of the granularity " + granularity + " inside the range of size "
                + size + ": offset=" + offset);
        }
        lock.writeLock().lock();
        try
        {
            checkOpen(VendorCall.UNMAP);
            final MappedHandle mapped = handleAt(offset);
            if (mapped == null)
            {
                throw new IllegalStateException(VendorCall.UNMAP.cName() + ": nothing is mapped at offset " + offset
                    + " (address 0x" + Long.toHexString(address + offset) + ")");
            }
            final long start = mappingStart(offset);
            if (start != offset)
            {
                throw new IllegalStateException(VendorCall.UNMAP.cName() + ": offset " + offset
                    + " is inside the handle mapped at offset " + start + " (size " + mapped.size()
                    + "): unmap takes the offset the handle was mapped at");
            }
            onUnmap(offset, mapped);
            final int first = (int)(offset >>> shift);
            final int count = (int)(mapped.size() >>> shift);
            for (int i = first; i < first + count; i++)
            {
                handles[i] = null;
                starts[i] = 0;
            }
            mappedBytes -= mapped.size();
            mapped.unclaim();
            return mapped;
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    @Override
    public final boolean isMapped(final long offset)
    {
        if (offset < 0 || offset >= size)
        {
            throw new IllegalArgumentException("offset outside the range of size " + size + ": offset=" + offset);
        }
        lock.readLock().lock();
        try
        {
            return !released && handleAt(offset) != null;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    @Override
    public final long mappedBytes()
    {
        lock.readLock().lock();
        try
        {
            return mappedBytes;
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void close()
    {
        lock.writeLock().lock();
        try
        {
            if (released)
            {
                return;
            }
            if (mappedBytes != 0)
            {
                throw new IllegalStateException(VendorCall.RELEASE.cName() + ": " + mappedBytes
                    + " bytes are still mapped in " + this + ": unmap and free the handles first");
            }
            onRelease();
            released = true;
        }
        finally
        {
            lock.writeLock().unlock();
        }
    }

    @Override
    public final void fill(final long address, final long length, final byte value)
    {
        lock.readLock().lock();
        try
        {
            checkAccess(address, length);
            doFill(address, length, value);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void copyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
    {
        checkArray(dst.length, dstOffset, length);
        lock.readLock().lock();
        try
        {
            checkAccess(address, length);
            doCopyToHost(address, dst, dstOffset, length);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void copyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
    {
        checkArray(src.length, srcOffset, length);
        lock.readLock().lock();
        try
        {
            checkAccess(address, length);
            doCopyFromHost(src, srcOffset, address, length);
        }
        finally
        {
            lock.readLock().unlock();
        }
    }

    @Override
    public String toString()
    {
        return deviceName + " range{address=0x" + Long.toHexString(address) + ", size=" + size
            + ", granularity=" + granularity + '}';
    }

    private MappedHandle checkHandle(final PhysicalHandle handle)
    {
        if (!(handle instanceof MappedHandle) || ((MappedHandle)handle).device != device)
        {
            throw new IllegalArgumentException(VendorCall.MAP.cName() + ": the handle does not belong to "
                + deviceName + ": handle=" + handle);
        }
        return (MappedHandle)handle;
    }

    private void checkOpen(final VendorCall call)
    {
        if (released)
        {
            throw new IllegalStateException(call.cName() + ": the range was released: " + this);
        }
    }

    private void checkAccess(final long from, final long length)
    {
        if (released)
        {
            throw new IllegalStateException("the range was released: " + this);
        }
        final long offset = from - address;
        if (offset < 0 || length < 0 || offset > size - length)
        {
            throw new IndexOutOfBoundsException("range outside the reserved range: address=0x" + Long.toHexString(from)
                + ", length=" + length + ", reserved=[0x" + Long.toHexString(address) + ", 0x"
                + Long.toHexString(address + size) + ")");
        }
        if (length == 0)
        {
            return;
        }
        final int last = (int)((offset + length - 1) >>> shift);
        for (int i = (int)(offset >>> shift); i <= last; i++)
        {
            if (handles[i] == null)
            {
                final long unmapped = Math.max(from, address + ((long)i << shift));
                throw new UnmappedMemoryException("address 0x" + Long.toHexString(unmapped)
                    + " is in an unmapped granule (offset " + (unmapped - address) + " of " + this
                    + "): address=0x" + Long.toHexString(from) + ", length=" + length, unmapped);
            }
        }
    }

    private static void checkArray(final int arrayLength, final int index, final int length)
    {
        if (index < 0 || length < 0 || index > arrayLength - length)
        {
            throw new IndexOutOfBoundsException(
                "range outside array: index=" + index + ", length=" + length + ", array length=" + arrayLength);
        }
    }
}
