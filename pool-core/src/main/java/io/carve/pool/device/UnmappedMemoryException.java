package io.carve.pool.device;

/**
 * A memory operation of a {@link ReservedRange} touched a granule with nothing mapped in it: on a real
 * device this would fault. The message names the first unmapped address of the operation.
 */
public class UnmappedMemoryException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    private final long address;

    UnmappedMemoryException(final String message, final long address)
    {
        super(message);
        this.address = address;
    }

    /**
     * The first address of the operation that lies in an unmapped granule.
     *
     * @return the address.
     */
    public long address()
    {
        return address;
    }
}
