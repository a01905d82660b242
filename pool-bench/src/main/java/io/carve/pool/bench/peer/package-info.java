/**
 * The allocators every comparison runs side by side, behind one small bench-only interface
 * ({@link io.carve.pool.bench.peer.BenchAllocator}): Carve with each policy, Netty's pooled and adaptive
 * allocators, malloc/free and direct ByteBuffers. Peers are benchmark-only dependencies. Instances are
 * single-threaded: one replay at a time.
 */
package io.carve.pool.bench.peer;
