package io.carve.pool.device;

import io.carve.pool.internal.NativeAccess;

/**
 * Raw native memory shared by both allocators: an aligned host allocation and bounds-checked operations
 * on it. Package-private: the SPI is {@link DeviceMemory}.
 */
final class NativeMemory
{
    static final int PAGE_SIZE = 4096;

    private final long rawAddress;
    private final long hostAddress;
    private final long size;
    private final long limit;
    private volatile boolean freed;

    /** Allocates {@code size} bytes at {@code alignment}; every operation may reach all of them. */
    NativeMemory(final long size, final long alignment)
    {
        this(size, alignment, size);
    }

    /**
     * Allocates {@code size} bytes at {@code alignment}, of which operations may reach only the first
     * {@code limit} (a device's block inside its rounded reservation).
     */
    NativeMemory(final long size, final long alignment, final long limit)
    {
        if (size <= 0 || alignment <= 0 || size > Long.MAX_VALUE - (alignment - 1))
        {
            throw new IllegalArgumentException("size and alignment overflow: size=" + size + ", alignment=" + alignment);
        }
        assert limit > 0 && limit <= size;
        final long raw = NativeAccess.allocate(size + alignment - 1);
        this.rawAddress = raw;
        this.hostAddress = (raw + alignment - 1) & -alignment;
        this.size = size;
        this.limit = limit;
    }

    long hostAddress()
    {
        return hostAddress;
    }

    long size()
    {
        return size;
    }

    /**
     * Touches one byte of every page the memory spans, so that the kernel maps them now rather than on first
     * use: the first byte, then the start of each later page. The memory need not start on a page boundary,
     * so counting {@code size / PAGE_SIZE} pages from its start would miss the last one.
     */
    void prefault()
    {
        forEachPage(hostAddress, size, address -> NativeAccess.putByte(address, (byte)0));
    }

    /**
     * Visits one address in each page that {@code [start, start + size)} spans: {@code start}, then the first
     * address of every later page.
     *
     * @return the number of pages visited.
     */
    static long forEachPage(final long start, final long size, final java.util.function.LongConsumer visit)
    {
        final long end = start + size;
        visit.accept(start);
        long pages = 1;
        for (long page = (start & -PAGE_SIZE) + PAGE_SIZE; page < end; page += PAGE_SIZE)
        {
            visit.accept(page);
            pages++;
        }
        return pages;
    }

    void fill(final long offset, final long length, final byte value)
    {
        check(offset, length);
        NativeAccess.setMemory(hostAddress + offset, length, value);
    }

    void copyToHost(final long offset, final byte[] dst, final int dstOffset, final int length)
    {
        check(offset, length);
        checkArray(dst.length, dstOffset, length);
        NativeAccess.copyToArray(hostAddress + offset, dst, dstOffset, length);
    }

    void copyFromHost(final byte[] src, final int srcOffset, final long offset, final int length)
    {
        check(offset, length);
        checkArray(src.length, srcOffset, length);
        NativeAccess.copyFromArray(src, srcOffset, hostAddress + offset, length);
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
        NativeAccess.free(rawAddress);
        return true;
    }

    private void check(final long offset, final long length)
    {
        if (freed)
        {
            throw new IllegalStateException("block was closed");
        }
        if (offset < 0 || length < 0 || offset > limit - length)
        {
            throw new IndexOutOfBoundsException(
                "range outside block: offset=" + offset + ", length=" + length + ", size=" + limit);
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
