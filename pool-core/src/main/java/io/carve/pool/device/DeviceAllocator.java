package io.carve.pool.device;

/**
 * Where a pool takes its one large block from. Implementations must be thread-safe.
 * <p>
 * The pool calls {@link #allocate(long, long)} once when it is built and closes the block when the pool
 * closes; the cost of a call is irrelevant to the pool's hot path, which is why a slow vendor API is fine
 * here.
 */
public interface DeviceAllocator
{
    /**
     * A short name for stats, messages and reports (for example {@code "off-heap"}).
     *
     * @return the name.
     */
    String name();

    /**
     * Takes one block.
     *
     * @param size      usable bytes, {@code > 0}.
     * @param alignment alignment of the block's base address, a power of two.
     * @return the block.
     * @throws DeviceAllocationException if the device refuses; nothing is held in that case.
     * @throws IllegalArgumentException  if size or alignment is invalid.
     */
    DeviceBlock allocate(long size, long alignment);
}
