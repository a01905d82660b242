package io.carve.pool.device;

import io.carve.pool.align.Align;
import io.carve.pool.align.MemoryApi;

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
public final class EmulatedDevice implements DeviceAllocator
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
    private final String name;
    /** Where this device's next block may start: its own counter, or the one all default devices share. */
    private final AtomicLong nextAddress;
    private long requests;
    private long refusals;
    private long reservedBytes;
    private long mediaBytes;
    private long liveBlocks;

    private EmulatedDevice(final Builder builder)
    {
        this.api = builder.api;
        this.pagePolicy = builder.pagePolicy;
        this.hiaiLimit = builder.hiaiLimit;
        this.budget = builder.budget;
        this.failRequest = builder.failRequest;
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
     * Block requests refused so far.
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
