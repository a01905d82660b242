package io.carve.pool.device;

/**
 * The vendor's {@code aclError} codes that Carve's devices produce or explain, from the public headers
 * ({@code acl/acl_base.h}, {@code acl/error_codes/rt_error_codes.h}). Codes {@code 1xxxxx} are caller
 * errors, {@code 2xxxxx} missing resources, {@code 5xxxxx} internal failures.
 */
public final class AclError
{
    /** Success. */
    public static final int ACL_SUCCESS = 0;
    /** A parameter failed validation. */
    public static final int ACL_ERROR_INVALID_PARAM = 100000;
    /** {@code aclInit} was not called. */
    public static final int ACL_ERROR_UNINITIALIZE = 100001;
    /** {@code aclInit} was called twice. */
    public static final int ACL_ERROR_REPEAT_INITIALIZE = 100002;
    /** A runtime parameter is invalid. */
    public static final int ACL_ERROR_RT_PARAM_INVALID = 107000;
    /** The device id is invalid. */
    public static final int ACL_ERROR_RT_INVALID_DEVICEID = 107001;
    /** The calling thread has no current context: {@code aclrtSetDevice} was not called on it. */
    public static final int ACL_ERROR_RT_CONTEXT_NULL = 107002;
    /** The memory address is not aligned as required. */
    public static final int ACL_ERROR_RT_ADDR_UNALIGNED = 107008;
    /** The handle is invalid. */
    public static final int ACL_ERROR_RT_INVALID_HANDLE = 107017;
    /** The feature is not supported. */
    public static final int ACL_ERROR_RT_FEATURE_NOT_SUPPORT = 207000;
    /** Out of memory. */
    public static final int ACL_ERROR_RT_MEMORY_ALLOCATION = 207001;
    /** Freeing memory failed. */
    public static final int ACL_ERROR_RT_MEMORY_FREE = 207002;
    /** A limit was exceeded. */
    public static final int ACL_ERROR_RT_OVER_LIMIT = 207012;
    /** The runtime failed internally. */
    public static final int ACL_ERROR_RT_INTERNAL_ERROR = 507000;
    /** The driver failed internally. */
    public static final int ACL_ERROR_RT_DRV_INTERNAL_ERROR = 507899;

    private AclError()
    {
    }

    /**
     * The constant's name for a code this class lists.
     *
     * @param code an {@code aclError}.
     * @return for example {@code "ACL_ERROR_RT_MEMORY_ALLOCATION"}, or {@code "unknown"}.
     */
    public static String name(final int code)
    {
        switch (code)
        {
            case ACL_SUCCESS: return "ACL_SUCCESS";
            case ACL_ERROR_INVALID_PARAM: return "ACL_ERROR_INVALID_PARAM";
            case ACL_ERROR_UNINITIALIZE: return "ACL_ERROR_UNINITIALIZE";
            case ACL_ERROR_REPEAT_INITIALIZE: return "ACL_ERROR_REPEAT_INITIALIZE";
            case ACL_ERROR_RT_PARAM_INVALID: return "ACL_ERROR_RT_PARAM_INVALID";
            case ACL_ERROR_RT_INVALID_DEVICEID: return "ACL_ERROR_RT_INVALID_DEVICEID";
            case ACL_ERROR_RT_CONTEXT_NULL: return "ACL_ERROR_RT_CONTEXT_NULL";
            case ACL_ERROR_RT_ADDR_UNALIGNED: return "ACL_ERROR_RT_ADDR_UNALIGNED";
            case ACL_ERROR_RT_INVALID_HANDLE: return "ACL_ERROR_RT_INVALID_HANDLE";
            case ACL_ERROR_RT_FEATURE_NOT_SUPPORT: return "ACL_ERROR_RT_FEATURE_NOT_SUPPORT";
            case ACL_ERROR_RT_MEMORY_ALLOCATION: return "ACL_ERROR_RT_MEMORY_ALLOCATION";
            case ACL_ERROR_RT_MEMORY_FREE: return "ACL_ERROR_RT_MEMORY_FREE";
            case ACL_ERROR_RT_OVER_LIMIT: return "ACL_ERROR_RT_OVER_LIMIT";
            case ACL_ERROR_RT_INTERNAL_ERROR: return "ACL_ERROR_RT_INTERNAL_ERROR";
            case ACL_ERROR_RT_DRV_INTERNAL_ERROR: return "ACL_ERROR_RT_DRV_INTERNAL_ERROR";
            default: return "unknown";
        }
    }
}
