package io.carve.pool.device;

/**
 * The vendor runtime's calls that Carve's devices make or emulate, by their C names. A
 * {@link DeviceCallException} names the call that failed; {@link EmulatedDevice.Builder#failCall} injects a
 * failure into one of them.
 */
public enum VendorCall
{
    /** {@code aclError aclInit(const char *configPath)}. */
    INIT("aclInit"),
    /** {@code aclError aclrtSetDevice(int32_t deviceId)}. */
    SET_DEVICE("aclrtSetDevice"),
    /** {@code aclError aclrtGetDevice(int32_t *deviceId)}. */
    GET_DEVICE("aclrtGetDevice"),
    /** {@code aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy)}. */
    MALLOC("aclrtMalloc"),
    /** {@code aclError aclrtFree(void *devPtr)}. */
    FREE("aclrtFree"),
    /** {@code aclError aclrtMallocHost(void **hostPtr, size_t size)}. */
    MALLOC_HOST("aclrtMallocHost"),
    /** {@code aclError aclrtFreeHost(void *hostPtr)}. */
    FREE_HOST("aclrtFreeHost"),
    /** {@code aclError acldvppMalloc(void **devPtr, size_t size)}. */
    DVPP_MALLOC("acldvppMalloc"),
    /** {@code aclError acldvppFree(void *devPtr)}. */
    DVPP_FREE("acldvppFree"),
    /** {@code hi_s32 hi_mpi_dvpp_malloc(hi_u32 dev_id, hi_void **dev_ptr, hi_u64 size)}. */
    MPI_DVPP_MALLOC("hi_mpi_dvpp_malloc"),
    /** {@code hi_s32 hi_mpi_dvpp_free(hi_void *dev_ptr)}. */
    MPI_DVPP_FREE("hi_mpi_dvpp_free"),
    /** {@code aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value, size_t count)}. */
    MEMSET("aclrtMemset"),
    /** {@code aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count, aclrtMemcpyKind kind)}. */
    MEMCPY("aclrtMemcpy"),
    /**
     * {@code aclError aclrtMemGetAllocationGranularity(aclrtPhysicalMemProp *prop,
     * aclrtMemGranularityOptions option, size_t *granularity)}.
     */
    GET_GRANULARITY("aclrtMemGetAllocationGranularity"),
    /**
     * {@code aclError aclrtReserveMemAddress(void **virPtr, size_t size, size_t alignment, void *expectPtr,
     * uint64_t flags)}.
     */
    RESERVE("aclrtReserveMemAddress"),
    /** {@code aclError aclrtReleaseMemAddress(void *virPtr)}. */
    RELEASE("aclrtReleaseMemAddress"),
    /**
     * {@code aclError aclrtMallocPhysical(aclrtDrvMemHandle *handle, size_t size,
     * const aclrtPhysicalMemProp *prop, uint64_t flags)}.
     */
    MALLOC_PHYSICAL("aclrtMallocPhysical"),
    /** {@code aclError aclrtFreePhysical(aclrtDrvMemHandle handle)}. */
    FREE_PHYSICAL("aclrtFreePhysical"),
    /**
     * {@code aclError aclrtMapMem(void *virPtr, size_t size, size_t offset, aclrtDrvMemHandle handle,
     * uint64_t flags)}.
     */
    MAP("aclrtMapMem"),
    /** {@code aclError aclrtUnmapMem(void *virPtr)}. */
    UNMAP("aclrtUnmapMem");

    private final String cName;

    VendorCall(final String cName)
    {
        this.cName = cName;
    }

    /**
     * The C function's name.
     *
     * @return for example {@code "aclrtMapMem"}.
     */
    public String cName()
    {
        return cName;
    }
}
