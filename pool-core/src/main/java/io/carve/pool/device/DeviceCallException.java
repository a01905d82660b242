package io.carve.pool.device;

/**
 * A vendor call failed: the device returned a non-zero error code, or the emulated device refused the call
 * as the vendor's runtime would (out of memory, the DVPP cap, an injected failure). The message names the
 * call, its arguments, the code and, where the runtime offers it, its most recent error message
 * ({@code aclGetRecentErrMsg}). Nothing is held by a call that failed.
 */
public class DeviceCallException extends DeviceAllocationException
{
    private static final long serialVersionUID = 1L;

    private final VendorCall call;
    private final int errorCode;

    DeviceCallException(final VendorCall call, final String arguments, final int errorCode, final String detail,
        final long requestedSize)
    {
        super(call.cName() + "(" + arguments + ") failed: error " + errorCode + " (" + AclError.name(errorCode) + ")"
            + (detail == null || detail.isEmpty() ? "" : ": " + detail), requestedSize);
        this.call = call;
        this.errorCode = errorCode;
    }

    /**
     * The call that failed.
     *
     * @return the call.
     */
    public VendorCall call()
    {
        return call;
    }

    /**
     * The vendor's error code ({@code aclError}, or {@code hi_s32} for the {@code hi_mpi_*} calls).
     *
     * @return the non-zero code.
     */
    public int errorCode()
    {
        return errorCode;
    }
}
