package io.carve.pool.policy;

/**
 * Receives a policy's own named figures (for example a buddy's free blocks per order, a slab's bytes in
 * slabs); see {@link AllocationPolicy#metrics(MetricSink)}.
 */
@FunctionalInterface
public interface MetricSink
{
    /**
     * One figure.
     *
     * @param name  a stable, dotted lower-case name such as {@code "buddy.free.order.12"}.
     * @param value its value.
     */
    void metric(String name, long value);
}
