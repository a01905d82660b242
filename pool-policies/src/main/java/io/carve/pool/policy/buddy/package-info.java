/**
 * The binary buddy placement policy: power-of-two blocks, each naturally aligned to its own size, split
 * on allocation and merged with their buddies on free.
 * <p>
 * {@link io.carve.pool.policy.buddy.BuddyPolicy} is the public face (built by its
 * {@link io.carve.pool.policy.buddy.BuddyPolicy.Builder}); its class documentation is the design document.
 * The bitmap with summary levels behind the per-order free lists is package-private. All metadata lives in
 * primitive arrays allocated at creation; allocate and free allocate nothing.
 * <p>
 * Threading: not thread-safe; the pool serialises every call.
 */
package io.carve.pool.policy.buddy;
