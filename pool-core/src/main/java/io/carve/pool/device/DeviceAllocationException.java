package io.carve.pool.device;

/**
 * A device refused a request: a block, an address range or a physical handle, because of out of memory, a
 * vendor limit, or an injected failure. The message names the device, the size and the rule that refused
 * it. A failed vendor call is the subclass {@link DeviceCallException}, which also names the call and its
 * error code.
 */
public class DeviceAllocationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final long requestedSize;

    /**
     * Creates the exception.
     *
     * @param message       what was refused and why.
     * @param requestedSize the size asked for.
     */
    public DeviceAllocationException(final String message, final long requestedSize)
    {
        super(message);
        this.requestedSize = requestedSize;
    }

    /**
     * The size that was asked for.
     *
     * @return bytes; 0 when the failed request had no size (a copy, an unmap).
     */
    public long requestedSize()
    {
        return requestedSize;
    }
}
