/**
 * The JMH suite: allocate+free of fixed sizes, the media and random traces (ns per event), the touching
 * media trace and the scaling of allocate+free with the number of live segments, each over every Carve
 * variant and peer (the {@code allocator} parameter). Forks get the JVM flags Agrona and Netty need.
 * Run from the shaded jar: {@code java -jar pool-bench/target/carve-bench.jar jmh -prof gc}.
 */
package io.carve.pool.bench.jmh;
