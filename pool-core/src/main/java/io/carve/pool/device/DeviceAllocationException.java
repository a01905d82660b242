package io.carve.pool.device;

/**
 * A device refused to hand out a block: out of memory, a vendor limit, or an injected failure. The message
 * names the device, the size and the rule that refused it.
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
     * @return bytes.
     */
    public long requestedSize()
    {
        return requestedSize;
    }
}
