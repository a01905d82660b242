package io.carve.pool.device;

import org.agrona.UnsafeApi;

/**
 * Raw native memory shared by both allocators: an aligned host allocation and bounds-checked operations
 * on it. Package-private: the SPI is {@link DeviceMemory}.
 */
final class NativeMemory
{
    static final int PAGE_SIZE = 4096;
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private final long rawAddress;
    private final long hostAddress;
    private final long size;
    private volatile boolean freed;

    NativeMemory(final long size, final long alignment)
    {
        final long raw = UnsafeApi.allocateMemory(size + alignment - 1);
        this.rawAddress = raw;
        this.hostAddress = (raw + alignment - 1) & -alignment;
        this.size = size;
    }

    long hostAddress()
    {
        return hostAddress;
    }

    long size()
    {
        return size;
    }

    /** Touches one byte per page so that the kernel maps every page now rather than on first use. */
    void prefault()
    {
        for (long offset = 0; offset < size; offset += PAGE_SIZE)
        {
            UnsafeApi.putByte(hostAddress + offset, (byte)0);
        }
    }

    void fill(final long offset, final long length, final byte value)
    {
        check(offset, length);
        UnsafeApi.setMemory(hostAddress + offset, length, value);
    }

    void copyToHost(final long offset, final byte[] dst, final int dstOffset, final int length)
    {
        check(offset, length);
        checkArray(dst.length, dstOffset, length);
        UnsafeApi.copyMemory(null, hostAddress + offset, dst, BYTE_ARRAY_BASE + dstOffset, length);
    }

    void copyFromHost(final byte[] src, final int srcOffset, final long offset, final int length)
    {
        check(offset, length);
        checkArray(src.length, srcOffset, length);
        UnsafeApi.copyMemory(src, BYTE_ARRAY_BASE + srcOffset, null, hostAddress + offset, length);
    }

    boolean isFreed()
    {
        return freed;
    }

    synchronized boolean free()
    {
        if (freed)
        {
            return false;
        }
        freed = true;
        UnsafeApi.freeMemory(rawAddress);
        return true;
    }

    private void check(final long offset, final long length)
    {
        if (freed)
        {
            throw new IllegalStateException("block was closed");
        }
        if (offset < 0 || length < 0 || offset > size - length)
        {
            throw new IndexOutOfBoundsException(
                "range outside block: offset=" + offset + ", length=" + length + ", size=" + size);
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
