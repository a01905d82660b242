package io.carve.pool.device;

/**
 * Physical memory of a {@link VirtualMemoryDevice} ({@code aclrtDrvMemHandle}): reachable only once mapped
 * into a {@link ReservedRange}. {@link #close()} frees it ({@code aclrtFreePhysical}).
 */
public interface PhysicalHandle extends AutoCloseable
{
    /**
     * The handle's size, exactly as allocated.
     *
     * @return bytes, a multiple of the device's granularity.
     */
    long size();

    /**
     * Whether the handle is mapped into a range now.
     *
     * @return {@code true} between {@link ReservedRange#map} and {@link ReservedRange#unmap}.
     */
    boolean isMapped();

    /**
     * Frees the physical memory. Idempotent.
     *
     * @throws IllegalStateException if the handle is mapped: unmap it first.
     * @throws DeviceAllocationException if the device refuses; the handle stays allocated then.
     */
    @Override
    void close();
}
