package io.carve.pool;

/**
 * A pool was used after {@link SegmentPool#close()}.
 */
public final class PoolClosedException extends PoolException
{
    private static final long serialVersionUID = 1L;

    PoolClosedException(final String poolName, final String operation)
    {
        super(poolName, "pool '" + poolName + "' is closed: " + operation + " is not allowed");
    }
}
