package io.carve.pool.policy;

/**
 * What an extent visited by {@link AllocationPolicy#walk(BlockVisitor)} is.
 */
public enum BlockState
{
    /** Holds one live allocation (the extent may be larger than requested: rounding is part of it). */
    LIVE,
    /** Available to a future allocation. */
    FREE,
    /** Neither live nor allocatable: capacity a policy cannot use (a buddy tail below the minimum block, a slab's end padding). */
    RESERVED
}
