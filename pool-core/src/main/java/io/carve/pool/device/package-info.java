/**
 * The device-allocator SPI and its two implementations.
 * <p>
 * A {@link io.carve.pool.device.DeviceAllocator} hands the pool its one large
 * {@link io.carve.pool.device.DeviceBlock}, once, when the pool is built, and takes it back when the pool
 * closes. A block says whether the host may touch it directly; either way it offers the memory operations
 * the pool's guard bytes need ({@link io.carve.pool.device.DeviceMemory}: fill, copy to and from the host),
 * the way a vendor runtime offers {@code memset} and {@code memcpy} for device memory.
 * <ul>
 *   <li>{@link io.carve.pool.device.OffHeapDeviceAllocator}: real off-heap host memory, pre-touched by
 *       default so that no page fault lands on an allocation later.</li>
 *   <li>{@link io.carve.pool.device.EmulatedDevice}: an emulated vendor device that enforces the vendor's
 *       block rules (rounding, huge-page granularity, the DVPP and HIAI caps), hands out device-like
 *       addresses the host cannot dereference, and injects failures on request.</li>
 * </ul>
 * Both use native memory through Agrona's {@code UnsafeApi}, so a JVM that uses them needs
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}. Threading: allocators are thread-safe;
 * a block's memory operations may be called from any thread, and the pool serialises its own calls.
 */
package io.carve.pool.device;
