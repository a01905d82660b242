package io.carve.pool;

/**
 * Which segments carry guard bytes: the pattern written over {@code [len, m)} when a segment is carved and
 * checked when it is freed and by {@link SegmentPool#verify()}.
 * <p>
 * What a guarded segment costs depends on the device. On host memory (the off-heap device) the pool writes
 * and compares the zone in place, eight bytes at a time: a few nanoseconds per allocate and per free. On a
 * device whose memory the host reaches only through the device's {@code memset} and {@code memcpy} (the
 * emulated device, a vendor runtime), each guarded segment costs one fill call on allocate and one copy
 * back on free; against a real runtime each such call is a driver round trip of microseconds, so
 * {@link #SAMPLED} is the mode to run in production there, as GWP-ASan and KFENCE do for native heaps.
 */
public enum GuardMode
{
    /** No guard bytes: an overwrite past {@code len} goes unnoticed. */
    OFF,
    /**
     * One segment in {@link SegmentPoolBuilder#guardSampleInterval(int) the sample interval} is guarded,
     * chosen per thread in turn; an overwrite is caught when it hits a guarded segment.
     */
    SAMPLED,
    /** Every segment is guarded: the default. */
    ALL
}
