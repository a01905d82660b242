package io.carve.pool.device;

import io.carve.pool.align.Align;

/**
 * The default device: off-heap host memory, directly accessible by host code.
 * <p>
 * By default the block is pre-touched when it is taken (one write per 4 KiB page), so the page faults are
 * paid once while the pool is built instead of on the first use of each page: a first touch costs about
 * 12 microseconds, far more than carving a segment. {@link #lazy()} skips that, for pools that are mostly
 * idle or much larger than what they will ever hold.
 */
public final class OffHeapDeviceAllocator implements DeviceAllocator
{
    private static final OffHeapDeviceAllocator PREFAULTING = new OffHeapDeviceAllocator(true);
    private static final OffHeapDeviceAllocator LAZY = new OffHeapDeviceAllocator(false);

    private final boolean prefault;

    private OffHeapDeviceAllocator(final boolean prefault)
    {
        this.prefault = prefault;
    }

    /**
     * The default: blocks are pre-touched when taken.
     *
     * @return the shared instance.
     */
    public static OffHeapDeviceAllocator prefaulting()
    {
        return PREFAULTING;
    }

    /**
     * Blocks are left untouched: each page faults on its first use.
     *
     * @return the shared instance.
     */
    public static OffHeapDeviceAllocator lazy()
    {
        return LAZY;
    }

    /**
     * Whether blocks are pre-touched when taken.
     *
     * @return {@code true} for {@link #prefaulting()}.
     */
    public boolean prefaults()
    {
        return prefault;
    }

    @Override
    public String name()
    {
        return prefault ? "off-heap" : "off-heap-lazy";
    }

    @Override
    public DeviceBlock allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        final NativeMemory memory;
        try
        {
            memory = new NativeMemory(size, alignment);
        }
        catch (final OutOfMemoryError e)
        {
            throw new DeviceAllocationException(
                name() + " could not allocate size=" + size + " bytes: " + e.getMessage(), size);
        }
        if (prefault)
        {
            memory.prefault();
        }
        return new HostBlock(memory);
    }

    @Override
    public String toString()
    {
        return name();
    }

    private static final class HostBlock implements DeviceBlock
    {
        private final NativeMemory memory;
        private final long base;

        HostBlock(final NativeMemory memory)
        {
            this.memory = memory;
            this.base = memory.hostAddress();
        }

        @Override
        public long address()
        {
            return base;
        }

        @Override
        public long size()
        {
            return memory.size();
        }

        @Override
        public long reservedSize()
        {
            return memory.size();
        }

        @Override
        public boolean isHostAccessible()
        {
            return true;
        }

        @Override
        public void fill(final long address, final long length, final byte value)
        {
            memory.fill(address - base, length, value);
        }

        @Override
        public void copyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
        {
            memory.copyToHost(address - base, dst, dstOffset, length);
        }

        @Override
        public void copyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
        {
            memory.copyFromHost(src, srcOffset, address - base, length);
        }

        @Override
        public void close()
        {
            memory.free();
        }

        @Override
        public String toString()
        {
            return "off-heap block{address=0x" + Long.toHexString(base) + ", size=" + memory.size() + '}';
        }
    }
}
