package io.carve.pool.policy;

import java.util.List;

/**
 * Carves the offset range {@code [0, capacity)} into blocks, out-of-band.
 * <p>
 * A policy keeps all its metadata on the Java heap (primitive arrays, bitmaps, primitive maps) and never
 * touches the managed memory. The pool calls it with sizes already computed by the alignment table and
 * turns the offsets it returns into device addresses.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #allocate(long, long)} returns an offset aligned to the requested alignment such that
 *       {@code [offset, offset + size)} lies within {@code [0, capacity)} and overlaps no live block, or
 *       {@link #NO_OFFSET} when it cannot; it never throws for exhaustion.</li>
 *   <li>{@link #free(long)} takes exactly an offset returned by {@code allocate} and not yet freed; anything
 *       else is an {@link IllegalArgumentException} that leaves the policy unchanged. It returns the block's
 *       {@link #blockSize(long)}, which no call between the {@code allocate} and the {@code free} changes.</li>
 *   <li>{@link #walk(BlockVisitor)} visits extents that tile {@code [0, capacity)} exactly; the LIVE ones
 *       sum to {@link #usedBytes()} and number {@link #liveBlocks()}, the FREE ones sum to
 *       {@link #freeBytes()}, number {@link #freeExtentCount()} and the largest is
 *       {@link #largestFreeExtent()}, which a single {@code allocate(largestFreeExtent(), 1)} can obtain;
 *       the RESERVED ones sum to {@code capacity() - usedBytes() - freeBytes()}, which includes
 *       {@link #reservedBytes()}.</li>
 *   <li>{@link #reserve(long, long)} takes a free range out of use and {@link #unreserve(long, long)} gives
 *       it back: a growable pool manages its whole address range with one policy and keeps the granules
 *       that are not mapped reserved, anywhere in the range. No allocation ever overlaps a reserved byte.</li>
 *   <li>Freeing every block restores {@link #freeBytes()} to its value when the policy was new.</li>
 *   <li>Implementations meant for hot paths allocate nothing on the Java heap in {@code allocate} and
 *       {@code free}.</li>
 * </ul>
 * Not thread-safe: the pool serialises calls.
 */
public interface AllocationPolicy
{
    /** Returned by {@link #allocate(long, long)} when no block can be carved. */
    long NO_OFFSET = -1L;

    /**
     * The policy's short name (for example {@code "tlsf"}).
     *
     * @return the name.
     */
    String name();

    /**
     * The bytes managed.
     *
     * @return the capacity given at creation.
     */
    long capacity();

    /**
     * Carves a block of at least {@code size} bytes starting at a multiple of {@code alignment}.
     *
     * @param size      the bytes needed, {@code > 0}.
     * @param alignment a power of two; the pool never asks for more than its profile's start alignment.
     * @return the block's offset, or {@link #NO_OFFSET} if no block can be carved.
     */
    long allocate(long size, long alignment);

    /**
     * The largest size that {@code allocate(size, alignment)} could ever obtain from this policy: on an empty
     * policy, the largest single block it can carve at that alignment. A request above it can never succeed,
     * whatever is freed, so the pool refuses it at once with an {@link IllegalArgumentException} instead of
     * waiting for frees that cannot help.
     * <p>
     * The default is {@link #capacity()}: right for a policy that can hand out its whole range as one block
     * (offset 0 is aligned to every power of two).
     *
     * @param alignment a power of two.
     * @return the largest size that can ever be allocated at {@code alignment}, 0 if none can.
     */
    default long maximumAllocation(final long alignment)
    {
        return capacity();
    }

    /**
     * Returns a block to the free space (coalescing as the policy does).
     *
     * @param offset an offset returned by {@link #allocate(long, long)} and not yet freed.
     * @return the bytes the block held (its size as counted in {@link #usedBytes()}).
     * @throws IllegalArgumentException if {@code offset} is not the start of a live block; the policy is
     *                                  unchanged.
     */
    long free(long offset);

    /**
     * The bytes the live block at {@code offset} holds: the size {@link #usedBytes()} counts for it and
     * {@link #free(long)} will return. A block's size is fixed from the {@code allocate} that made it to the
     * {@code free} that ends it: no later call of this policy changes it. A policy layered over another (a
     * slab over its backing) asks the backing this, never infers a size from a change in its counters.
     * <p>
     * The default walks every extent, O(blocks); every policy of this project overrides it with a lookup as
     * cheap as the one {@code free} makes.
     *
     * @param offset an offset returned by {@link #allocate(long, long)} and not yet freed.
     * @return the block's size in bytes, {@code >= } the size asked for.
     * @throws IllegalArgumentException if {@code offset} is not the start of a live block.
     */
    default long blockSize(final long offset)
    {
        final long[] found = {-1};
        walk((start, size, state) ->
        {
            if (start == offset && state == BlockState.LIVE)
            {
                found[0] = size;
            }
        });
        if (found[0] < 0)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        return found[0];
    }

