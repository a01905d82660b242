/**
 * The per-API alignment table: the one place that knows how a vendor memory API sizes and aligns memory.
 * <p>
 * {@link io.carve.pool.align.MemoryApi} lists the vendor allocation APIs with the start alignment a carved
 * segment must honour and what the API itself hands out when called directly (used by the emulated device);
 * {@link io.carve.pool.align.AlignmentProfile} turns a caller's length into the carved segment size
 * {@code m = ALIGN_UP(len, 32) + tail} and names the start alignment. Every class here is immutable and
 * thread-safe, touches no memory and needs no JVM flags.
 */
package io.carve.pool.align;
