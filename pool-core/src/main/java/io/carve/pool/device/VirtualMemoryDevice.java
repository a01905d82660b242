package io.carve.pool.device;

/**
 * The second device SPI, beside {@link DeviceAllocator}'s one block: a device that builds one virtually
 * contiguous range out of physical handles, so that a pool can grow and shrink without moving. It is the
 * vendor's three-step API ({@code ../shared/REFERENCE.md} §2, seed 004):
 * <pre>
 *   step                         this SPI                               the vendor's call
 *   granularity                  device.granularity()                   aclrtMemGetAllocationGranularity
 *   reserve the maximum, once    range = device.reserve(max, align)     aclrtReserveMemAddress
 *   grow by k granules           h = device.allocatePhysical(k * g)     aclrtMallocPhysical
 *                                range.map(offset, h)                   aclrtMapMem (whole handle, handle offset 0)
 *   shrink                       range.unmap(offset).close()            aclrtUnmapMem, aclrtFreePhysical
 *   close                        unmap and close every handle,
 *                                then range.close()                     aclrtReleaseMemAddress
 * </pre>
 * A reserved range, {@code g = granularity()}, two handles mapped and one granule unmapped:
 * <pre>
 *  range.address()                                                            address() + size()
 *  |    granule 0    |    granule 1    |    granule 2    |    granule 3    |  ...  |
 *  [ handle A: 2 granules, map(0, A)  ][   (unmapped)    ][ B: map(3g, B)  ]  ...
 *   fill/copy reach A and B            ^ UnmappedMemoryException naming the address
 * </pre>
 * <h2>The rules, which every implementation enforces</h2>
 * <ul>
 *   <li>The range's size and every handle's size are positive multiples of {@link #granularity()} (2 MB;
 *       1 GB under the HUGE1G policies). The range starts on a multiple of the granularity.</li>
 *   <li>A handle is mapped whole, from its own offset 0, at a granule-aligned offset of a range of the
 *       same device, over granules that are not mapped; a handle is mapped at most once at a time.</li>
 *   <li>{@link ReservedRange#unmap(long)} takes the offset where a handle was mapped and unmaps that whole
 *       handle; a pool that wants to give back single granules maps single-granule handles.</li>
 *   <li>A handle is closed (freed) only when it is not mapped; a range is closed (released) only when
 *       nothing is mapped in it.</li>
 *   <li>The range's memory operations ({@link DeviceMemory}) reach mapped granules only. A touch of an
 *       unmapped granule throws {@link UnmappedMemoryException} naming the first unmapped address; a touch
 *       outside the range throws {@link IndexOutOfBoundsException}. Bytes of a newly mapped handle are not
 *       initialised (a handle mapped again may or may not keep its bytes).</li>
 * </ul>
 * <h2>Errors</h2>
 * A bad argument (a size that is not a multiple of the granularity, an unaligned or out-of-range offset,
 * a handle of another device) throws {@link IllegalArgumentException} naming the call, the argument and
 * its value; breaking the order of the steps (mapping twice, freeing a mapped handle, releasing a range
 * with mappings, using a closed object) throws {@link IllegalStateException}. A device that refuses (out
 * of memory, a vendor limit, an injected failure, a non-zero code from the runtime) throws
 * {@link DeviceAllocationException}; a vendor device throws its subclass {@link DeviceCallException},
 * which names the call, the sizes and the vendor's error code. In every case nothing changes: no handle,
 * mapping or range is gained or lost.
 * <h2>Threading</h2>
 * Implementations are thread-safe. A range serialises its own {@code map}/{@code unmap}; its memory
 * operations run concurrently with each other and never overlap a {@code map} or {@code unmap} of the same
 * range, so an operation racing the unmap of its own granule either completes first or throws afterwards.
 * <h2>Costs</h2>
 * Every step is a vendor call (microseconds or more on a real device): a pool reserves once and maps in
 * large steps, never on its allocation path.
 */
public interface VirtualMemoryDevice
{
    /**
     * A short name for stats, messages and reports.
     *
     * @return the name.
     */
    String name();

    /**
     * The granularity of physical handles and mapping offsets
     * ({@code aclrtMemGetAllocationGranularity}, minimum).
     *
     * @return a power of two, in bytes.
     * @throws DeviceAllocationException if the device cannot say.
     */
    long granularity();

    /**
     * Reserves a virtual address range with nothing mapped in it ({@code aclrtReserveMemAddress}).
     *
     * @param size      bytes, a positive multiple of {@link #granularity()}: the most the range will ever map.
     * @param alignment of the range's address: a power of two no larger than {@link #granularity()} (the
     *                  range always starts on a granule boundary; the vendor's call takes no alignment).
     * @return the range.
     * @throws IllegalArgumentException  if size or alignment is invalid.
     * @throws DeviceAllocationException if the device refuses; nothing is held then.
     */
    ReservedRange reserve(long size, long alignment);

    /**
     * Allocates physical memory to map into a range of this device ({@code aclrtMallocPhysical}).
     *
     * @param size bytes, a positive multiple of {@link #granularity()}.
     * @return the handle, not mapped.
     * @throws IllegalArgumentException  if size is invalid.
     * @throws DeviceAllocationException if the device refuses; nothing is held then.
     */
    PhysicalHandle allocatePhysical(long size);
}
