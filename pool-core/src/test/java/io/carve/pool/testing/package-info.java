/**
 * Test helpers shared by every module's tests, published in pool-core's test-jar.
 * <ul>
 *   <li>{@link io.carve.pool.testing.HeapProbe}: proves that an action allocates nothing on the Java heap
 *       (one rule: up to three measured windows, one of which must allocate zero bytes).</li>
 *   <li>{@link io.carve.pool.testing.DifferentialRun}: a seeded run of a policy against the reference first-fit
 *       policy over one live-set model, checked after every step.</li>
 *   <li>{@link io.carve.pool.testing.PolicyChecks}: cross-checks of a policy's walk, figures, integrity walker
 *       and a model of its live blocks.</li>
 *   <li>{@link io.carve.pool.testing.MediaLengths}: the media producers' buffer lengths.</li>
 * </ul>
 * Threading: the helpers measure and check the calling thread's work; they keep no shared state.
 */
package io.carve.pool.testing;
