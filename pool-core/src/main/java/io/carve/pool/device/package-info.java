/**
 * The device SPIs and their implementations.
 * <p>
 * Two SPIs, which a device may offer both of:
 * <ul>
 *   <li>{@link io.carve.pool.device.DeviceAllocator}: the pool's one large
 *       {@link io.carve.pool.device.DeviceBlock}, taken once when the pool is built and given back when it
 *       closes.</li>
 *   <li>{@link io.carve.pool.device.VirtualMemoryDevice}: the vendor's three-step API for a pool that grows
 *       and shrinks: a {@link io.carve.pool.device.ReservedRange} of address space reserved once, into which
 *       whole {@link io.carve.pool.device.PhysicalHandle}s are mapped and unmapped at granule offsets.</li>
 * </ul>
 * Blocks and ranges offer the memory operations the pool's guard bytes need
 * ({@link io.carve.pool.device.DeviceMemory}: fill, copy to and from the host), the way a vendor runtime
 * offers {@code memset} and {@code memcpy} for device memory.
 * <p>
 * The devices:
 * <ul>
 *   <li>{@link io.carve.pool.device.OffHeapDeviceAllocator}: real off-heap host memory, pre-touched by
 *       default so that no page fault lands on an allocation later; its ranges are lazy address space.</li>
 *   <li>{@link io.carve.pool.device.EmulatedDevice}: an emulated vendor device that enforces the vendor's
 *       rules (rounding, huge-page granularity, the DVPP and HIAI caps, the three-step API's order), hands
 *       out device-like addresses the host cannot dereference, and injects failures on request.</li>
 *   <li>{@link io.carve.pool.device.AscendDevice}: the vendor runtime itself ({@code libascendcl.so}),
 *       called through the Foreign Function &amp; Memory API on JDK 22 and newer.</li>
 * </ul>
 * Native memory is reached through {@code io.carve.pool.internal.NativeAccess}: Agrona's {@code UnsafeApi}
 * on JDK 17 to 21 (the JVM needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}), the FFM
 * API on JDK 22+ (no export; {@code --enable-native-access=ALL-UNNAMED} keeps JDK 24+ quiet).
 * <p>
 * Threading: devices are thread-safe; the memory operations of a block or range may be called from any
 * thread. A vendor failure is a {@link io.carve.pool.device.DeviceCallException} naming the call, its
 * arguments and the vendor's error code.
 */
package io.carve.pool.device;
