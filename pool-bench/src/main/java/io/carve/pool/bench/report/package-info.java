/**
 * The main job's outputs: the side-by-side text table, the HTML report with inline SVG charts (occupancy
 * over time per allocator, memory maps at peak) and the CSV/JSON of the numbers. No external JS or CSS.
 */
package io.carve.pool.bench.report;
