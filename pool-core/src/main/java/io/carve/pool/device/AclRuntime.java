package io.carve.pool.device;

/**
 * The vendor runtime's memory calls, one Java method per C call, as {@link AscendDevice} uses them.
 * Pointers and handles are {@code long}s. Every method throws {@link DeviceCallException} (naming the call,
 * its arguments, the code and {@code aclGetRecentErrMsg}) when the call returns non-zero; the caller has
 * checked the arguments and bound the calling thread to the device ({@code aclrtSetDevice}).
 * <p>
 * The implementation is the FFM binding in the multi-release part of the jar ({@code FfmAclRuntime}, JDK 22+);
 * {@link AclRuntimes#load} chooses it.
 */
interface AclRuntime
{
    /** What was loaded, for messages: the runtime library and, once used, the media libraries. */
    String describe();

    /** {@code aclInit(NULL)}; an already initialised runtime ({@code ACL_ERROR_REPEAT_INITIALIZE}) is fine. */
    void init();

    void setDevice(int deviceId);

    int getDevice();

    long malloc(long size, int policy);

    void free(long devPtr);

    long mallocHost(long size);

    void freeHost(long hostPtr);

    long dvppMalloc(long size);

    void dvppFree(long devPtr);

    long mpiDvppMalloc(int devId, long size);

    void mpiDvppFree(long devPtr);

    void memset(long devPtr, long maxCount, int value, long count);

    /** {@code aclrtMemcpy(host, count, src, count, ACL_MEMCPY_DEVICE_TO_HOST)} into a Java array. */
    void copyToHost(long src, byte[] dst, int dstOffset, int count);

    /** {@code aclrtMemcpy(dst, destMax, src, count, ACL_MEMCPY_HOST_TO_DEVICE)} from a Java array. */
    void copyFromHost(byte[] src, int srcOffset, long dst, long destMax, int count);

    long granularity(int memAttr, int deviceId);

    long reserve(long size);

    void release(long virPtr);

    long mallocPhysical(long size, int memAttr, int deviceId);

    void freePhysical(long handle);

    void map(long virPtr, long size, long handle);

    void unmap(long virPtr);
}