    /**
     * Takes {@code [offset, offset + size)} out of use, for a growable pool's granules that are not mapped to
     * memory: afterwards no allocation returns any byte of it, it counts in neither {@link #usedBytes()} nor
     * {@link #freeBytes()} but in {@link #reservedBytes()}, and {@link #walk(BlockVisitor)} visits it as
     * {@link BlockState#RESERVED}. The range must be free now; a policy may also decline a range it cannot
     * cut out exactly (one that would leave a free remainder below its minimum block, or that is not aligned
     * to its own block structure). Not a hot path.
     *
     * @param offset the first byte, {@code >= 0}.
     * @param size   bytes, {@code > 0}, with {@code offset + size <= capacity()}.
     * @return {@code true} if reserved; {@code false}, with nothing changed, if some byte is not free or the
     * policy cannot cut the range out.
     * @throws IllegalArgumentException if the range is not inside {@code [0, capacity())}.
     * <p>
     * The default declines every range: a policy that cannot take ranges out of use cannot serve a growable
     * pool, which refuses to be built with it.
     */
    default boolean reserve(final long offset, final long size)
    {
        return false;
    }

    /**
     * Gives reserved bytes back to free space (the pool mapped them again), coalescing with free neighbours.
     * The range may be any part of the reserved extents, as long as every byte of it is reserved.
     *
     * @param offset the first byte.
     * @param size   bytes, {@code > 0}.
     * @throws IllegalArgumentException if some byte of the range is not reserved by {@link #reserve}, or the
     *                                  policy cannot split the reserved extent there; the policy is unchanged.
     */
    default void unreserve(final long offset, final long size)
    {
        throw new IllegalArgumentException("not a reserved range: offset=" + offset + ", size=" + size);
    }

    /**
     * Bytes taken out of use by {@link #reserve(long, long)} and not yet given back.
     *
     * @return reserved bytes; the default, for a policy that never reserves, is 0.
     */
    default long reservedBytes()
    {
        return 0;
    }

    /**
     * The largest size that {@code allocate(size, alignment)} would obtain now. The default computes it from
     * {@link #walk(BlockVisitor)}: the largest free extent less the gap to its first aligned offset, which is
     * exact for a policy that can carve any aligned sub-range of a free extent (first fit, TLSF) and for a
     * buddy policy (a free block serves any size up to its own, at its own, aligned, offset); a policy whose
     * free extents serve only some sizes (slab objects) must override it. O(extents): for diagnostics.
     *
     * @param alignment a power of two.
     * @return the largest size, 0 if nothing can be allocated at that alignment.
     * @throws IllegalArgumentException if {@code alignment} is not a positive power of two.
     */
    default long largestAllocatable(final long alignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new IllegalArgumentException("alignment must be a power of 2: alignment=" + alignment);
        }
        final long[] largest = {0};
        walk((offset, size, state) ->
        {
            if (state == BlockState.FREE)
            {
                largest[0] = Math.max(largest[0], size - (-offset & (alignment - 1)));
            }
        });
        return largest[0];
    }

    /**
     * Bytes held by live blocks, rounding included.
     *
     * @return used bytes.
     */
    long usedBytes();

    /**
     * Bytes available to future allocations: reserved bytes are not.
     *
     * @return free bytes.
     */
    long freeBytes();

    /**
     * The size of the largest single block that {@code allocate(size, 1)} can obtain now.
     *
     * @return the largest free extent, 0 when full.
     */
    long largestFreeExtent();

    /**
     * The number of free extents that {@link #walk(BlockVisitor)} visits.
     *
     * @return free extents.
     */
    long freeExtentCount();

    /**
     * The number of live blocks.
     *
     * @return live blocks.
     */
    long liveBlocks();

    /**
     * Visits every extent in ascending offset order; the extents tile {@code [0, capacity)} exactly.
     * Meant for reports and tests, not hot paths.
     *
     * @param visitor receives each extent.
     */
    void walk(BlockVisitor visitor);

    /**
     * The integrity walker: re-derives and cross-checks all metadata.
     *
     * @return the problems found, empty when the metadata is consistent.
     */
    List<String> verify();

    /**
     * Reports the policy's own figures beyond the ones of this interface.
     *
     * @param sink receives each figure.
     */
    default void metrics(final MetricSink sink)
    {
    }

    /**
     * Heap bytes of metadata this policy holds now (arrays, maps), for the overhead figures.
     *
     * @return an estimate of the metadata footprint in bytes.
     */
    long metadataBytes();
}
