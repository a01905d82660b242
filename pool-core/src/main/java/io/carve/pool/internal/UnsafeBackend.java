package io.carve.pool.internal;

import org.agrona.UnsafeApi;

/**
 * Raw memory through Agrona's {@code UnsafeApi} ({@code jdk.internal.misc.Unsafe}): the JDK 17 to 21 path.
 * <p>
 * JDK 17 has no supported way to call {@code mmap} or {@code madvise}, so {@link #reserve(long)} is a
 * plain {@code malloc}: glibc serves requests above its mmap threshold (at most 32 MiB) with a private
 * anonymous mapping, whose untouched pages cost nothing, but without {@code MAP_NORESERVE} a kernel in its
 * default overcommit mode may refuse a reservation larger than RAM plus swap. {@link #canDiscard()} is
 * {@code false}: pages once touched stay resident until the reservation is released.
 */
final class UnsafeBackend implements NativeBackend
{
    private static final long BYTE_ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    @Override
    public String name()
    {
        return "unsafe";
    }

    @Override
    public long allocate(final long size)
    {
        return UnsafeApi.allocateMemory(size);
    }

    @Override
    public void free(final long address)
    {
        UnsafeApi.freeMemory(address);
    }

    @Override
    public long reserve(final long size)
    {
        return UnsafeApi.allocateMemory(size);
    }

    @Override
    public void unreserve(final long address, final long size)
    {
        UnsafeApi.freeMemory(address);
    }

    @Override
    public boolean canDiscard()
    {
        return false;
    }

    @Override
    public void discard(final long address, final long size)
    {
        // Nothing to do without madvise: the pages stay resident until the reservation is released.
    }

    @Override
    public void setMemory(final long address, final long length, final byte value)
    {
        UnsafeApi.setMemory(address, length, value);
    }

    @Override
    public void copyToArray(final long address, final byte[] dst, final int dstOffset, final int length)
    {
        UnsafeApi.copyMemory(null, address, dst, BYTE_ARRAY_BASE + dstOffset, length);
    }

    @Override
    public void copyFromArray(final byte[] src, final int srcOffset, final long address, final int length)
    {
        UnsafeApi.copyMemory(src, BYTE_ARRAY_BASE + srcOffset, null, address, length);
    }

    @Override
    public long getLong(final long address)
    {
        return UnsafeApi.getLong(address);
    }

    @Override
    public void putLong(final long address, final long value)
    {
        UnsafeApi.putLong(address, value);
    }

    @Override
    public byte getByte(final long address)
    {
        return UnsafeApi.getByte(address);
    }

    @Override
    public void putByte(final long address, final byte value)
    {
        UnsafeApi.putByte(address, value);
    }
}
