package io.carve.pool;

/**
 * What {@link SegmentPool#close()} does when segments are still live. In every case the block goes back to
 * the device.
 */
public enum LeakAction
{
    /** Throw a {@link SegmentLeakException} listing the live segments (the default). */
    THROW,
    /** Log them at WARNING through {@link System.Logger} and return normally. */
    LOG,
    /** Say nothing. */
    IGNORE
}
