/**
 * The placement-policy SPI and the reference policy.
 * <p>
 * A {@link io.carve.pool.policy.AllocationPolicy} carves the offset range {@code [0, capacity)} out-of-band:
 * it never reads or writes the managed memory (device memory cannot hold headers), it deals in offsets and
 * sizes already computed by the alignment table, and knows nothing of devices or addresses. A
 * {@link io.carve.pool.policy.PolicyFactory} creates one policy per pool, once the capacity is known.
 * <p>
 * {@link io.carve.pool.policy.FirstFitPolicy} is the obviously-correct reference: address-ordered first fit
 * over sorted maps, used as the oracle for differential tests. The pool builder's default policy is TLSF
 * ({@link io.carve.pool.policy.tlsf}), which lives in this module for that reason.
 * <p>
 * Threading: policies are not thread-safe; the pool serialises every call.
 */
package io.carve.pool.policy;
