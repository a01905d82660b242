/**
 * Carve's public face: a pool that takes one large block from a device once and carves it into aligned,
 * guarded segments.
 * <p>
 * Build a {@link io.carve.pool.SegmentPool} with {@link io.carve.pool.SegmentPool#builder()}; allocate
 * segments as primitive {@code long} device addresses; read an immutable {@link io.carve.pool.PoolStats}
 * snapshot; check integrity with {@link io.carve.pool.SegmentPool#verify()}. Errors are the pool's own
 * exceptions, all subclasses of {@link io.carve.pool.PoolException} (or {@link IllegalArgumentException}
 * for bad arguments), and carry the figures a user needs to act on them.
 * <p>
 * Threading: pools are thread-safe; any thread may free a segment another allocated. The pool
 * implementation composes the device, the policy, the alignment table and the guards, and is
 * package-private.
 */
package io.carve.pool;
