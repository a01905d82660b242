package io.carve.pool.bench.peer;

/**
 * What a replay needs from an allocator: allocate into a numbered slot, free a slot, touch a buffer's
 * pages, and report what it holds. Slots keep the handles (addresses, ByteBuf or ByteBuffer objects) in
 * arrays sized once, so that a replay allocates nothing on the Java heap beyond what the allocator itself
 * allocates.
 */
public interface BenchAllocator extends AutoCloseable
{
    /** Bytes between two writes when a buffer is touched: one write per 4 KiB page. */
    int PAGE = 4096;

    /** @return the allocator's name as shown in tables (for example {@code "tlsf+guards"}). */
    String name();

    /** @return every setting that differs from nothing, in words, for the report. */
    String settings();

    /** @return {@code "carve"} or {@code "peer"}. */
    String kind();

    /**
     * Allocates {@code len} bytes into {@code slot}.
     *
     * @param slot a slot in {@code [0, slots)} that holds nothing.
     * @param len  bytes, {@code > 0}.
     * @return {@code false} if the allocator refused (a full pool); the slot then holds nothing.
     */
    boolean allocate(int slot, long len);

    /**
     * Frees what {@code slot} holds; does nothing if it holds nothing (a refused allocation).
     *
     * @param slot the slot.
     */
    void free(int slot);

    /**
     * Writes one byte per 4 KiB page of the buffer in {@code slot}, as a decoder writing its output would.
     *
     * @param slot a slot that holds a buffer of {@code len} bytes.
     * @param len  the buffer's length.
     */
    void touch(int slot, long len);

    /**
     * The bytes the allocator holds now for live buffers and its own caches: Carve's policy-used bytes,
     * Netty's used direct memory, the live lengths for malloc and direct buffers (whose allocator overhead
     * is not visible). Not for hot paths.
     *
     * @return bytes.
     */
    long occupancyBytes();

    /**
     * Whether {@link #occupancyBytes()} shows the allocator's own holdings (Carve, Netty) rather than only
     * the live requested bytes (malloc, direct buffers).
     *
     * @return {@code true} if occupancy is a footprint figure.
     */
    default boolean showsOccupancy()
    {
        return true;
    }

    /**
     * Internal waste now: bytes the allocator holds for live buffers over the bytes requested, minus 1.
     * Not for hot paths.
     *
     * @return the ratio minus one, or NaN (the default) when the allocator does not show it.
     */
    default double internalWaste()
    {
        return Double.NaN;
    }

    /**
     * External fragmentation now: {@code 1 - largest free extent / free bytes}.
     *
     * @return the value, or NaN (the default) when the allocator has no fixed free space to measure.
     */
    default double externalFragmentation()
    {
        return Double.NaN;
    }

    /** Frees whatever is still live and releases the allocator's memory. */
    @Override
    void close();
}
