/**
 * The fragmentation harness (not JMH): replays a trace once per allocator, samples occupancy over time,
 * computes the ratios at the trace's peak, finds the smallest Carve capacity that replays a trace and
 * captures a pool's memory map; and the plain timing loop of the main job. Single-threaded.
 */
package io.carve.pool.bench.harness;
