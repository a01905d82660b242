package io.carve.pool;

/**
 * {@link SegmentPool#free(long)} was given an address that is not a live segment's. The pool is unchanged.
 */
public final class InvalidFreeException extends PoolException
{
    private static final long serialVersionUID = 1L;

    /** Why the address was refused. */
    public enum Reason
    {
        /** The address was 0, the pool's "no segment" sentinel. */
        NULL_ADDRESS,
        /** The address lies outside the pool's block. */
        OUTSIDE_POOL,
        /** The address lies inside a live segment but is not its start. */
        INTERIOR,
        /** The address was a segment's start and has been freed already (recently enough to be remembered). */
        DOUBLE_FREE,
        /** The address lies in the pool but was never returned by it, or was freed long ago. */
        NOT_ALLOCATED
    }

    private final long address;
    private final Reason reason;

    InvalidFreeException(final String poolName, final long address, final Reason reason, final String detail)
    {
        super(poolName, "pool '" + poolName + "' cannot free address=0x" + Long.toHexString(address)
            + ": " + detail);
        this.address = address;
        this.reason = reason;
    }

    /**
     * The address given to free.
     *
     * @return the address.
     */
    public long address()
    {
        return address;
    }

    /**
     * Why it was refused.
     *
     * @return the reason.
     */
    public Reason reason()
    {
        return reason;
    }
}
