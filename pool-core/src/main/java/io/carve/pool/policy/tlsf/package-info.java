/**
 * The TLSF (two-level segregated fit) placement policy: constant-time allocate and free with immediate
 * coalescing, good fit, and aligned allocation for any power of two.
 * <p>
 * {@link io.carve.pool.policy.tlsf.TlsfPolicy} is the policy and its design document; configure it with
 * {@link io.carve.pool.policy.tlsf.TlsfPolicy#builder()}, whose builder is the
 * {@link io.carve.pool.policy.PolicyFactory} to hand to the pool builder. All metadata lives out-of-band in
 * primitive arrays and bitmaps: the package-private {@code BlockDescriptor} lays out and accesses the 32-byte
 * block records, and the package-private {@code BlockIndex}, a two-level radix map, finds a live block's
 * record from its offset.
 * <p>
 * Threading: a policy is not thread-safe; the pool serialises every call. Builders are not thread-safe
 * either, but a configured builder may create any number of policies.
 */
package io.carve.pool.policy.tlsf;
