package io.carve.pool.policy;

/**
 * Receives the extents of a policy in ascending offset order; see {@link AllocationPolicy#walk(BlockVisitor)}.
 */
@FunctionalInterface
public interface BlockVisitor
{
    /**
     * Called once per extent.
     *
     * @param offset the extent's first byte within {@code [0, capacity)}.
     * @param size   the extent's length in bytes, {@code > 0}.
     * @param state  what the extent is.
     */
    void visit(long offset, long size, BlockState state);
}
