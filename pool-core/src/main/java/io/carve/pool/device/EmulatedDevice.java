package io.carve.pool.device;

import io.carve.pool.align.Align;
import io.carve.pool.align.MemoryApi;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An emulated vendor device that enforces the vendor's block rules, backed by real native memory so that
 * guard checks see real bytes.
 * <p>
 * What a block request goes through, in order:
 * <ol>
 *   <li>failure injection: {@link Builder#failRequest(long) the Nth request} is refused;</li>
 *   <li>the API's own rounding ({@link MemoryApi#blockSize(long)}: {@code ALIGN_UP(size,32) + 32} for
 *       {@code aclrtMalloc} and the DVPP APIs, no {@code +32} for {@code aclrtMallocAlign32});</li>
 *   <li>the HIAI_DMalloc cap when configured: host blocks in {@code (0, 256 MB]}, device blocks in
 *       {@code (0, 256 MB - 96]} (the model manager keeps 96 bytes);</li>
 *   <li>page rounding under the {@link HugePagePolicy} (2 MB for huge pages, 1 GB for HUGE1G);</li>
 *   <li>the 16 GB per-process address-space cap of the media (DVPP) APIs, and any configured budget.</li>
 * </ol>
 * <h2>Growable ranges ({@link VirtualMemoryDevice})</h2>
 * The device also offers the vendor's three-step API and enforces its rules: the granularity is 2 MB
 * (1 GB under {@link HugePagePolicy#HUGE1G_ONLY} and {@link HugePagePolicy#HUGE1G_ONLY_P2P}); handles are
 * mapped whole at granule offsets, never twice; a mapped handle cannot be freed nor a range with mappings
 * released; a media ({@link MemoryApi#isMedia() DVPP}) device counts mapped bytes against the 16 GB cap;
 * the budget counts physical handles as well as blocks. Each handle is backed by real native memory, so
 * the guard bytes a pool writes through the range are real bytes; a touch of an unmapped granule throws
 * {@link UnmappedMemoryException}. {@link Builder#failCall(VendorCall, long)} refuses the Nth call of any
 * step with the vendor's error code ({@link AclError#ACL_ERROR_RT_MEMORY_ALLOCATION} for the reserve and
 * the physical allocation, {@link AclError#ACL_ERROR_RT_DRV_INTERNAL_ERROR} for the others), leaving
 * everything as it was.
 * <p>
 * Block addresses are device-like (from {@code 0x1240_0000_0000} by default), aligned to the larger of the
 * API's start alignment, the alignment asked for and the page granularity, and are not host addresses.
 * Devices built without {@link Builder#baseAddress(long)} share one address space: no two of their blocks
 * overlap, so an address freed into the wrong pool is always outside that pool. Their memory operations
 * accept exactly the block's usable range {@code [address, address + size)}, not the device's rounding:
 * the host may reach the memory only through {@link DeviceMemory}'s fill and copy operations, which check
 * every range against the block. The memory is not initialised, like the vendor's.
 * <p>
 * Thread-safe.
 */
public final class EmulatedDevice implements DeviceAllocator, VirtualMemoryDevice
{
    /** The first device address handed out unless configured otherwise. */
    public static final long DEFAULT_BASE_ADDRESS = 0x1240_0000_0000L;
    /** Media (DVPP) processing can address at most this much memory per process. */
    public static final long DVPP_ADDRESS_SPACE = 16L << 30;
    /** HIAI_DMalloc's largest host block. */
    public static final long HIAI_HOST_MAX = 256L << 20;
    /** HIAI_DMalloc's largest device block: the model manager keeps 96 bytes. */
    public static final long HIAI_DEVICE_MAX = (256L << 20) - 96;

    /** The address space of every device built without an explicit base address. */
    private static final AtomicLong SHARED_ADDRESSES = new AtomicLong(DEFAULT_BASE_ADDRESS);

    /** Which HIAI_DMalloc size cap, if any, the device applies. */
    public enum HiaiLimit
    {
        /** No HIAI cap. */
        NONE,
        /** Host side: size in {@code (0, 256 MB]}. */
        HOST,
        /** Device side: size in {@code (0, 256 MB - 96]}. */
        DEVICE
    }

    private final MemoryApi api;
    private final HugePagePolicy pagePolicy;
    private final HiaiLimit hiaiLimit;
    private final long budget;
    private final long failRequest;
    private final long[] failCalls;
    private final long granularity;
    private final String name;
    /** Where this device's next block may start: its own counter, or the one all default devices share. */
    private final AtomicLong nextAddress;
    private long requests;
    private long refusals;
    private long reservedBytes;
    private long mediaBytes;
    private long liveBlocks;
    private final long[] calls = new long[VendorCall.values().length];
    private long physicalBytes;
    private long mappedBytes;
    private long liveHandles;
    private long liveRanges;

    private EmulatedDevice(final Builder builder)
    {
        this.api = builder.api;
        this.pagePolicy = builder.pagePolicy;
        this.hiaiLimit = builder.hiaiLimit;
        this.budget = builder.budget;
        this.failRequest = builder.failRequest;
        this.failCalls = new long[VendorCall.values().length];
        builder.failCalls.forEach((call, n) -> failCalls[call.ordinal()] = n);
        this.granularity = pagePolicy == HugePagePolicy.HUGE1G_ONLY || pagePolicy == HugePagePolicy.HUGE1G_ONLY_P2P
            ? HugePagePolicy.HUGE1G_PAGE : HugePagePolicy.HUGE_PAGE;
        this.nextAddress = builder.baseAddress == 0 ? SHARED_ADDRESSES : new AtomicLong(builder.baseAddress);
        this.name = "emulated-" + api.name().toLowerCase() + "-" + pagePolicy.name().toLowerCase();
    }

    /**
     * A builder with the defaults: {@code aclrtMalloc}, HUGE_FIRST, no HIAI cap, no budget, no injected
     * failure.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    @Override
    public String name()
    {
        return name;
    }

    /**
     * The API whose rules the device applies.
     *
     * @return the table row.
     */
    public MemoryApi api()
    {
        return api;
    }

    @Override
    public synchronized DeviceBlock allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        requests++;
        if (requests == failRequest)
        {
            throw refuse("injected failure of request #" + requests, size);
        }
        final long apiBytes = api.blockSize(size);
        if (hiaiLimit == HiaiLimit.HOST && size > HIAI_HOST_MAX)
        {
            throw refuse("HIAI_DMalloc host blocks are at most " + HIAI_HOST_MAX + " bytes", size);
        }
        if (hiaiLimit == HiaiLimit.DEVICE && size > HIAI_DEVICE_MAX)
        {
            throw refuse("HIAI_DMalloc device blocks are at most " + HIAI_DEVICE_MAX
                + " bytes (256 MB less the model manager's 96)", size);
        }
        final long granularity = pagePolicy.granularity(apiBytes);
        final long reserved = Align.alignUp(apiBytes, granularity);
        if (api.isMedia() && mediaBytes + reserved > DVPP_ADDRESS_SPACE)
        {
            throw refuse("the media address space is capped at " + DVPP_ADDRESS_SPACE
                + " bytes per process, " + mediaBytes + " in use", size);
        }
        if (reservedBytes + reserved > budget)
        {
            throw refuse("the budget of " + budget + " bytes allows " + (budget - reservedBytes) + " more", size);
        }
        final NativeMemory memory;
        try
        {
            memory = new NativeMemory(reserved, Long.BYTES, size);
        }
        catch (final OutOfMemoryError e)
        {
            throw refuse("host memory backing the emulation ran out: " + e.getMessage(), size);
        }
        final long baseAlignment = Math.max(Math.max(api.startAlignment(), alignment), granularity);
        long address;
        long next;
        do
        {
            next = nextAddress.get();
            address = Align.alignUp(next, baseAlignment);
        }
        while (!nextAddress.compareAndSet(next, address + reserved));
        reservedBytes += reserved;
        if (api.isMedia())
        {
            mediaBytes += reserved;
        }
        liveBlocks++;
        return new EmulatedBlock(memory, address, size, reserved);
    }

    /**
     * The granularity of physical handles: 2 MB, or 1 GB under the HUGE1G policies.
     *
     * @return bytes.
     * @throws DeviceCallException if a failure of {@link VendorCall#GET_GRANULARITY} was injected.
     */
    @Override
    public synchronized long granularity()
    {
        step(VendorCall.GET_GRANULARITY, "prop={memAttr=" + memAttr() + "}, option=ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM", 0);
        return granularity;
    }

    @Override
    public ReservedRange reserve(final long size, final long alignment)
    {
        MappedRange.checkReserve(size, alignment, granularity);
        synchronized (this)
        {
            step(VendorCall.RESERVE, "size=" + size + ", alignment=0, expectPtr=NULL, flags=0", size);
            long address;
            long next;
            do
            {
                next = nextAddress.get();
                address = Align.alignUp(next, granularity);
            }
            while (!nextAddress.compareAndSet(next, address + size));
            liveRanges++;
            return new EmulatedRange(address, size);
        }
    }

    @Override
    public PhysicalHandle allocatePhysical(final long size)
    {
        MappedRange.checkPhysical(size, granularity);
        synchronized (this)
        {
            final String arguments = "size=" + size + ", prop={memAttr=" + memAttr() + "}, flags=0";
            step(VendorCall.MALLOC_PHYSICAL, arguments, size);
            if (reservedBytes + physicalBytes + size > budget)
            {
                throw callRefused(VendorCall.MALLOC_PHYSICAL, arguments, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
                    "the budget of " + budget + " bytes allows " + (budget - reservedBytes - physicalBytes) + " more", size);
            }
            final NativeMemory memory;
            try
            {
                memory = new NativeMemory(size, Long.BYTES);
            }
            catch (final OutOfMemoryError e)
            {
                throw callRefused(VendorCall.MALLOC_PHYSICAL, arguments, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
                    "host memory backing the emulation ran out: " + e.getMessage(), size);
            }
            physicalBytes += size;
            liveHandles++;
            return new EmulatedHandle(memory, size);
        }
    }

    private String memAttr()
    {
        return granularity == HugePagePolicy.HUGE1G_PAGE ? "ACL_HBM_MEM_HUGE1G" : "ACL_HBM_MEM_HUGE";
    }

    /** Counts a call of a step and throws if its failure was injected; the caller holds the monitor. */
    private void step(final VendorCall call, final String arguments, final long size)
    {
        final long n = ++calls[call.ordinal()];
        if (n == failCalls[call.ordinal()])
        {
            final int code = call == VendorCall.RESERVE || call == VendorCall.MALLOC_PHYSICAL
                ? AclError.ACL_ERROR_RT_MEMORY_ALLOCATION : AclError.ACL_ERROR_RT_DRV_INTERNAL_ERROR;
            throw callRefused(call, arguments, code, name + ": injected failure of call #" + n, size);
        }
    }

    private DeviceCallException callRefused(
        final VendorCall call, final String arguments, final int code, final String why, final long size)
    {
        refusals++;
        return new DeviceCallException(call, arguments, code, name + ": " + why, size);
    }

    private synchronized void mapped(final long address, final MappedHandle handle)
    {
        final String arguments = "virPtr=0x" + Long.toHexString(address) + ", size=" + handle.size() + ", offset=0, flags=0";
        step(VendorCall.MAP, arguments, handle.size());
        if (api.isMedia() && mediaBytes + handle.size() > DVPP_ADDRESS_SPACE)
        {
            throw callRefused(VendorCall.MAP, arguments, AclError.ACL_ERROR_RT_MEMORY_ALLOCATION,
                "the media address space is capped at " + DVPP_ADDRESS_SPACE + " bytes per process, " + mediaBytes
                    + " in use", handle.size());
        }
        mappedBytes += handle.size();
        if (api.isMedia())
        {
            mediaBytes += handle.size();
        }
    }

    private synchronized void unmapped(final long address, final MappedHandle handle)
    {
        step(VendorCall.UNMAP, "virPtr=0x" + Long.toHexString(address), 0);
        mappedBytes -= handle.size();
        if (api.isMedia())
        {
            mediaBytes -= handle.size();
        }
    }

    private synchronized void releasing(final long address)
    {
        step(VendorCall.RELEASE, "virPtr=0x" + Long.toHexString(address), 0);
        liveRanges--;
    }

    private synchronized void freeing(final EmulatedHandle handle)
    {
        step(VendorCall.FREE_PHYSICAL, "handle=" + handle, 0);
        handle.memory.free();
        physicalBytes -= handle.size();
        liveHandles--;
    }

    /**
     * Calls of a step so far, refused ones included (the one-block {@link #allocate} counts as
     * {@link #requests()}, not here).
     *
     * @param call the step.
     * @return the count.
     */
    public synchronized long calls(final VendorCall call)
    {
        return calls[call.ordinal()];
    }

    /**
     * Bytes of live physical handles.
     *
     * @return bytes.
     */
    public synchronized long physicalBytes()
    {
        return physicalBytes;
    }

    /**
     * Bytes mapped in all of this device's ranges.
     *
     * @return bytes.
     */
    public synchronized long mappedBytes()
    {
        return mappedBytes;
    }

    /**
     * Physical handles allocated and not yet freed: 0 when nothing leaked.
     *
     * @return live handles.
     */
    public synchronized long liveHandles()
    {
        return liveHandles;
    }

    /**
     * Ranges reserved and not yet released: 0 when nothing leaked.
     *
     * @return live ranges.
     */
    public synchronized long liveRanges()
    {
        return liveRanges;
    }

    private DeviceAllocationException refuse(final String why, final long size)
    {
        refusals++;
        return new DeviceAllocationException(
            name + " (" + api.cName() + ") refused size=" + size + ": " + why, size);
    }

    private synchronized void released(final long reserved)
    {
        reservedBytes -= reserved;
        if (api.isMedia())
        {
            mediaBytes -= reserved;
        }
        liveBlocks--;
    }

    /**
     * Block requests seen so far, refused ones included.
     *
     * @return the count.
     */
    public synchronized long requests()
    {
        return requests;
    }

    /**
     * Block requests and three-step calls refused so far.
     *
     * @return the count.
     */
    public synchronized long refusals()
    {
        return refusals;
    }

    /**
     * Bytes reserved by live blocks, after the API's and the page policy's rounding.
     *
     * @return reserved bytes.
     */
    public synchronized long reservedBytes()
    {
        return reservedBytes;
    }

    /**
     * Blocks handed out and not yet closed: 0 when nothing leaked.
     *
     * @return live blocks.
     */
    public synchronized long liveBlocks()
    {
        return liveBlocks;
    }

    @Override
    public String toString()
    {
        return name;
    }

    private final class EmulatedBlock implements DeviceBlock
    {
        private final NativeMemory memory;
        private final long address;
        private final long size;
        private final long reserved;

        EmulatedBlock(final NativeMemory memory, final long address, final long size, final long reserved)
        {
            this.memory = memory;
            this.address = address;
            this.size = size;
            this.reserved = reserved;
        }

        @Override
        public long address()
        {
            return address;
        }

        @Override
        public long size()
        {
            return size;
        }

        @Override
        public long reservedSize()
        {
            return reserved;
        }

        @Override
        public boolean isHostAccessible()
        {
            return false;
        }

        @Override
        public void fill(final long deviceAddress, final long length, final byte value)
        {
            memory.fill(deviceAddress - address, length, value);
        }

        @Override
        public void copyToHost(final long deviceAddress, final byte[] dst, final int dstOffset, final int length)
        {
            memory.copyToHost(deviceAddress - address, dst, dstOffset, length);
        }

        @Override
        public void copyFromHost(final byte[] src, final int srcOffset, final long deviceAddress, final int length)
        {
            memory.copyFromHost(src, srcOffset, deviceAddress - address, length);
        }

        @Override
        public void close()
        {
            if (memory.free())
            {
                released(reserved);
            }
        }

        @Override
        public String toString()
        {
            return name + " block{address=0x" + Long.toHexString(address) + ", size=" + size
                + ", reserved=" + reserved + '}';
        }
    }


    private final class EmulatedHandle extends MappedHandle
    {
        private final NativeMemory memory;

        EmulatedHandle(final NativeMemory memory, final long size)
        {
            super(EmulatedDevice.this, size);
            this.memory = memory;
        }

        @Override
        void onFree()
        {
            freeing(this);
        }

        @Override
        public String toString()
        {
            return name + " handle{size=" + size() + '}';
        }
    }

    /** A range whose mapped bytes live in the handles' native memory; every operation walks the handles. */
    private final class EmulatedRange extends MappedRange
    {
        EmulatedRange(final long address, final long size)
        {
            super(EmulatedDevice.this, name, address, size, granularity);
        }

        @Override
        void onMap(final long offset, final MappedHandle handle)
        {
            mapped(address() + offset, handle);
        }

        @Override
        void onUnmap(final long offset, final MappedHandle handle)
        {
            unmapped(address() + offset, handle);
        }

        @Override
        void onRelease()
        {
            releasing(address());
        }

        @Override
        public boolean isHostAccessible()
        {
            return false;
        }

        @Override
        void doFill(final long from, final long length, final byte value)
        {
            long done = 0;
            while (done < length)
            {
                final long offset = from + done - address();
                final long inHandle = offset - mappingStart(offset);
                final EmulatedHandle handle = (EmulatedHandle)handleAt(offset);
                final long piece = Math.min(length - done, handle.size() - inHandle);
                handle.memory.fill(inHandle, piece, value);
                done += piece;
            }
        }

        @Override
        void doCopyToHost(final long from, final byte[] dst, final int dstOffset, final int length)
        {
            int done = 0;
            while (done < length)
            {
                final long offset = from + done - address();
                final long inHandle = offset - mappingStart(offset);
                final EmulatedHandle handle = (EmulatedHandle)handleAt(offset);
                final int piece = (int)Math.min(length - done, handle.size() - inHandle);
                handle.memory.copyToHost(inHandle, dst, dstOffset + done, piece);
                done += piece;
            }
        }

        @Override
        void doCopyFromHost(final byte[] src, final int srcOffset, final long to, final int length)
        {
            int done = 0;
            while (done < length)
            {
                final long offset = to + done - address();
                final long inHandle = offset - mappingStart(offset);
                final EmulatedHandle handle = (EmulatedHandle)handleAt(offset);
                final int piece = (int)Math.min(length - done, handle.size() - inHandle);
                handle.memory.copyFromHost(src, srcOffset + done, inHandle, piece);
                done += piece;
            }
        }
    }

    /**
     * Configures an {@link EmulatedDevice}; {@link #build()} validates once.
     */
    public static final class Builder
    {
        private MemoryApi api = MemoryApi.RT_MALLOC;
        private HugePagePolicy pagePolicy = HugePagePolicy.HUGE_FIRST;
        private HiaiLimit hiaiLimit = HiaiLimit.NONE;
        private long budget = Long.MAX_VALUE;
        private long failRequest = 0;
        private final Map<VendorCall, Long> failCalls = new EnumMap<>(VendorCall.class);
        private long baseAddress;

        private Builder()
        {
        }

        /**
         * The API whose rounding and alignment the device applies.
         *
         * @param api an allocation row of the table.
         * @return this builder.
         */
        public Builder api(final MemoryApi api)
        {
            if (api == null || !api.isAllocator())
            {
                throw new IllegalArgumentException("api must be an allocation API: api=" + api);
            }
            this.api = api;
            return this;
        }

        /**
         * The page policy.
         *
         * @param pagePolicy the vendor's {@code aclrtMemMallocPolicy}.
         * @return this builder.
         */
        public Builder pagePolicy(final HugePagePolicy pagePolicy)
        {
            if (pagePolicy == null)
            {
                throw new IllegalArgumentException("pagePolicy must not be null");
            }
            this.pagePolicy = pagePolicy;
            return this;
        }

        /**
         * Applies HIAI_DMalloc's size cap.
         *
         * @param hiaiLimit which side's cap.
         * @return this builder.
         */
        public Builder hiaiLimit(final HiaiLimit hiaiLimit)
        {
            if (hiaiLimit == null)
            {
                throw new IllegalArgumentException("hiaiLimit must not be null");
            }
            this.hiaiLimit = hiaiLimit;
            return this;
        }

        /**
         * Refuses any block that would take the reserved bytes of live blocks above {@code budget}.
         *
         * @param budget bytes, {@code > 0}.
         * @return this builder.
         */
        public Builder budget(final long budget)
        {
            if (budget <= 0)
            {
                throw new IllegalArgumentException("budget must be positive: budget=" + budget);
            }
            this.budget = budget;
            return this;
        }

        /**
         * Refuses the {@code n}th block request (1-based), whatever its size.
         *
         * @param n the request to refuse, {@code >= 1}.
         * @return this builder.
         */
        public Builder failRequest(final long n)
        {
            if (n < 1)
            {
                throw new IllegalArgumentException("n must be at least 1: n=" + n);
            }
            this.failRequest = n;
            return this;
        }

        /**
         * Refuses the {@code n}th call (1-based) of one step of the three-step API, as the vendor's runtime
         * would refuse it (see the class documentation for the codes). One failure per step; a later call
         * for the same step replaces it.
         *
         * @param call one of {@link VendorCall#GET_GRANULARITY}, {@link VendorCall#RESERVE},
         *             {@link VendorCall#MALLOC_PHYSICAL}, {@link VendorCall#MAP}, {@link VendorCall#UNMAP},
         *             {@link VendorCall#FREE_PHYSICAL}, {@link VendorCall#RELEASE}.
         * @param n    the call to refuse, {@code >= 1}.
         * @return this builder.
         */
        public Builder failCall(final VendorCall call, final long n)
        {
            if (call == null || call.compareTo(VendorCall.GET_GRANULARITY) < 0)
            {
                throw new IllegalArgumentException("call must be a step of the three-step API: call=" + call);
            }
            if (n < 1)
            {
                throw new IllegalArgumentException("n must be at least 1: n=" + n);
            }
            failCalls.put(call, n);
            return this;
        }

        /**
         * The first device address handed out, for a device with an address space of its own. By default a
         * device takes its addresses from the space all such devices share, from
         * {@link #DEFAULT_BASE_ADDRESS}, so blocks of different devices never overlap; two devices given
         * the same base address hand out the same addresses.
         *
         * @param baseAddress a positive multiple of 1 GB.
         * @return this builder.
         */
        public Builder baseAddress(final long baseAddress)
        {
            if (baseAddress <= 0 || !Align.isAligned(baseAddress, HugePagePolicy.HUGE1G_PAGE))
            {
                throw new IllegalArgumentException(
                    "baseAddress must be a positive multiple of 1 GB: baseAddress=0x" + Long.toHexString(baseAddress));
            }
            this.baseAddress = baseAddress;
            return this;
        }

        /**
         * Creates the device.
         *
         * @return a new device.
         */
        public EmulatedDevice build()
        {
            return new EmulatedDevice(this);
        }
    }
}
