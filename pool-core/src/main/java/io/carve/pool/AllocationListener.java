package io.carve.pool;

/**
 * Told about a pool's allocations, frees and failures, in the spirit of Arrow's {@code AllocationListener}:
 * for accounting across pools, metrics export, or freeing memory elsewhere when this pool runs short.
 * <p>
 * {@link #onAllocate} and {@link #onFree} run on the calling thread after the pool's state has changed and
 * outside its locks; they must be cheap, as they sit on the hot path. {@link #onFailure} runs under the
 * pool's lock (which is reentrant, so it may free segments of this pool) before the pool gives up. A
 * listener's exception reaches the caller of the pool method; the pool stays consistent.
 */
public interface AllocationListener
{
    /** A listener that does nothing: the default. */
    AllocationListener NONE = new AllocationListener()
    {
    };

    /**
     * A segment was carved.
     *
     * @param address its address.
     * @param length  the length the caller asked for.
     */
    default void onAllocate(final long address, final long length)
    {
    }

    /**
     * A segment was freed (also when its guard bytes were found damaged).
     *
     * @param address its address.
     * @param length  the length the caller had asked for.
     */
    default void onFree(final long address, final long length)
    {
    }

    /**
     * The pool cannot carve a segment now. Return {@code true} after making room (for example by freeing
     * segments held in a cache) to have the pool try again; the pool calls again if the retry fails too.
     *
     * @param length       the length asked for.
     * @param segmentBytes its segment size.
     * @return {@code true} to retry, {@code false} to let the allocation fail (or wait, for a timed one).
     */
    default boolean onFailure(final long length, final long segmentBytes)
    {
        return false;
    }
}
