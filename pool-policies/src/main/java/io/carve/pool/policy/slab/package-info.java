/**
 * The slab placement policy: fixed-size objects for the buffer sizes a workload repeats (video frames,
 * model inputs), carved from slabs that a backing policy over the same range hands out, with every other
 * request passed to that backing policy. {@link io.carve.pool.policy.slab.SlabPolicy}'s Javadoc is the
 * design document; {@link io.carve.pool.policy.slab.SlabPolicy.Builder} configures it.
 * <p>
 * Threading: not thread-safe; the pool serialises every call.
 */
package io.carve.pool.policy.slab;
