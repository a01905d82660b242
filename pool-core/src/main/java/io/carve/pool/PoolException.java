package io.carve.pool;

/**
 * The root of the pool's own exceptions. Every subclass carries the pool's name and the figures needed to
 * act on the failure.
 */
public class PoolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String poolName;

    /**
     * Creates the exception.
     *
     * @param poolName the pool's name.
     * @param message  the whole message.
     */
    protected PoolException(final String poolName, final String message)
    {
        super(message);
        this.poolName = poolName;
    }

    /**
     * The name of the pool that raised it.
     *
     * @return the pool's name.
     */
    public String poolName()
    {
        return poolName;
    }
}
