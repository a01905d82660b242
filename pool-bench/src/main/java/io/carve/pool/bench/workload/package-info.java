/**
 * Seeded workloads, pre-generated into primitive arrays so that replaying them does no generation work:
 * the media pipeline (VDEC streams, JPEGD photos, VPC model inputs), RMM-style random allocations, fixed
 * sizes and the scaling set-up. Generators are single-threaded; a generated {@link io.carve.pool.bench.workload.Trace}
 * is immutable and may be replayed by any thread.
 */
package io.carve.pool.bench.workload;
