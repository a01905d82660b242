package io.carve.pool.device;

/**
 * The memory operations a device offers on its memory, in the style of a vendor runtime's {@code memset}
 * and {@code memcpy}: the only way host code may reach memory that is not {@linkplain #isHostAccessible()
 * host-accessible}.
 * <p>
 * Addresses are device addresses within the block. Every operation checks that
 * {@code [address, address + length)} lies inside the block and throws {@link IndexOutOfBoundsException}
 * otherwise (a real device would fault). The copies take a caller-owned {@code byte[]} so that repeated
 * calls allocate nothing.
 */
public interface DeviceMemory
{
    /**
     * Whether host code may read and write this memory directly at its addresses (off-heap host memory),
     * rather than only through these operations (device memory).
     *
     * @return {@code true} for host memory.
     */
    boolean isHostAccessible();

    /**
     * Sets {@code length} bytes starting at {@code address} to {@code value} ({@code memset}).
     *
     * @param address device address of the first byte.
     * @param length  bytes to set, {@code >= 0}.
     * @param value   the byte to store.
     */
    void fill(long address, long length, byte value);

    /**
     * Copies device memory to a host array ({@code memcpy} device to host).
     *
     * @param address   device address of the first byte.
     * @param dst       host array.
     * @param dstOffset first index written in {@code dst}.
     * @param length    bytes to copy.
     */
    void copyToHost(long address, byte[] dst, int dstOffset, int length);

    /**
     * Copies a host array to device memory ({@code memcpy} host to device).
     *
     * @param src       host array.
     * @param srcOffset first index read in {@code src}.
     * @param address   device address of the first byte written.
     * @param length    bytes to copy.
     */
    void copyFromHost(byte[] src, int srcOffset, long address, int length);
}
