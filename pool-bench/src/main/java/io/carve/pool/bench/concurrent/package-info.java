/**
 * JMH benchmarks of the pool under two threads: each thread allocating and freeing its own segments, and a
 * producer thread allocating frames that a consumer thread frees (the decoder-to-inference shape), against
 * the single-thread cost of the same pool and of the lock-only pool (size-class cache off).
 * <p>
 * Every benchmark reports events (one allocate or one free) per microsecond, so single-thread and
 * two-thread figures compare directly. Threading: JMH drives each benchmark; the SPSC ring between
 * producer and consumer is the only shared structure besides the pool.
 */
package io.carve.pool.bench.concurrent;
