/**
 * Carve's benchmarks: the registry of Carve variants and peers ({@link io.carve.pool.bench.Policies},
 * {@link io.carve.pool.bench.Allocators}) and the main job's command line ({@link io.carve.pool.bench.Main}).
 * Sub-packages hold the workloads, the peers, the fragmentation harness, the JMH benchmarks and the report.
 */
package io.carve.pool.bench;
