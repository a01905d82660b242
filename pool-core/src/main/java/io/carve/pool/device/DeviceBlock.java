package io.carve.pool.device;

/**
 * One block of device memory obtained from a {@link DeviceAllocator}: its address range, the memory
 * operations on it, and {@link #close()} to give it back.
 */
public interface DeviceBlock extends DeviceMemory, AutoCloseable
{
    /**
     * The device address of the first usable byte; aligned to at least the alignment asked for.
     *
     * @return the base address, never 0.
     */
    long address();

    /**
     * The usable bytes, exactly the size asked for.
     *
     * @return the block's size.
     */
    long size();

    /**
     * What the device really reserved for this block after its own rounding (the vendor's +32 bytes,
     * huge-page granularity); {@code >= size()}.
     *
     * @return reserved bytes.
     */
    long reservedSize();

    /**
     * Gives the block back to its device. Idempotent: a second call does nothing. Any memory operation
     * after it throws {@link IllegalStateException}.
     */
    @Override
    void close();
}
