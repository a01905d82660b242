package io.carve.pool.device;

import io.carve.pool.align.Align;
import io.carve.pool.align.MemoryApi;
import io.carve.pool.internal.NativeAccess;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real device memory: the Ascend runtime ({@code libascendcl.so}) called by its C names through the Foreign
 * Function &amp; Memory API (JDK 22 and newer). It offers both device SPIs:
 * <ul>
 *   <li>{@link DeviceAllocator}: one block from the API of {@link Builder#api(MemoryApi)}:
 *       {@code aclrtMalloc} (with the {@code aclrtMemMallocPolicy} of {@link Builder#pagePolicy}),
 *       {@code aclrtMallocHost}, {@code acldvppMalloc} or {@code hi_mpi_dvpp_malloc}, freed by the matching
 *       {@code aclrtFree}, {@code aclrtFreeHost}, {@code acldvppFree} or {@code hi_mpi_dvpp_free};</li>
 *   <li>{@link VirtualMemoryDevice}: {@code aclrtMemGetAllocationGranularity},
 *       {@code aclrtReserveMemAddress}, {@code aclrtMallocPhysical}, {@code aclrtMapMem},
 *       {@code aclrtUnmapMem}, {@code aclrtFreePhysical}, {@code aclrtReleaseMemAddress}, with an
 *       {@code aclrtPhysicalMemProp} of pinned device memory on this device, huge pages
 *       ({@code ACL_HBM_MEM_HUGE}, or {@code ACL_HBM_MEM_HUGE1G} under the HUGE1G policies).</li>
 * </ul>
 * Device memory is not host-accessible: {@link DeviceMemory}'s fill and copies are {@code aclrtMemset} and
 * {@code aclrtMemcpy} ({@code ACL_MEMCPY_HOST_TO_DEVICE} / {@code ACL_MEMCPY_DEVICE_TO_HOST}). Blocks from
 * {@code aclrtMallocHost} are host memory and are reached directly.
 * <h2>Finding the library</h2>
 * The runtime library is, in order: the path given to {@link Builder#library(Path)}; the system property
 * {@value #LIBRARY_PROPERTY}; {@value #DEFAULT_LIBRARY} on the platform's library path (what CANN's
 * {@code set_env.sh} puts on {@code LD_LIBRARY_PATH}). The DVPP calls are looked up in the runtime library
 * first, then in {@value #DEFAULT_DVPP_LIBRARY} ({@code acldvpp*}, property {@value #DVPP_LIBRARY_PROPERTY})
 * or {@value #DEFAULT_MPI_LIBRARY} ({@code hi_mpi_dvpp_*}, property {@value #MPI_LIBRARY_PROPERTY}), loaded
 * only when the API needs them. A library that cannot be loaded fails {@link Builder#build()} with an
 * {@link IllegalStateException} that says what was looked for and where.
 * <h2>Threads and the runtime</h2>
 * {@link Builder#build()} calls {@code aclInit(NULL)} unless told not to (an already initialised runtime is
 * fine) and never calls {@code aclFinalize}. The runtime keeps the current device per thread: the device
 * calls {@code aclrtSetDevice(deviceId)} on each thread the first time that thread makes a call through it,
 * so pools may be used from any thread. A thread that switches devices itself must switch back before using
 * this device again.
 * <h2>Errors and costs</h2>
 * A non-zero {@code aclError} becomes a {@link DeviceCallException} naming the call, its arguments, the code
 * and {@code aclGetRecentErrMsg()} where the library has it. Each operation is one downcall (tens of
 * nanoseconds through FFM, plus whatever the runtime does): pool, don't call malloc often.
 * <p>
 * Thread-safe. On JDK 17 to 21 {@link Builder#build()} throws {@link UnsupportedOperationException}.
 */
public final class AscendDevice implements DeviceAllocator, VirtualMemoryDevice
{
    /** The system property naming the runtime library's path. */
    public static final String LIBRARY_PROPERTY = "carve.acl.library";
    /** The system property naming the library of the {@code acldvpp*} calls. */
    public static final String DVPP_LIBRARY_PROPERTY = "carve.acl.dvppLibrary";
    /** The system property naming the library of the {@code hi_mpi_dvpp_*} calls. */
    public static final String MPI_LIBRARY_PROPERTY = "carve.acl.mpiLibrary";
    /** The runtime library's file name, searched on the platform's library path. */
    public static final String DEFAULT_LIBRARY = "libascendcl.so";
    /** The DVPP V1 library's file name. */
    public static final String DEFAULT_DVPP_LIBRARY = "libacl_dvpp.so";
    /** The DVPP V2 (media) library's file name. */
    public static final String DEFAULT_MPI_LIBRARY = "libacl_dvpp_mpi.so";

    /** {@code aclrtMemAttr}: huge-page HBM, and its 1 GB variant. */
    static final int ACL_HBM_MEM_HUGE = 4;
    static final int ACL_HBM_MEM_HUGE1G = 10;

    private final AclRuntime runtime;
    private final int deviceId;
    private final MemoryApi api;
    private final HugePagePolicy pagePolicy;
    private final int memAttr;
    private final String name;
    private final ThreadLocal<Boolean> bound = new ThreadLocal<>();
    private final AtomicLong liveBlocks = new AtomicLong();
    private final AtomicLong liveRanges = new AtomicLong();
    private final AtomicLong liveHandles = new AtomicLong();
    private volatile long granularity;

    private AscendDevice(final Builder builder, final AclRuntime runtime)
    {
        this.runtime = runtime;
        this.deviceId = builder.deviceId;
        this.api = builder.api;
        this.pagePolicy = builder.pagePolicy;
        this.memAttr = pagePolicy == HugePagePolicy.HUGE1G_ONLY || pagePolicy == HugePagePolicy.HUGE1G_ONLY_P2P
            ? ACL_HBM_MEM_HUGE1G : ACL_HBM_MEM_HUGE;
        this.name = "ascend" + deviceId + "-" + api.name().toLowerCase() + "-" + pagePolicy.name().toLowerCase();
    }

    /**
     * A builder with the defaults: device 0, {@code aclrtMalloc}, HUGE_FIRST, {@code aclInit} on build, the
     * library found as the class documentation says.
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
     * The device's id, as given to {@code aclrtSetDevice}.
     *
     * @return the id.
     */
    public int deviceId()
    {
        return deviceId;
    }

    /**
     * The API the blocks come from.
     *
     * @return the table row.
     */
    public MemoryApi api()
    {
        return api;
    }

    /**
     * What was loaded: the runtime library's path or name and how it was found.
     *
     * @return a description for messages and logs.
     */
    public String library()
    {
        return runtime.describe();
    }

    /**
     * Blocks handed out and not yet closed.
     *
     * @return the count.
     */
    public long liveBlocks()
    {
        return liveBlocks.get();
    }

    /**
     * Ranges reserved and not yet released.
     *
     * @return the count.
     */
    public long liveRanges()
    {
        return liveRanges.get();
    }

    /**
     * Physical handles allocated and not yet freed.
     *
     * @return the count.
     */
    public long liveHandles()
    {
        return liveHandles.get();
    }

    /** Makes sure the calling thread's current device is this one (the runtime's context is per thread). */
    private void bind()
    {
        if (bound.get() == null)
        {
            runtime.setDevice(deviceId);
            bound.set(Boolean.TRUE);
        }
    }

    @Override
    public DeviceBlock allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        final long padding = alignment > api.startAlignment() ? alignment - 1 : 0;
        if (size > Long.MAX_VALUE - padding - 64)
        {
            throw new IllegalArgumentException("size and alignment overflow: size=" + size + ", alignment=" + alignment);
        }
        final long request = size + padding;
        bind();
        final long raw;
        switch (api)
        {
            case RT_MALLOC:
                raw = runtime.malloc(request, pagePolicy.value());
                break;
            case RT_MALLOC_HOST:
                raw = runtime.mallocHost(request);
                break;
            case DVPP_V1:
                raw = runtime.dvppMalloc(request);
                break;
            default:
                raw = runtime.mpiDvppMalloc(deviceId, request);
                break;
        }
        liveBlocks.incrementAndGet();
        return new AscendBlock(raw, Align.alignUp(raw, alignment), size, api.blockSize(request));
    }

    private void freeBlock(final long raw)
    {
        bind();
        switch (api)
        {
            case RT_MALLOC:
                runtime.free(raw);
                break;
            case RT_MALLOC_HOST:
                runtime.freeHost(raw);
                break;
            case DVPP_V1:
                runtime.dvppFree(raw);
                break;
            default:
                runtime.mpiDvppFree(raw);
                break;
        }
        liveBlocks.decrementAndGet();
    }

    /**
     * The granularity of physical handles for this device's memory attribute
     * ({@code aclrtMemGetAllocationGranularity}, minimum), asked once and remembered.
     *
     * @return bytes: 2 MB, or 1 GB for the HUGE1G policies, on the documented devices.
     * @throws DeviceCallException if the runtime refuses (devices without the three-step API).
     */
    @Override
    public long granularity()
    {
        long known = granularity;
        if (known == 0)
        {
            bind();
            known = runtime.granularity(memAttr, deviceId);
            if (known <= 0 || Long.bitCount(known) != 1)
            {
                throw new IllegalStateException(VendorCall.GET_GRANULARITY.cName()
                    + " returned a granularity that is not a power of 2: granularity=" + known);
            }
            granularity = known;
        }
        return known;
    }

    @Override
    public ReservedRange reserve(final long size, final long alignment)
    {
        final long g = granularity();
        MappedRange.checkReserve(size, alignment, g);
        bind();
        final long address = runtime.reserve(size);
        if (address % g != 0)
        {
            runtime.release(address);
            throw new DeviceAllocationException(VendorCall.RESERVE.cName() + " returned 0x" + Long.toHexString(address)
                + ", which is not a multiple of the granularity " + g + ": size=" + size, size);
        }
        liveRanges.incrementAndGet();
        return new AscendRange(address, size, g);
    }

    @Override
    public PhysicalHandle allocatePhysical(final long size)
    {
        MappedRange.checkPhysical(size, granularity());
        bind();
        final long handle = runtime.mallocPhysical(size, memAttr, deviceId);
        liveHandles.incrementAndGet();
        return new AscendHandle(handle, size);
    }

    @Override
    public String toString()
    {
        return name;
    }

    private static void checkArray(final int arrayLength, final int index, final int length)
    {
        if (index < 0 || length < 0 || index > arrayLength - length)
        {
            throw new IndexOutOfBoundsException(
                "range outside array: index=" + index + ", length=" + length + ", array length=" + arrayLength);
        }
    }

    private final class AscendBlock implements DeviceBlock
    {
        private final long raw;
        private final long address;
        private final long size;
        private final long reserved;
        private final boolean host;
        private volatile boolean closed;

        AscendBlock(final long raw, final long address, final long size, final long reserved)
        {
            this.raw = raw;
            this.address = address;
            this.size = size;
            this.reserved = reserved;
            this.host = api == MemoryApi.RT_MALLOC_HOST;
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
            return host;
        }

        /** @return the offset of {@code from} in the block, after checking the block is open and holds the range. */
        private long check(final long from, final long length)
        {
            if (closed)
            {
                throw new IllegalStateException("block was closed: " + this);
            }
            final long offset = from - address;
            if (offset < 0 || length < 0 || offset > size - length)
            {
                throw new IndexOutOfBoundsException(
                    "range outside block: offset=" + offset + ", length=" + length + ", size=" + size);
            }
            return offset;
        }

        @Override
        public void fill(final long from, final long length, final byte value)
        {
            final long offset = check(from, length);
            if (length == 0)
            {
                return;
            }
            if (host)
            {
                NativeAccess.setMemory(from, length, value);
                return;
            }
            bind();
            runtime.memset(from, size - offset, value, length);
        }

        @Override
        public void copyToHost(final long from, final byte[] dst, final int dstOffset, final int length)
        {
            checkArray(dst.length, dstOffset, length);
            check(from, length);
            if (length == 0)
            {
                return;
            }
            if (host)
            {
                NativeAccess.copyToArray(from, dst, dstOffset, length);
                return;
            }
            bind();
            runtime.copyToHost(from, dst, dstOffset, length);
        }

        @Override
        public void copyFromHost(final byte[] src, final int srcOffset, final long to, final int length)
        {
            checkArray(src.length, srcOffset, length);
            final long offset = check(to, length);
            if (length == 0)
            {
                return;
            }
            if (host)
            {
                NativeAccess.copyFromArray(src, srcOffset, to, length);
                return;
            }
            bind();
            runtime.copyFromHost(src, srcOffset, to, size - offset, length);
        }

        @Override
        public synchronized void close()
        {
            if (closed)
            {
                return;
            }
            freeBlock(raw);
            closed = true;
        }

        @Override
        public String toString()
        {
            return name + " block{address=0x" + Long.toHexString(address) + ", size=" + size + ", reserved=" + reserved + '}';
        }
    }

    private final class AscendHandle extends MappedHandle
    {
        private final long handle;

        AscendHandle(final long handle, final long size)
        {
            super(AscendDevice.this, size);
            this.handle = handle;
        }

        @Override
        void onFree()
        {
            bind();
            runtime.freePhysical(handle);
            liveHandles.decrementAndGet();
        }

        @Override
        public String toString()
        {
            return name + " handle{0x" + Long.toHexString(handle) + ", size=" + size() + '}';
        }
    }

    private final class AscendRange extends MappedRange
    {
        AscendRange(final long address, final long size, final long granularity)
        {
            super(AscendDevice.this, name, address, size, granularity);
        }

        @Override
        void onMap(final long offset, final MappedHandle handle)
        {
            bind();
            runtime.map(address() + offset, handle.size(), ((AscendHandle)handle).handle);
        }

        @Override
        void onUnmap(final long offset, final MappedHandle handle)
        {
            bind();
            runtime.unmap(address() + offset);
        }

        @Override
        void onRelease()
        {
            bind();
            runtime.release(address());
            liveRanges.decrementAndGet();
        }

        @Override
        public boolean isHostAccessible()
        {
            return false;
        }

        @Override
        void doFill(final long from, final long length, final byte value)
        {
            if (length > 0)
            {
                bind();
                runtime.memset(from, address() + size() - from, value, length);
            }
        }

        @Override
        void doCopyToHost(final long from, final byte[] dst, final int dstOffset, final int length)
        {
            if (length > 0)
            {
                bind();
                runtime.copyToHost(from, dst, dstOffset, length);
            }
        }

        @Override
        void doCopyFromHost(final byte[] src, final int srcOffset, final long to, final int length)
        {
            if (length > 0)
            {
                bind();
                runtime.copyFromHost(src, srcOffset, to, address() + size() - to, length);
            }
        }
    }

    /**
     * Configures an {@link AscendDevice}; {@link #build()} loads the runtime and binds the device.
     */
    public static final class Builder
    {
        private Path library;
        private Path dvppLibrary;
        private Path mpiLibrary;
        private int deviceId;
        private MemoryApi api = MemoryApi.RT_MALLOC;
        private HugePagePolicy pagePolicy = HugePagePolicy.HUGE_FIRST;
        private boolean initialize = true;

        private Builder()
        {
        }

        /**
         * The runtime library's path, in place of {@value #LIBRARY_PROPERTY} and the library path search.
         *
         * @param library the path of {@code libascendcl.so} (or a stand-in).
         * @return this builder.
         */
        public Builder library(final Path library)
        {
            if (library == null)
            {
                throw new IllegalArgumentException("library must not be null");
            }
            this.library = library;
            return this;
        }

        /**
         * The library of {@code acldvppMalloc} / {@code acldvppFree}, if the runtime library lacks them.
         *
         * @param dvppLibrary the path of {@code libacl_dvpp.so}.
         * @return this builder.
         */
        public Builder dvppLibrary(final Path dvppLibrary)
        {
            if (dvppLibrary == null)
            {
                throw new IllegalArgumentException("dvppLibrary must not be null");
            }
            this.dvppLibrary = dvppLibrary;
            return this;
        }

        /**
         * The library of {@code hi_mpi_dvpp_malloc} / {@code hi_mpi_dvpp_free}, if the runtime library lacks
         * them.
         *
         * @param mpiLibrary the path of {@code libacl_dvpp_mpi.so}.
         * @return this builder.
         */
        public Builder mpiLibrary(final Path mpiLibrary)
        {
            if (mpiLibrary == null)
            {
                throw new IllegalArgumentException("mpiLibrary must not be null");
            }
            this.mpiLibrary = mpiLibrary;
            return this;
        }

        /**
         * The device, as given to {@code aclrtSetDevice}. Default 0.
         *
         * @param deviceId {@code >= 0}.
         * @return this builder.
         */
        public Builder deviceId(final int deviceId)
        {
            if (deviceId < 0)
            {
                throw new IllegalArgumentException("deviceId must not be negative: deviceId=" + deviceId);
            }
            this.deviceId = deviceId;
            return this;
        }

        /**
         * The API blocks come from: {@link MemoryApi#RT_MALLOC} (default), {@link MemoryApi#RT_MALLOC_HOST},
         * {@link MemoryApi#DVPP_V1} or {@link MemoryApi#DVPP_V2}.
         *
         * @param api the table row.
         * @return this builder.
         */
        public Builder api(final MemoryApi api)
        {
            if (api != MemoryApi.RT_MALLOC && api != MemoryApi.RT_MALLOC_HOST && api != MemoryApi.DVPP_V1
                && api != MemoryApi.DVPP_V2)
            {
                throw new IllegalArgumentException(
                    "api must be RT_MALLOC, RT_MALLOC_HOST, DVPP_V1 or DVPP_V2: api=" + api);
            }
            this.api = api;
            return this;
        }

        /**
         * The {@code aclrtMemMallocPolicy} of {@code aclrtMalloc}; the HUGE1G policies also choose 1 GB
         * physical handles for the three-step API. Default HUGE_FIRST.
         *
         * @param pagePolicy the policy.
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
         * Whether {@link #build()} calls {@code aclInit(NULL)} (default {@code true}; an already initialised
         * runtime is fine). Turn it off when the application initialises the runtime with a configuration
         * file of its own.
         *
         * @param initialize whether to call {@code aclInit}.
         * @return this builder.
         */
        public Builder initialize(final boolean initialize)
        {
            this.initialize = initialize;
            return this;
        }

        /**
         * Loads the runtime, initialises it if asked, and sets the device on the calling thread.
         *
         * @return the device.
         * @throws UnsupportedOperationException on JDK 17 to 21.
         * @throws IllegalStateException         if a library or one of its symbols cannot be found; the
         *                                       message says what was looked for.
         * @throws DeviceCallException           if {@code aclInit} or {@code aclrtSetDevice} fails.
         */
        public AscendDevice build()
        {
            final AclRuntime runtime = AclRuntimes.load(
                AclLibrary.resolve(library, LIBRARY_PROPERTY, DEFAULT_LIBRARY),
                api == MemoryApi.DVPP_V1 ? AclLibrary.resolve(dvppLibrary, DVPP_LIBRARY_PROPERTY, DEFAULT_DVPP_LIBRARY) : null,
                api == MemoryApi.DVPP_V2 ? AclLibrary.resolve(mpiLibrary, MPI_LIBRARY_PROPERTY, DEFAULT_MPI_LIBRARY) : null);
            if (initialize)
            {
                runtime.init();
            }
            final AscendDevice device = new AscendDevice(this, runtime);
            device.bind();
            return device;
        }
    }
}
