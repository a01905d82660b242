package io.carve.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Where every segment's {@link SegmentRecord} lives: a radix table indexed by the segment's offset, so that
 * finding a record is three dependent loads and no hashing, and any thread may read or compare-and-set a
 * record without the pool's lock (jemalloc's rtree and mimalloc's segment map do the same for their
 * block headers).
 *
 * <h2>Layout</h2>
 * <pre>
 *   capacity &lt;= 64 GiB:   flat[offset &gt;&gt;&gt; 14]  ---&gt;  long[512] (16 KiB of offsets, 4 KiB of heap)
 *                         entry = (offset &gt;&gt;&gt; 5) &amp; 511
 *
 *   larger pools:         tops[offset &gt;&gt;&gt; 30] ---&gt; leaves[65536] (1 GiB of offsets) ---&gt; long[512]
 * </pre>
 * Pools up to 64 GiB (every vendor block fits: the media address space is 16 GB) take a flat directory of
 * {@code capacity / 16 KiB} references when built, so a lookup is two dependent loads; larger pools add a
 * level, created on first use.
 * One entry per 32-byte granule: every segment is a multiple of 32 bytes and at least 32, so two live
 * segments never start in the same granule, and a record's offset is its entry's granule. Leaf arrays and
 * leaf directories are created on first use, under the pool's lock, and are never removed while the pool
 * is open; a frame pool touches a leaf per frame, a pool dense with small segments a leaf per 16 KiB.
 * <pre>
 *   heap bytes ~ 4 KiB per touched 16 KiB range  +  4 * capacity / 16 KiB   (pools up to 64 GiB)
 * </pre>
 *
 * <h2>Threading</h2>
 * Directories and leaves are published with release stores and read with plain loads (see {@link #leaf});
 * entries are read with acquire loads and changed with release stores or compare-and-set. Who may change an entry, and
 * when, is the pool's protocol (see {@link CarvedSegmentPool}); the table itself only guarantees that every
 * access is atomic and that a record stored before an address was handed out is seen by the thread that
 * frees it.
 */
final class SegmentTable
{
    static final int GRANULE_SHIFT = 5;
    private static final int ENTRY_BITS = 9;
    private static final int LEAF_BITS = 16;
    private static final int LEAF_ENTRIES = 1 << ENTRY_BITS;
    private static final int TOP_SHIFT = GRANULE_SHIFT + ENTRY_BITS + LEAF_BITS;
    private static final long LEAF_SPAN = 1L << (GRANULE_SHIFT + ENTRY_BITS);

    private static final VarHandle TOPS = MethodHandles.arrayElementVarHandle(long[][][].class);
    private static final VarHandle LEAVES = MethodHandles.arrayElementVarHandle(long[][].class);
    private static final VarHandle ENTRIES = MethodHandles.arrayElementVarHandle(long[].class);

    /** Receives each record of a walk. */
    @FunctionalInterface
    interface RecordVisitor
    {
        void record(long offset, long record);
    }

    /** The largest capacity with a flat directory: 2^22 leaf references, 16 MiB of heap at most. */
    static final long FLAT_CAPACITY = 1L << 36;

    private final long capacity;
    /** The directory of leaves when {@code capacity <= FLAT_CAPACITY}, else null. */
    private final long[][] flat;
    /** The directory of directories of larger pools, else null. */
    private final long[][][] tops;
    private long leafCount;

    SegmentTable(final long capacity)
    {
        assert capacity > 0;
        this.capacity = capacity;
        if (capacity <= FLAT_CAPACITY)
        {
            this.flat = new long[(int)((capacity - 1) / LEAF_SPAN) + 1][];
            this.tops = null;
        }
        else
        {
            this.flat = null;
            this.tops = new long[(int)((capacity - 1) >>> TOP_SHIFT) + 1][][];
        }
    }

    /** The record at {@code offset}, {@link SegmentRecord#EMPTY} when no leaf covers it yet. */
    long get(final long offset)
    {
        final long[] leaf = leaf(offset);
        return leaf == null ? SegmentRecord.EMPTY : (long)ENTRIES.getAcquire(leaf, entry(offset));
    }

    /** The record at {@code entry} of a leaf found by {@link #leaf(long)}. */
    static long get(final long[] leaf, final int entry)
    {
        return (long)ENTRIES.getAcquire(leaf, entry);
    }

    /** {@link #set(long, long)} on a leaf found by {@link #leaf(long)}. */
    static void set(final long[] leaf, final int entry, final long record)
    {
        ENTRIES.setRelease(leaf, entry, record);
    }

    /** {@link #compareAndSet(long, long, long)} on a leaf found by {@link #leaf(long)}. */
    static boolean compareAndSet(final long[] leaf, final int entry, final long expected, final long record)
    {
        return ENTRIES.compareAndSet(leaf, entry, expected, record);
    }

    /** Stores a record; the offset's leaf must exist ({@link #install(long)}). */
    void set(final long offset, final long record)
    {
        ENTRIES.setRelease(leaf(offset), entry(offset), record);
    }

    /** Replaces {@code expected} with {@code record}; false, and nothing changed, if the entry differs. */
    boolean compareAndSet(final long offset, final long expected, final long record)
    {
        final long[] leaf = leaf(offset);
        return leaf != null && ENTRIES.compareAndSet(leaf, entry(offset), expected, record);
    }

    /**
     * Makes sure the entry of {@code offset} exists; the caller holds the pool's lock (the only writer of
     * the directories). Allocates the first time a 16 KiB range is used, never afterwards.
     */
    void install(final long offset)
    {
        assert offset >= 0 && offset < capacity;
        if (flat != null)
        {
            final int index = (int)(offset / LEAF_SPAN);
            if (LEAVES.getAcquire(flat, index) == null)
            {
                LEAVES.setRelease(flat, index, new long[LEAF_ENTRIES]);
                leafCount++;
            }
            return;
        }
        final int top = (int)(offset >>> TOP_SHIFT);
        long[][] leaves = (long[][])TOPS.getAcquire(tops, top);
        if (leaves == null)
        {
            final long first = (long)top << TOP_SHIFT;
            final long span = Math.min(capacity - first, 1L << TOP_SHIFT);
            leaves = new long[(int)((span - 1) / LEAF_SPAN) + 1][];
            TOPS.setRelease(tops, top, leaves);
        }
        final int index = leafIndex(offset);
        if (LEAVES.getAcquire(leaves, index) == null)
        {
            LEAVES.setRelease(leaves, index, new long[LEAF_ENTRIES]);
            leafCount++;
        }
    }

    /** Visits every entry that is not {@link SegmentRecord#EMPTY}, in ascending offset order. */
    void forEach(final RecordVisitor visitor)
    {
        if (flat != null)
        {
            visitLeaves(flat, 0, visitor);
            return;
        }
        for (int top = 0; top < tops.length; top++)
        {
            final long[][] leaves = (long[][])TOPS.getAcquire(tops, top);
            if (leaves != null)
            {
                visitLeaves(leaves, (long)top << TOP_SHIFT, visitor);
            }
        }
    }

    private static void visitLeaves(final long[][] leaves, final long first, final RecordVisitor visitor)
    {
        for (int l = 0; l < leaves.length; l++)
        {
            final long[] leaf = (long[])LEAVES.getAcquire(leaves, l);
            if (leaf == null)
            {
                continue;
            }
            final long base = first + l * LEAF_SPAN;
            for (int e = 0; e < LEAF_ENTRIES; e++)
            {
                final long record = (long)ENTRIES.getAcquire(leaf, e);
                if (record != SegmentRecord.EMPTY)
                {
                    visitor.record(base + ((long)e << GRANULE_SHIFT), record);
                }
            }
        }
    }

    /**
     * The start of the live segment that contains {@code offset} without starting there, or -1: a backward
     * scan over at most {@code longestSegment} bytes, skipping ranges no leaf covers. For error messages.
     */
    long findContaining(final long offset, final long longestSegment)
    {
        final long low = Math.max(0, offset - longestSegment);
        long start = ((offset - 1) >> GRANULE_SHIFT) << GRANULE_SHIFT;
        while (start >= low)
        {
            final long[] leaf = leaf(start);
            if (leaf == null)
            {
                start = (start & -LEAF_SPAN) - (1L << GRANULE_SHIFT);
                continue;
            }
            final long record = (long)ENTRIES.getAcquire(leaf, entry(start));
            if (!SegmentRecord.isEmpty(record))
            {
                return start + SegmentRecord.segmentSize(record) > offset && SegmentRecord.isLive(record) ? start : -1;
            }
            start -= 1L << GRANULE_SHIFT;
        }
        return -1;
    }

    /** Heap bytes held: directories and leaves. */
    long metadataBytes()
    {
        long bytes;
        if (flat != null)
        {
            bytes = 16L + 4L * flat.length;
        }
        else
        {
            bytes = 16L + 4L * tops.length;
            for (final long[][] leaves : tops)
            {
                if (leaves != null)
                {
                    bytes += 16L + 4L * leaves.length;
                }
            }
        }
        return bytes + leafCount * (16L + 8L * LEAF_ENTRIES);
    }

    /**
     * The leaf holding the entry of {@code offset}, or null when none does yet: with {@link #entry(long)}, the
     * way to read and then compare-and-set one record with a single lookup.
     */
    long[] leaf(final long offset)
    {
        // Plain loads: a directory is installed before any record in it is stored, and a record reaches the
        // thread that reads it through a happens-before edge (the pool lock, or the caller handing the
        // address over) that also covers the installation. A racing reader with no such edge (an invalid
        // free of an address nobody holds) may see null and report the address as no segment: correct.
        final long[][] flat = this.flat;
        if (flat != null)
        {
            return flat[(int)(offset >>> (GRANULE_SHIFT + ENTRY_BITS))];
        }
        final long[][] leaves = tops[(int)(offset >>> TOP_SHIFT)];
        return leaves == null ? null : leaves[leafIndex(offset)];
    }

    private static int leafIndex(final long offset)
    {
        return (int)(offset >>> (GRANULE_SHIFT + ENTRY_BITS)) & ((1 << LEAF_BITS) - 1);
    }

    /** The index of the entry of {@code offset} within its leaf. */
    static int entry(final long offset)
    {
        return (int)(offset >>> GRANULE_SHIFT) & (LEAF_ENTRIES - 1);
    }
}
