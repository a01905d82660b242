package io.carve.pool.device;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The FFM binding of the Ascend runtime's memory calls (JDK 22+), by the signatures of the vendor's public
 * headers ({@code acl/acl_rt.h}, {@code acl/ops/acl_dvpp.h}, {@code hi_dvpp.h}):
 * <pre>
 * aclError aclInit(const char *configPath)
 * aclError aclrtSetDevice(int32_t deviceId)
 * aclError aclrtGetDevice(int32_t *deviceId)
 * aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
 * aclError aclrtFree(void *devPtr)
 * aclError aclrtMallocHost(void **hostPtr, size_t size)
 * aclError aclrtFreeHost(void *hostPtr)
 * aclError acldvppMalloc(void **devPtr, size_t size)
 * aclError acldvppFree(void *devPtr)
 * hi_s32   hi_mpi_dvpp_malloc(hi_u32 dev_id, hi_void **dev_ptr, hi_u64 size)
 * hi_s32   hi_mpi_dvpp_free(hi_void *dev_ptr)
 * aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count)
 * aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind)
 * aclError aclrtMemGetAllocationGranularity(aclrtPhysicalMemProp *prop, aclrtMemGranularityOptions option,
 *                                           size_t *granularity)
 * aclError aclrtReserveMemAddress(void **virPtr, size_t size, size_t alignment, void *expectPtr, uint64_t flags)
 * aclError aclrtReleaseMemAddress(void *virPtr)
 * aclError aclrtMallocPhysical(aclrtDrvMemHandle *handle, size_t size, const aclrtPhysicalMemProp *prop,
 *                              uint64_t flags)
 * aclError aclrtFreePhysical(aclrtDrvMemHandle handle)
 * aclError aclrtMapMem(void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle, uint64_t flags)
 * aclError aclrtUnmapMem(void *virPtr)
 * const char *aclGetRecentErrMsg(void)                      (optional)
 * </pre>
 * {@code aclrtPhysicalMemProp}, 32 bytes:
 * <pre>
 *  0 handleType      int  (ACL_MEM_HANDLE_TYPE_NONE = 0)
 *  4 allocationType  int  (ACL_MEM_ALLOCATION_TYPE_PINNED = 0)
 *  8 memAttr         int  (aclrtMemAttr: ACL_HBM_MEM_HUGE = 4, ACL_HBM_MEM_HUGE1G = 10)
 * 12 location.id     uint32_t (the device)
 * 16 location.type   int  (ACL_MEM_LOCATION_TYPE_DEVICE = 1)
 * 20 (padding)
 * 24 reserve         uint64_t (0)
 * </pre>
 * Pointers, {@code size_t} and handles cross as {@code long} (one 64-bit register in the C ABI of the
 * platforms the JDK supports); enums and {@code int32_t} as {@code int}. Out-parameters, the property
 * struct and a {@value #STAGING}-byte staging buffer live in one native scratch area per thread, so no call
 * allocates, on the Java heap or natively: a copy goes between the Java array and the staging buffer with
 * {@link MemorySegment#copy} and between the staging buffer and the device with {@code aclrtMemcpy}, in
 * pieces of at most {@value #STAGING} bytes (a guard zone is one piece). Passing the Java array itself
 * ({@code Linker.Option.critical(true)}) would save that host copy but allocate a heap segment per call
 * and hold the GC off for the whole device copy.
 */
final class FfmAclRuntime implements AclRuntime
{
    private static final int ACL_ERROR_REPEAT_INITIALIZE = 100002;
    private static final int ACL_MEMCPY_HOST_TO_DEVICE = 1;
    private static final int ACL_MEMCPY_DEVICE_TO_HOST = 2;
    private static final int ACL_MEM_LOCATION_TYPE_DEVICE = 1;
    private static final int ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM = 0;

    static final StructLayout PHYSICAL_MEM_PROP = MemoryLayout.structLayout(
        JAVA_INT.withName("handleType"),
        JAVA_INT.withName("allocationType"),
        JAVA_INT.withName("memAttr"),
        MemoryLayout.structLayout(JAVA_INT.withName("id"), JAVA_INT.withName("type")).withName("location"),
        MemoryLayout.paddingLayout(4),
        JAVA_LONG.withName("reserve")).withName("aclrtPhysicalMemProp");

    private static final long OUT = 0;
    private static final long PROP = 8;
    /** Where the staging buffer starts in the scratch area, and its size. */
    private static final long STAGE = 64;
    static final int STAGING = 64 * 1024;
    private static final long MEM_ATTR = PHYSICAL_MEM_PROP.byteOffset(groupElement("memAttr"));
    private static final long LOCATION_ID = PHYSICAL_MEM_PROP.byteOffset(groupElement("location"), groupElement("id"));
    private static final long LOCATION_TYPE = PHYSICAL_MEM_PROP.byteOffset(groupElement("location"), groupElement("type"));

    private static final FunctionDescriptor INT_LONG = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    private static final FunctionDescriptor INT_LONG_LONG = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG);

    private final Linker linker = Linker.nativeLinker();
    private final Arena arena = Arena.ofShared();
    private final AclLibrary library;
    private final SymbolLookup runtime;
    private final List<String> searched = new ArrayList<>();
    private final ThreadLocal<MemorySegment> scratch;

    private final MethodHandle aclInit;
    private final MethodHandle aclrtSetDevice;
    private final MethodHandle aclrtGetDevice;
    private final MethodHandle aclrtMalloc;
    private final MethodHandle aclrtFree;
    private final MethodHandle aclrtMallocHost;
    private final MethodHandle aclrtFreeHost;
    private final MethodHandle acldvppMalloc;
    private final MethodHandle acldvppFree;
    private final MethodHandle hiMpiDvppMalloc;
    private final MethodHandle hiMpiDvppFree;
    private final MethodHandle aclrtMemset;
    private final MethodHandle aclrtMemcpy;
    private final MethodHandle aclrtMemGetAllocationGranularity;
    private final MethodHandle aclrtReserveMemAddress;
    private final MethodHandle aclrtReleaseMemAddress;
    private final MethodHandle aclrtMallocPhysical;
    private final MethodHandle aclrtFreePhysical;
    private final MethodHandle aclrtMapMem;
    private final MethodHandle aclrtUnmapMem;
    private final MethodHandle aclGetRecentErrMsg;

    FfmAclRuntime(final AclLibrary library, final AclLibrary dvpp, final AclLibrary mpi)
    {
        this.library = library;
        this.runtime = open(library, "the Ascend runtime");
        searched.add(library.toString());
        this.scratch = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STAGE + STAGING, 64));

        aclInit = link("aclInit", INT_LONG);
        aclrtSetDevice = link("aclrtSetDevice", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        aclrtGetDevice = link("aclrtGetDevice", INT_LONG);
        aclrtMalloc = link("aclrtMalloc", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
        aclrtFree = link("aclrtFree", INT_LONG);
        aclrtMallocHost = link("aclrtMallocHost", INT_LONG_LONG);
        aclrtFreeHost = link("aclrtFreeHost", INT_LONG);
        aclrtMemset = link("aclrtMemset", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG));
        aclrtMemcpy = link("aclrtMemcpy",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT));
        aclrtMemGetAllocationGranularity = link("aclrtMemGetAllocationGranularity",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG));
        aclrtReserveMemAddress = link("aclrtReserveMemAddress",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aclrtReleaseMemAddress = link("aclrtReleaseMemAddress", INT_LONG);
        aclrtMallocPhysical = link("aclrtMallocPhysical",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aclrtFreePhysical = link("aclrtFreePhysical", INT_LONG);
        aclrtMapMem = link("aclrtMapMem",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        aclrtUnmapMem = link("aclrtUnmapMem", INT_LONG);
        aclGetRecentErrMsg = runtime.find("aclGetRecentErrMsg")
            .map(symbol -> linker.downcallHandle(symbol, FunctionDescriptor.of(JAVA_LONG)))
            .orElse(null);

        final SymbolLookup dvppLookup = dvpp == null ? null : media(dvpp, "acldvppMalloc");
        acldvppMalloc = dvppLookup == null ? null : link(dvppLookup, "acldvppMalloc", INT_LONG_LONG);
        acldvppFree = dvppLookup == null ? null : link(dvppLookup, "acldvppFree", INT_LONG);
        final SymbolLookup mpiLookup = mpi == null ? null : media(mpi, "hi_mpi_dvpp_malloc");
        hiMpiDvppMalloc = mpiLookup == null ? null
            : link(mpiLookup, "hi_mpi_dvpp_malloc", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
        hiMpiDvppFree = mpiLookup == null ? null : link(mpiLookup, "hi_mpi_dvpp_free", INT_LONG);
    }

    private SymbolLookup open(final AclLibrary what, final String role)
    {
        try
        {
            if (what.isPath())
            {
                final Path path = Path.of(what.spec);
                if (!Files.isRegularFile(path))
                {
                    throw new IllegalStateException("cannot load " + role + ": " + path.toAbsolutePath()
                        + " does not exist (looked for it because of " + what.how + ")");
                }
                return SymbolLookup.libraryLookup(path, arena);
            }
            return SymbolLookup.libraryLookup(what.spec, arena);
        }
        catch (final IllegalArgumentException e)
        {
            throw new IllegalStateException("cannot load " + role + ": looked for " + what + ": " + e.getMessage()
                + ". Install the CANN toolkit and source its set_env.sh, or name the library with -D"
                + AscendDevice.LIBRARY_PROPERTY + "=/path/to/libascendcl.so or AscendDevice.builder().library(path)", e);
        }
    }

    /** The runtime library when it has the symbol itself (as the stand-in does), else the media library. */
    private SymbolLookup media(final AclLibrary what, final String probe)
    {
        if (runtime.find(probe).isPresent())
        {
            return runtime;
        }
        searched.add(what.toString());
        return open(what, "the library of " + probe);
    }

    private MethodHandle link(final String symbol, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        return link(runtime, symbol, descriptor, options);
    }

    private MethodHandle link(final SymbolLookup lookup, final String symbol, final FunctionDescriptor descriptor,
        final Linker.Option... options)
    {
        final Optional<MemorySegment> found = lookup.find(symbol);
        if (found.isEmpty())
        {
            throw new IllegalStateException("the Ascend runtime has no symbol " + symbol + ": looked in " + searched);
        }
        return linker.downcallHandle(found.get(), descriptor, options);
    }

    @Override
    public String describe()
    {
        return String.join(", ", searched);
    }

    private String recentMessage()
    {
        if (aclGetRecentErrMsg == null)
        {
            return null;
        }
        try
        {
            final long message = (long)aclGetRecentErrMsg.invokeExact();
            return message == 0 ? null : MemorySegment.ofAddress(message).reinterpret(4096).getString(0);
        }
        catch (final Throwable t)
        {
            return "(aclGetRecentErrMsg failed: " + t + ")";
        }
    }

    private void check(final int code, final VendorCall call, final String arguments, final long size)
    {
        if (code != 0)
        {
            throw new DeviceCallException(call, arguments, code, recentMessage(), size);
        }
    }

    private static IllegalStateException broken(final VendorCall call, final Throwable t)
    {
        return new IllegalStateException("the downcall of " + call.cName() + " failed", t);
    }

    private static String hex(final long pointer)
    {
        return "0x" + Long.toHexString(pointer);
    }

    @Override
    public void init()
    {
        final int code;
        try
        {
            code = (int)aclInit.invokeExact(0L);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.INIT, t);
        }
        if (code != ACL_ERROR_REPEAT_INITIALIZE)
        {
            check(code, VendorCall.INIT, "configPath=NULL", 0);
        }
    }

    @Override
    public void setDevice(final int deviceId)
    {
        final int code;
        try
        {
            code = (int)aclrtSetDevice.invokeExact(deviceId);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.SET_DEVICE, t);
        }
        check(code, VendorCall.SET_DEVICE, "deviceId=" + deviceId, 0);
    }

    @Override
    public int getDevice()
    {
        final MemorySegment out = scratch.get();
        final int code;
        try
        {
            code = (int)aclrtGetDevice.invokeExact(out.address() + OUT);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.GET_DEVICE, t);
        }
        check(code, VendorCall.GET_DEVICE, "deviceId=&out", 0);
        return out.get(JAVA_INT, OUT);
    }

    /** Calls an allocator {@code (void **out, size_t size)} and returns {@code *out}. */
    private long allocate(final MethodHandle handle, final VendorCall call, final long size)
    {
        final MemorySegment out = scratch.get();
        final int code;
        try
        {
            code = (int)handle.invokeExact(out.address() + OUT, size);
        }
        catch (final Throwable t)
        {
            throw broken(call, t);
        }
        check(code, call, "out=&ptr, size=" + size, size);
        return out.get(JAVA_LONG, OUT);
    }

    /** Calls {@code (void *ptr)}: the frees, release and unmap. */
    private void one(final MethodHandle handle, final VendorCall call, final String name, final long pointer)
    {
        final int code;
        try
        {
            code = (int)handle.invokeExact(pointer);
        }
        catch (final Throwable t)
        {
            throw broken(call, t);
        }
        check(code, call, name + "=" + hex(pointer), 0);
    }

    @Override
    public long malloc(final long size, final int policy)
    {
        final MemorySegment out = scratch.get();
        final int code;
        try
        {
            code = (int)aclrtMalloc.invokeExact(out.address() + OUT, size, policy);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.MALLOC, t);
        }
        check(code, VendorCall.MALLOC, "devPtr=&ptr, size=" + size + ", policy=" + policy, size);
        return out.get(JAVA_LONG, OUT);
    }

    @Override
    public void free(final long devPtr)
    {
        one(aclrtFree, VendorCall.FREE, "devPtr", devPtr);
    }

    @Override
    public long mallocHost(final long size)
    {
        return allocate(aclrtMallocHost, VendorCall.MALLOC_HOST, size);
    }

    @Override
    public void freeHost(final long hostPtr)
    {
        one(aclrtFreeHost, VendorCall.FREE_HOST, "hostPtr", hostPtr);
    }

    @Override
    public long dvppMalloc(final long size)
    {
        return allocate(acldvppMalloc, VendorCall.DVPP_MALLOC, size);
    }

    @Override
    public void dvppFree(final long devPtr)
    {
        one(acldvppFree, VendorCall.DVPP_FREE, "devPtr", devPtr);
    }

    @Override
    public long mpiDvppMalloc(final int devId, final long size)
    {
        final MemorySegment out = scratch.get();
        final int code;
        try
        {
            code = (int)hiMpiDvppMalloc.invokeExact(devId, out.address() + OUT, size);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.MPI_DVPP_MALLOC, t);
        }
        check(code, VendorCall.MPI_DVPP_MALLOC, "dev_id=" + devId + ", dev_ptr=&ptr, size=" + size, size);
        return out.get(JAVA_LONG, OUT);
    }

    @Override
    public void mpiDvppFree(final long devPtr)
    {
        one(hiMpiDvppFree, VendorCall.MPI_DVPP_FREE, "dev_ptr", devPtr);
    }

    @Override
    public void memset(final long devPtr, final long maxCount, final int value, final long count)
    {
        final int code;
        try
        {
            code = (int)aclrtMemset.invokeExact(devPtr, maxCount, value, count);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.MEMSET, t);
        }
        if (code != 0)
        {
            check(code, VendorCall.MEMSET, "devPtr=" + hex(devPtr) + ", maxCount=" + maxCount + ", value=" + value
                + ", count=" + count, 0);
        }
    }

    @Override
    public void copyToHost(final long src, final byte[] dst, final int dstOffset, final int count)
    {
        final MemorySegment area = scratch.get();
        final long stage = area.address() + STAGE;
        for (int done = 0; done < count; done += STAGING)
        {
            final int piece = Math.min(STAGING, count - done);
            final int code;
            try
            {
                code = (int)aclrtMemcpy.invokeExact(stage, (long)piece, src + done, (long)piece, ACL_MEMCPY_DEVICE_TO_HOST);
            }
            catch (final Throwable t)
            {
                throw broken(VendorCall.MEMCPY, t);
            }
            if (code != 0)
            {
                check(code, VendorCall.MEMCPY, "dst=" + hex(stage) + " (staging for byte[" + dst.length + "]+" + (dstOffset + done)
                    + "), destMax=" + piece + ", src=" + hex(src + done) + ", count=" + piece + ", kind=ACL_MEMCPY_DEVICE_TO_HOST", 0);
            }
            MemorySegment.copy(area, JAVA_BYTE, STAGE, dst, dstOffset + done, piece);
        }
    }

    @Override
    public void copyFromHost(final byte[] src, final int srcOffset, final long dst, final long destMax, final int count)
    {
        final MemorySegment area = scratch.get();
        final long stage = area.address() + STAGE;
        for (int done = 0; done < count; done += STAGING)
        {
            final int piece = Math.min(STAGING, count - done);
            MemorySegment.copy(src, srcOffset + done, area, JAVA_BYTE, STAGE, piece);
            final int code;
            try
            {
                code = (int)aclrtMemcpy.invokeExact(dst + done, destMax - done, stage, (long)piece, ACL_MEMCPY_HOST_TO_DEVICE);
            }
            catch (final Throwable t)
            {
                throw broken(VendorCall.MEMCPY, t);
            }
            if (code != 0)
            {
                check(code, VendorCall.MEMCPY, "dst=" + hex(dst + done) + ", destMax=" + (destMax - done) + ", src=" + hex(stage)
                    + " (staging for byte[" + src.length + "]+" + (srcOffset + done) + "), count=" + piece
                    + ", kind=ACL_MEMCPY_HOST_TO_DEVICE", 0);
            }
        }
    }

    /** Writes a pinned-device-memory {@code aclrtPhysicalMemProp} into the scratch area; returns its address. */
    private static long prop(final MemorySegment area, final int memAttr, final int deviceId)
    {
        final MemorySegment prop = area.asSlice(PROP, PHYSICAL_MEM_PROP.byteSize());
        prop.fill((byte)0);
        prop.set(JAVA_INT, MEM_ATTR, memAttr);
        prop.set(JAVA_INT, LOCATION_ID, deviceId);
        prop.set(JAVA_INT, LOCATION_TYPE, ACL_MEM_LOCATION_TYPE_DEVICE);
        return area.address() + PROP;
    }

    private static String propText(final int memAttr, final int deviceId)
    {
        return "prop={handleType=ACL_MEM_HANDLE_TYPE_NONE, allocationType=ACL_MEM_ALLOCATION_TYPE_PINNED, memAttr="
            + memAttr + ", location={id=" + deviceId + ", type=ACL_MEM_LOCATION_TYPE_DEVICE}}";
    }

    @Override
    public long granularity(final int memAttr, final int deviceId)
    {
        final MemorySegment area = scratch.get();
        final long prop = prop(area, memAttr, deviceId);
        final int code;
        try
        {
            code = (int)aclrtMemGetAllocationGranularity.invokeExact(prop, ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM,
                area.address() + OUT);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.GET_GRANULARITY, t);
        }
        check(code, VendorCall.GET_GRANULARITY, propText(memAttr, deviceId)
            + ", option=ACL_RT_MEM_ALLOC_GRANULARITY_MINIMUM, granularity=&out", 0);
        return area.get(JAVA_LONG, OUT);
    }

    @Override
    public long reserve(final long size)
    {
        final MemorySegment out = scratch.get();
        final int code;
        try
        {
            code = (int)aclrtReserveMemAddress.invokeExact(out.address() + OUT, size, 0L, 0L, 0L);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.RESERVE, t);
        }
        check(code, VendorCall.RESERVE, "virPtr=&ptr, size=" + size + ", alignment=0, expectPtr=NULL, flags=0", size);
        return out.get(JAVA_LONG, OUT);
    }

    @Override
    public void release(final long virPtr)
    {
        one(aclrtReleaseMemAddress, VendorCall.RELEASE, "virPtr", virPtr);
    }

    @Override
    public long mallocPhysical(final long size, final int memAttr, final int deviceId)
    {
        final MemorySegment area = scratch.get();
        final long prop = prop(area, memAttr, deviceId);
        final int code;
        try
        {
            code = (int)aclrtMallocPhysical.invokeExact(area.address() + OUT, size, prop, 0L);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.MALLOC_PHYSICAL, t);
        }
        check(code, VendorCall.MALLOC_PHYSICAL, "handle=&out, size=" + size + ", " + propText(memAttr, deviceId)
            + ", flags=0", size);
        return area.get(JAVA_LONG, OUT);
    }

    @Override
    public void freePhysical(final long handle)
    {
        one(aclrtFreePhysical, VendorCall.FREE_PHYSICAL, "handle", handle);
    }

    @Override
    public void map(final long virPtr, final long size, final long handle)
    {
        final int code;
        try
        {
            code = (int)aclrtMapMem.invokeExact(virPtr, size, 0L, handle, 0L);
        }
        catch (final Throwable t)
        {
            throw broken(VendorCall.MAP, t);
        }
        check(code, VendorCall.MAP, "virPtr=" + hex(virPtr) + ", size=" + size + ", offset=0, handle=" + hex(handle)
            + ", flags=0", size);
    }

    @Override
    public void unmap(final long virPtr)
    {
        one(aclrtUnmapMem, VendorCall.UNMAP, "virPtr", virPtr);
    }

    @Override
    public String toString()
    {
        return "FfmAclRuntime{" + library + '}';
    }
}
