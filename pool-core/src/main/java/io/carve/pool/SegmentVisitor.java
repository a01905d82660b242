package io.carve.pool;

/**
 * Receives the live segments of a pool; see {@link SegmentPool#forEachLiveSegment(SegmentVisitor)}.
 */
@FunctionalInterface
public interface SegmentVisitor
{
    /**
     * Called once per live segment.
     *
     * @param address the segment's address.
     * @param length  the length the caller asked for.
     */
    void visit(long address, long length);
}
