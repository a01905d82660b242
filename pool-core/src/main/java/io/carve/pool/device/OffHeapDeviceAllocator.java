package io.carve.pool.device;

import io.carve.pool.align.Align;
import io.carve.pool.internal.NativeAccess;

/**
 * The default device: off-heap host memory, directly accessible by host code.
 * <p>
 * By default the block is pre-touched when it is taken (one write per 4 KiB page), so the page faults are
 * paid once while the pool is built instead of on the first use of each page: a first touch costs about
 * 12 microseconds, far more than carving a segment. {@link #lazy()} skips that, for pools that are mostly
 * idle or much larger than what they will ever hold.
 * <h2>Growable ranges ({@link VirtualMemoryDevice})</h2>
 * The device also offers the three-step API over host memory, with a granularity of 2 MB:
 * <ul>
 *   <li>{@link #reserve reserve} takes one large lazy block of address space: {@code mmap} with
 *       {@code MAP_NORESERVE} on JDK 22+ (Linux), {@code malloc} on JDK 17 to 21, which glibc serves with a
 *       private anonymous mapping. Untouched pages cost nothing.</li>
 *   <li>A physical handle is bookkeeping only: host memory needs no separate physical allocation.</li>
 *   <li>{@link ReservedRange#map map} touches every 4 KiB page of the granules (unless {@link #lazy()}), so
 *       the page faults are paid when the pool grows, not on its allocations.</li>
 *   <li>{@link ReservedRange#unmap unmap} gives the pages back to the operating system with
 *       {@code madvise(MADV_DONTNEED)} on JDK 22+ (Linux). On JDK 17 to 21 there is no way to call
 *       {@code madvise} without JNI: the pages stay resident (and keep their bytes) until the range is
 *       released, so a pool that shrinks gives nothing back before it closes.
 *       {@link #discardsUnmappedPages()} says which.</li>
 * </ul>
 * The range's memory operations refuse unmapped granules like every device's, although host memory there
 * would not fault.
 */
public final class OffHeapDeviceAllocator implements DeviceAllocator, VirtualMemoryDevice
{
    /** The granularity of the three-step API: 2 MB, like the vendor's. */
    public static final long GRANULARITY = HugePagePolicy.HUGE_PAGE;

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

    /**
     * {@value #GRANULARITY} bytes.
     *
     * @return the granularity.
     */
    @Override
    public long granularity()
    {
        return GRANULARITY;
    }

    /**
     * Whether unmapping gives pages back to the operating system: {@code true} on JDK 22+ on Linux
     * ({@code madvise(MADV_DONTNEED)}), {@code false} on JDK 17 to 21.
     *
     * @return whether unmapped pages are discarded.
     */
    public boolean discardsUnmappedPages()
    {
        return NativeAccess.canDiscard();
    }

    @Override
    public ReservedRange reserve(final long size, final long alignment)
    {
        MappedRange.checkReserve(size, alignment, GRANULARITY);
        final long raw;
        try
        {
            raw = NativeAccess.reserve(size + GRANULARITY);
        }
        catch (final OutOfMemoryError e)
        {
            throw new DeviceAllocationException(
                name() + " could not reserve size=" + size + " bytes of address space: " + e.getMessage(), size);
        }
        return new HostRange(raw, size);
    }

    @Override
    public PhysicalHandle allocatePhysical(final long size)
    {
        MappedRange.checkPhysical(size, GRANULARITY);
        return new HostHandle(this, size);
    }

    @Override
    public String toString()
    {
        return name();
    }

    private static final class HostHandle extends MappedHandle
    {
        HostHandle(final OffHeapDeviceAllocator device, final long size)
        {
            super(device, size);
        }

        @Override
        void onFree()
        {
            // Host pages belong to the range; the handle only counts them.
        }

        @Override
        public String toString()
        {
            return "off-heap handle{size=" + size() + '}';
        }
    }

    /** A range of host address space: mapped granules are touched, unmapped ones discarded where possible. */
    private final class HostRange extends MappedRange
    {
        private final long raw;

        HostRange(final long raw, final long size)
        {
            super(OffHeapDeviceAllocator.this, name(), Align.alignUp(raw, GRANULARITY), size, GRANULARITY);
            this.raw = raw;
        }

        @Override
        void onMap(final long offset, final MappedHandle handle)
        {
            if (prefault)
            {
                NativeMemory.forEachPage(address() + offset, handle.size(), page -> NativeAccess.putByte(page, (byte)0));
            }
        }

        @Override
        void onUnmap(final long offset, final MappedHandle handle)
        {
            NativeAccess.discard(address() + offset, handle.size());
        }

        @Override
        void onRelease()
        {
            NativeAccess.unreserve(raw, size() + GRANULARITY);
        }

        @Override
        public boolean isHostAccessible()
        {
            return true;
        }

        @Override
        void doFill(final long address, final long length, final byte value)
        {
            NativeAccess.setMemory(address, length, value);
        }

        @Override
        void doCopyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
        {
            NativeAccess.copyToArray(address, dst, dstOffset, length);
        }

        @Override
        void doCopyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
        {
            NativeAccess.copyFromArray(src, srcOffset, address, length);
        }
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
