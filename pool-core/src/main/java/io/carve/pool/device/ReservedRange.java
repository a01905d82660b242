package io.carve.pool.device;

/**
 * A reserved virtual address range of a {@link VirtualMemoryDevice}, into which whole physical handles are
 * mapped at granule-aligned offsets; its {@link DeviceMemory} operations reach mapped granules only. The
 * rules, errors and threading are those of {@link VirtualMemoryDevice}.
 */
public interface ReservedRange extends DeviceMemory, AutoCloseable
{
    /**
     * The range's first address; a multiple of {@link #granularity()}.
     *
     * @return the base address, never 0.
     */
    long address();

    /**
     * The range's size, exactly as reserved.
     *
     * @return bytes, a multiple of {@link #granularity()}.
     */
    long size();

    /**
     * The device's granularity: every mapping offset and handle size is a multiple of it.
     *
     * @return bytes, a power of two.
     */
    long granularity();

    /**
     * Maps the whole {@code handle}, from its offset 0, at {@code offset} of this range
     * ({@code aclrtMapMem(address() + offset, handle.size(), 0, handle, 0)}).
     *
     * @param offset a multiple of {@link #granularity()} with {@code offset + handle.size() <= size()}.
     * @param handle a handle of the same device, open and not mapped.
     * @throws IllegalArgumentException if offset is invalid or the handle belongs to another device.
     * @throws IllegalStateException    if a granule in the way is already mapped, the handle is mapped or
     *                                  closed, or the range is closed.
     * @throws DeviceAllocationException if the device refuses; nothing is mapped then.
     */
    void map(long offset, PhysicalHandle handle);

    /**
     * Unmaps the handle that was mapped at {@code offset} ({@code aclrtUnmapMem(address() + offset)}). The
     * handle stays allocated: close it to free it, or map it again.
     *
     * @param offset the offset given to {@link #map(long, PhysicalHandle)}.
     * @return the handle that was mapped there.
     * @throws IllegalArgumentException if offset is outside the range or not a multiple of the granularity.
     * @throws IllegalStateException    if no handle starts at offset (nothing mapped, or inside a larger
     *                                  handle), or the range is closed.
     * @throws DeviceAllocationException if the device refuses; the handle stays mapped then.
     */
    PhysicalHandle unmap(long offset);

    /**
     * Whether the granule holding {@code offset} is mapped.
     *
     * @param offset a byte offset in {@code [0, size())}.
     * @return {@code true} if the memory operations may reach that byte.
     * @throws IllegalArgumentException if offset is outside the range.
     */
    boolean isMapped(long offset);

    /**
     * The bytes mapped now: the sum of the sizes of the handles mapped in this range.
     *
     * @return bytes.
     */
    long mappedBytes();

    /**
     * Releases the range ({@code aclrtReleaseMemAddress}). Idempotent; memory operations afterwards throw
     * {@link IllegalStateException}.
     *
     * @throws IllegalStateException if handles are still mapped: unmap (and free) them first.
     * @throws DeviceAllocationException if the device refuses; the range stays reserved then.
     */
    @Override
    void close();
}
