package io.carve.pool.policy.tlsf;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.BlockVisitor;
import io.carve.pool.policy.MetricSink;
import io.carve.pool.policy.PolicyFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.carve.pool.policy.tlsf.BlockDescriptor.LIVE;
import static io.carve.pool.policy.tlsf.BlockDescriptor.RECORD_BYTES;
import static io.carve.pool.policy.tlsf.BlockDescriptor.RECORD_SHIFT;
import static io.carve.pool.policy.tlsf.BlockDescriptor.UNUSED;
import static io.carve.pool.policy.tlsf.BlockDescriptor.freeLinks;
import static io.carve.pool.policy.tlsf.BlockDescriptor.isFree;
import static io.carve.pool.policy.tlsf.BlockDescriptor.markLive;
import static io.carve.pool.policy.tlsf.BlockDescriptor.markUnused;
import static io.carve.pool.policy.tlsf.BlockDescriptor.nextFree;
import static io.carve.pool.policy.tlsf.BlockDescriptor.nextPhys;
import static io.carve.pool.policy.tlsf.BlockDescriptor.nextUnused;
import static io.carve.pool.policy.tlsf.BlockDescriptor.offset;
import static io.carve.pool.policy.tlsf.BlockDescriptor.phys;
import static io.carve.pool.policy.tlsf.BlockDescriptor.prevFree;
import static io.carve.pool.policy.tlsf.BlockDescriptor.prevPhys;
import static io.carve.pool.policy.tlsf.BlockDescriptor.size;
import static io.carve.pool.policy.tlsf.BlockDescriptor.state;

/**
 * Two-level segregated fit (TLSF, after Masmano et al.) over {@code [0, capacity)} with out-of-band metadata:
 * allocate and free in constant time whatever the number of live blocks, immediate coalescing, good fit.
 *
 * <h2>Notation</h2>
 * <pre>
 *   n        a block or request size in bytes, n &gt;= 1
 *   SL       second-level count, a power of two 2^s in [4, 64] (default 32, s = 5)
 *   M        minimum block size, a power of two (default max(128, profile start alignment))
 *   a        requested alignment, a power of two
 *   fl(n)    first-level index  = floor(log2 n)            = 63 - numberOfLeadingZeros(n)
 *   sl(n)    second-level index = floor(n / 2^(fl - s)) - SL   when fl &gt;= s
 *                               = n * 2^(s - fl) - SL          when fl &lt;  s (one size per list)
 *   list(n)  = fl(n) * SL + sl(n), the id of the list's sentinel record
 * </pre>
 * List {@code (fl, sl)} holds the free blocks with sizes in
 * {@code [(SL + sl) * 2^(fl - s), (SL + sl + 1) * 2^(fl - s))}: each power of two is cut into SL lists of
 * equal width, so a list is at most {@code n / SL} wide (about 3% for SL = 32). For example, with SL = 32
 * a 1080p NV12 segment of 3,110,432 bytes has fl = 21, sl = floor(3,110,432 / 65,536) - 32 = 15: list
 * (21, 15) holds sizes in [3,080,192, 3,145,728).
 *
 * <h2>Metadata (no object per block, nothing on the managed memory)</h2>
 * One {@code long[]} of 32-byte records, laid out by {@link BlockDescriptor}, holds every block and every
 * list head; a radix tree ({@link BlockIndex}) finds a live block's record from its offset.
 * <pre>
 *   id                       record (4 longs)                                   what
 *   0 .. L-1                 -, -, -, prevFree|nextFree                         list sentinels: L = (fl(capacity) + 1) * SL
 *   L  (boundary)            capacity, 0, last|first, LIVE                      the ends of the physical chain
 *   L+1 ..                   offset, size, prevPhys|nextPhys, prevFree|nextFree  blocks, FREE or LIVE
 *                                                                   or UNUSED|next recycled id
 *
 *   slBitmaps  long[64]      bit sl of word fl set iff list (fl, sl) is non-empty
 *   flBitmap   long          bit fl set iff slBitmaps[fl] != 0
 *   index      BlockIndex    offset &gt;&gt;&gt; G -&gt; id of the live block starting there (two loads)
 * </pre>
 * Free lists are circular and doubly linked through a sentinel record per list, and the physical chain is
 * circular through the boundary record, which is marked LIVE: so no link update tests for an end, and no
 * merge tests for a missing neighbour. Ids of merged-away blocks are recycled; the array doubles only when
 * every id is in use.
 *
 * <h2>Allocation of n bytes at alignment a</h2>
 * <ol>
 *   <li>Good fit: round n up to the next list boundary, {@code n' = n + 2^(fl(n) - s) - 1}, so that every
 *       block of list(n') and above holds n; take the head of the first non-empty list at or above it,
 *       found with one {@code numberOfTrailingZeros} on the second-level word and, if that is empty, one
 *       on the first-level word.</li>
 *   <li>If that block cannot hold n at alignment a, repeat the search for {@code n + a - 1}: any block
 *       found then fits whatever its alignment gap.</li>
 *   <li>If nothing was found, scan the lists from list(n) to list(n + a - 1) block by block. This is what
 *       makes exact fits succeed (the whole capacity, {@code allocate(largestFreeExtent(), 1)}); it costs
 *       the length of those lists and runs only when the pool is nearly out of blocks of that size. With
 *       the three steps an allocation fails only if no free block can hold n at alignment a.</li>
 *   <li>Carve the free block {@code [s, e)}, as below; the allocated block is marked LIVE and indexed by
 *       its offset.</li>
 * </ol>
 * <pre>
 *   g = -s &amp; (a - 1)                    gap in front of the first aligned offset
 *   k = min(max(n, M), e - s - g)        bytes to carve (at least M when the block allows)
 *   t = (e - k) &amp; -a                    highest aligned start that holds k
 *
 *   t - s &gt;= M:  top carving            s            t              e
 *                                       |---- FREE ----|---- LIVE ----|   the free block keeps its id
 *                                                        k + slack        and, unless its size crossed
 *                                                                         a list boundary, its list
 *   t - s &lt; M:   front carving         s  s+g                        e
 *                                       |g |---------- LIVE ----------|   a gap g &gt; 0 stays FREE under
 *                                                                         the block's id; g = 0: the
 *                                                                         block becomes LIVE whole
 * </pre>
 * Carving from the top is what makes the common case cheap: a large free block eaten from its top and
 * grown back by frees keeps its id, its links and, nearly always, its list and bitmap bits, so an
 * allocate+free pair touches no list. Whatever lies past {@code offset + k} in the carved block (the
 * slack, fewer than a bytes, or the remainder) becomes a free block of its own when it is at least M and
 * otherwise stays inside the allocated block, so {@code free} returns, and {@link #usedBytes()} counts, up
 * to {@code M - 1} bytes more than {@code max(n, M)}. An allocated block is at least M bytes unless the free
 * block it came from was smaller.
 *
 * <h2>The alignment-gap rule</h2>
 * No alignment gap is lost or left unaccounted, and no live block changes size between its {@code allocate}
 * and its {@code free} ({@link #blockSize(long)} is fixed):
 * <ul>
 *   <li>Top carving puts the gap at the end of the allocated block: fewer than a bytes, kept inside the
 *       block when fewer than M (always for a &lt;= M, the hot cases: a 3,110,432-byte segment at 128
 *       alignment holds 96 more bytes), returned to the free lists as a block of their own otherwise.</li>
 *   <li>Front carving has a leading gap {@code 0 < g < M}: it stays a free block of its own, smaller than M,
 *       in front of the new block (its physical predecessor is live, so the free blocks stay coalesced), and
 *       merges back when either neighbour is freed. It cannot stay inside the new block: the contract's walk
 *       reports every live block at the very offset {@code allocate} returned.</li>
 * </ul>
 * So one allocation takes at most {@code max(n, M) + M - 1} bytes into its block, and the accounting stays
 * exact: live and free extents tile {@code [0, capacity)}. Free blocks are at least M bytes except such gaps
 * (and a capacity below M).
 *
 * <h2>Free</h2>
 * The offset is looked up in the block index; an offset that is not the start of a live block is rejected
 * before anything changes. A free next neighbour leaves its list and its id is recycled; a free previous
 * neighbour takes the block (and the next) in, keeping its id and, unless its size crosses a list boundary,
 * its list; otherwise the block joins the head of its list.
 *
 * <h2>Complexity</h2>
 * <ul>
 *   <li>{@code allocate}: O(1) (two bit scans, list head, a constant number of link updates, one index
 *       store), except the exact-fit scan of step 3, bounded by the blocks in at most
 *       {@code list(n + a - 1) - list(n) + 1} lists.</li>
 *   <li>{@code free}, {@link #blockSize(long)}: O(1) (two dependent index loads, at most two merges).</li>
 *   <li>{@link #largestFreeExtent()}: the highest non-empty list by bit scan, then its blocks (usually one:
 *       the largest free blocks rarely share a list); exact.</li>
 *   <li>{@link #walk(BlockVisitor)}, {@link #verify()}: O(blocks + index leaves).</li>
 * </ul>
 * Neither {@code allocate} nor {@code free} allocates on the Java heap except when the record array
 * doubles or the index needs a leaf and has no spare (amortised; pre-size with
 * {@link Builder#initialBlocks(int)}).
 *
 * <h2>Overheads</h2>
 * <pre>
 *   per block (live or free)   32 bytes   (one record)
 *   per live block             + 4        (its entry in an index leaf)
 *   per index leaf             2,064 bytes, one per 2^(G+9) bytes of the pool (64 KiB at G = 7) where a live
 *                              block starts, plus up to max(64, root / 64) empty leaves kept for reuse
 *   per pool, fixed            32 * L (list sentinels) + 16 + 4 * ceil(capacity / 2^(G+9)) (index root)
 *                              + 65 * 8 (bitmaps): 48 KiB for 1 GiB with SL = 32
 * </pre>
 * See {@link #metadataBytesPerBlock()} and {@link #metadataBytes()}. Capacity is at most
 * {@link #MAX_CAPACITY} (2^62) bytes and {@link #MAX_BLOCKS} blocks.
 * <p>
 * Not thread-safe: the pool serialises calls.
 */
public final class TlsfPolicy implements AllocationPolicy
{
    /** The name reported in stats and messages. */
    public static final String NAME = "tlsf";

    /** The largest capacity: keeps every rounded request size and every list index inside a long. */
    public static final long MAX_CAPACITY = 1L << 62;

    /** The largest number of blocks (live and free) the record array can hold. */
    public static final int MAX_BLOCKS = 1 << 28;

    /** The default second-level count: lists about 1/32 of their power of two wide. */
    public static final int DEFAULT_SECOND_LEVEL_COUNT = 32;

    /** The default minimum block size when the profile's start alignment is not larger. */
    public static final long DEFAULT_MINIMUM_BLOCK_SIZE = 128;

    /** The default number of block records the array is created with. */
    public static final int DEFAULT_INITIAL_BLOCKS = 1024;

    /** No list, no block: what the searches return when they find nothing. */
    static final int NIL = -1;

    private static final int FIRST_LEVEL_COUNT = 64;

    private final long capacity;
    private final int slLog2;
    private final int slMask;
    private final long minimumBlockSize;
    private final int boundary;
    private final long[] slBitmaps = new long[FIRST_LEVEL_COUNT];
    private final BlockIndex index;
    private long flBitmap;
    private long[] records;
    private int idCapacity;
    private int highWater;
    private int unusedHead = NIL;
    private long usedBytes;
    private int liveBlocks;
    private int freeBlocks;

    /**
     * A policy with one free block over {@code [0, capacity)}; the builder has validated the arguments.
     */
    TlsfPolicy(final long capacity, final int secondLevelCount, final long minimumBlockSize, final int initialBlocks)
    {
        assert capacity > 0 && capacity <= MAX_CAPACITY;
        assert Align.isPowerOfTwo(secondLevelCount) && secondLevelCount <= 64;
        this.capacity = capacity;
        this.slLog2 = Integer.numberOfTrailingZeros(secondLevelCount);
        this.slMask = secondLevelCount - 1;
        this.minimumBlockSize = minimumBlockSize;
        this.boundary = (64 - Long.numberOfLeadingZeros(capacity)) << slLog2;
        this.idCapacity = (int)Math.min(boundary + 1L + Math.max(2, initialBlocks), boundary + 1L + MAX_BLOCKS);
        this.records = new long[idCapacity << RECORD_SHIFT];
        this.index = new BlockIndex(capacity, Long.numberOfTrailingZeros(minimumBlockSize));

        final long[] r = records;
        for (int list = 0; list < boundary; list++)
        {
            freeLinks(r, list, list, list);
        }
        final int first = boundary + 1;
        highWater = first + 1;
        offset(r, boundary, capacity);
        size(r, boundary, 0);
        phys(r, boundary, first, first);
        markLive(r, boundary);
        offset(r, first, 0);
        size(r, first, capacity);
        phys(r, first, boundary, boundary);
        insertFree(r, first, listOf(capacity, slLog2));
    }

    /**
     * A builder with the defaults: 32 second-level lists, minimum block {@code max(128, start alignment)},
     * 1024 block records to start with.
     *
     * @return a new builder, which is also the {@link PolicyFactory} to hand to the pool builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * The list index of a block or request size: {@code fl(n) * 2^slLog2 + sl(n)}.
     *
     * @param size   the size, {@code >= 1}.
     * @param slLog2 log2 of the second-level count.
     * @return the index into the lists, which is also the id of the list's sentinel record.
     */
    static int listOf(final long size, final int slLog2)
    {
        final int fl = 63 - Long.numberOfLeadingZeros(size);
        final int shift = fl - slLog2;
        final long top = shift >= 0 ? size >>> shift : size << -shift;
        return (fl << slLog2) | ((int)top & ((1 << slLog2) - 1));
    }

    /**
     * Whether two sizes map to one list: they agree on every bit from the first-level bit of {@code a} down
     * to its last second-level bit (cheaper than two {@link #listOf} calls).
     *
     * @param a      a size, {@code >= 1}.
     * @param b      another size, {@code >= 1}.
     * @param slLog2 log2 of the second-level count.
     * @return {@code listOf(a) == listOf(b)}.
     */
    static boolean sameList(final long a, final long b, final int slLog2)
    {
        final int shift = Math.max(0, 63 - Long.numberOfLeadingZeros(a) - slLog2);
        return ((a ^ b) >>> shift) == 0;
    }

    /**
     * The first list index whose every block holds {@code size}: the list of {@code size} rounded up to the
     * next list boundary.
     *
     * @param size   the request, {@code >= 1} and at most {@link #MAX_CAPACITY}.
     * @param slLog2 log2 of the second-level count.
     * @return the list index.
     */
    static int searchListOf(final long size, final int slLog2)
    {
        final int shift = 63 - Long.numberOfLeadingZeros(size) - slLog2;
        return listOf(shift > 0 ? size + (1L << shift) - 1 : size, slLog2);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public long capacity()
    {
        return capacity;
    }

    /**
     * The number of second-level lists per power of two.
     *
     * @return a power of two in {@code [4, 64]}.
     */
    public int secondLevelCount()
    {
        return slMask + 1;
    }

    /**
     * The minimum block size: no free block smaller than this is split off, and allocations smaller than
     * this are given this much.
     *
     * @return a power of two.
     */
    public long minimumBlockSize()
    {
        return minimumBlockSize;
    }

    /**
     * The smallest block an allocation is given (when the pool has a free block that large).
     *
     * @return {@link #minimumBlockSize()}.
     */
    public long minimumSegment()
    {
        return minimumBlockSize;
    }

    /**
     * The largest block a single allocation can be given: the whole capacity.
     *
     * @return {@link #capacity()}.
     */
    public long maximumSegment()
    {
        return capacity;
    }

    /**
     * Heap bytes of metadata per live block: its 32-byte record and its 4-byte entry in the block index. The
     * index's leaves come on top, 2,064 bytes per 2^(G+9)-byte region where a live block starts: shared by
     * the blocks of a region, a whole leaf for a block alone in its region (see the class documentation).
     *
     * @return 36.
     */
    public int metadataBytesPerBlock()
    {
        return RECORD_BYTES + Integer.BYTES;
    }

    @Override
    public long allocate(final long size, final long alignment)
    {
        if (size <= 0 | alignment <= 0 | (alignment & (alignment - 1)) != 0)
        {
            throw badRequest(size, alignment);
        }
        // Also keeps every sum below in range: size <= capacity <= 2^62 and alignment <= 2^62.
        if (size > capacity - usedBytes || liveBlocks + freeBlocks > MAX_BLOCKS - 2)
        {
            return NO_OFFSET;
        }
        int block = firstBlockFrom(searchListOf(size, slLog2));
        if (block == NIL || !fits(records, block, size, alignment))
        {
            block = alignedFit(size, alignment, block != NIL);
            if (block == NIL)
            {
                return NO_OFFSET;
            }
        }
        return carve(block, size, alignment);
    }

    private static IllegalArgumentException badRequest(final long size, final long alignment)
    {
        if (size <= 0)
        {
            return new IllegalArgumentException("size must be positive: size=" + size);
        }
        return new IllegalArgumentException("alignment must be a power of 2: alignment=" + alignment);
    }

    private static boolean fits(final long[] r, final int block, final long size, final long alignment)
    {
        return size(r, block) - (-offset(r, block) & (alignment - 1)) >= size;
    }

    /** Steps 2 and 3: a block that holds {@code size} at {@code alignment} when the good fit did not. */
    private int alignedFit(final long size, final long alignment, final boolean foundMisaligned)
    {
        if (foundMisaligned)
        {
            final long padded = size + alignment - 1;
            if (padded <= capacity - usedBytes)
            {
                final int block = firstBlockFrom(searchListOf(padded, slLog2));
                if (block != NIL)
                {
                    return block;
                }
            }
        }
        return scanForFit(size, alignment);
    }

    private int firstBlockFrom(final int list)
    {
        final int found = nonEmptyListFrom(list);
        return found == NIL ? NIL : nextFree(records, found);
    }

    private int nonEmptyListFrom(final int list)
    {
        int fl = list >>> slLog2;
        long slMap = slBitmaps[fl] & (-1L << (list & slMask));
        if (slMap == 0)
        {
            final long flMap = flBitmap & (-2L << fl);
            if (flMap == 0)
            {
                return NIL;
            }
            fl = Long.numberOfTrailingZeros(flMap);
            slMap = slBitmaps[fl];
        }
        return (fl << slLog2) | Long.numberOfTrailingZeros(slMap);
    }

    private int scanForFit(final long size, final long alignment)
    {
        final long[] r = records;
        final int last = listOf(size + alignment - 1, slLog2);
        int list = listOf(size, slLog2);
        while ((list = nonEmptyListFrom(list)) != NIL && list <= last)
        {
            for (int block = nextFree(r, list); block != list; block = nextFree(r, block))
            {
                if (fits(r, block, size, alignment))
                {
                    return block;
                }
            }
            list++;
        }
        return NIL;
    }

    private long carve(final int block, final long size, final long alignment)
    {
        // Kept small, with the rarer steps in methods of their own, so that the JIT inlines it into allocate.
        final long minimum = minimumBlockSize;
        final long[] r = records;
        final long start = offset(r, block);
        final long blockSize = size(r, block);
        final long end = start + blockSize;
        final long frontGap = -start & (alignment - 1);
        final long needed = Math.min(Math.max(size, minimum), blockSize - frontGap);
        final long top = (end - needed) & -alignment;
        // The live block starts at the highest aligned offset that leaves a free block of at least M in front,
        // else at the first aligned offset: a front gap (0 < g < M) stays a free block of its own, so no live
        // block ever changes size after its allocate.
        final long liveStart = top - start >= minimum ? top : start + frontGap;
        final int live = liveStart != start ? carveFromTop(block, blockSize, liveStart) : takeWhole(r, block);
        final long rest = end - liveStart - needed;
        final long liveSize = rest >= minimum ? splitTail(live, liveStart + needed, rest) : end - liveStart;
        final long[] grown = records;
        size(grown, live, liveSize);
        markLive(grown, live);
        index.add(grown, live, liveStart);
        usedBytes += liveSize;
        liveBlocks++;
        return liveStart;
    }

    /**
     * Top carving: the free block keeps its id and its front, and stays in its list unless its size class
     * changed (never, while a large free block is being eaten from its top).
     *
     * @return the id of the new block at {@code liveStart}, linked after the free block.
     */
    private int carveFromTop(final int block, final long blockSize, final long liveStart)
    {
        long[] r = records;
        final long front = liveStart - offset(r, block);
        if (!sameList(blockSize, front, slLog2))
        {
            unlinkFree(r, block);
            insertFree(r, block, listOf(front, slLog2));
        }
        final int live = newId();
        r = records;
        size(r, block, front);
        linkAfter(r, block, live);
        offset(r, live, liveStart);
        return live;
    }

    private int takeWhole(final long[] r, final int block)
    {
        unlinkFree(r, block);
        return block;
    }

    /**
     * Makes {@code [at, at + rest)}, the end of a block being carved, a free block of its own.
     *
     * @return the carved block's size, up to {@code at}.
     */
    private long splitTail(final int live, final long at, final long rest)
    {
        final int free = newId();
        final long[] r = records;
        linkAfter(r, live, free);
        offset(r, free, at);
        size(r, free, rest);
        insertFree(r, free, listOf(rest, slLog2));
        return at - offset(r, live);
    }

    @Override
    public long free(final long offset)
    {
        final long[] r = records;
        final int block = offset < 0 | offset >= capacity ? BlockIndex.MISSING : index.take(r, offset);
        if (block == BlockIndex.MISSING)
        {
            throw notLive(offset);
        }
        final long held = size(r, block);
        usedBytes -= held;
        liveBlocks--;

        long merged = held;
        final int next = nextPhys(r, block);
        if (isFree(r, next))
        {
            unlinkFree(r, next);
            merged += size(r, next);
            unlinkPhysical(r, next);
            recycle(r, next);
        }

        final int previous = prevPhys(r, block);
        if (isFree(r, previous))
        {
            // The free block before keeps its id and stays in its list unless its size class changes.
            final long previousSize = size(r, previous);
            final long grown = previousSize + merged;
            if (!sameList(previousSize, grown, slLog2))
            {
                unlinkFree(r, previous);
                insertFree(r, previous, listOf(grown, slLog2));
            }
            size(r, previous, grown);
            unlinkPhysical(r, block);
            recycle(r, block);
        }
        else
        {
            size(r, block, merged);
            insertFree(r, block, listOf(merged, slLog2));
        }
        return held;
    }

    /**
     * {@inheritDoc}
     * <p>
     * One index lookup, as {@code free} makes.
     */
    @Override
    public long blockSize(final long offset)
    {
        final long[] r = records;
        final int block = offset < 0 | offset >= capacity ? BlockIndex.MISSING : index.find(r, offset);
        if (block == BlockIndex.MISSING)
        {
            throw notLive(offset);
        }
        return size(r, block);
    }

    private static IllegalArgumentException notLive(final long offset)
    {
        return new IllegalArgumentException("not the offset of a live block: offset=" + offset);
    }

    /** Links {@code block} into the physical chain right after {@code before}. */
    private static void linkAfter(final long[] r, final int before, final int block)
    {
        final int next = nextPhys(r, before);
        phys(r, block, before, next);
        nextPhys(r, before, block);
        prevPhys(r, next, block);
    }

    /** Takes {@code block} out of the physical chain; its neighbours become adjacent. */
    private static void unlinkPhysical(final long[] r, final int block)
    {
        final int previous = prevPhys(r, block);
        final int next = nextPhys(r, block);
        nextPhys(r, previous, next);
        prevPhys(r, next, previous);
    }

    /** Puts a block at the head of a list, whose bitmap bits it sets. */
    private void insertFree(final long[] r, final int block, final int list)
    {
        final int first = nextFree(r, list);
        freeLinks(r, block, list, first);
        prevFree(r, first, block);
        nextFree(r, list, block);
        final int fl = list >>> slLog2;
        slBitmaps[fl] |= 1L << (list & slMask);
        flBitmap |= 1L << fl;
        freeBlocks++;
    }

    /** Takes a free block out of its list; the list's bits are cleared when it empties. */
    private void unlinkFree(final long[] r, final int block)
    {
        final int previous = prevFree(r, block);
        final int next = nextFree(r, block);
        nextFree(r, previous, next);
        prevFree(r, next, previous);
        if (previous == next)
        {
            // Both neighbours are the sentinel, whose id is the list's index: the list is now empty.
            final int fl = previous >>> slLog2;
            final long slMap = slBitmaps[fl] & ~(1L << (previous & slMask));
            slBitmaps[fl] = slMap;
            if (slMap == 0)
            {
                flBitmap &= ~(1L << fl);
            }
        }
        freeBlocks--;
    }

    private int newId()
    {
        final int id = unusedHead;
        if (id != NIL)
        {
            unusedHead = nextUnused(records, id);
            return id;
        }
        if (highWater == idCapacity)
        {
            growRecords();
        }
        return highWater++;
    }

    private void recycle(final long[] r, final int block)
    {
        markUnused(r, block, unusedHead);
        unusedHead = block;
    }

    private void growRecords()
    {
        // allocate() refuses before carving when fewer than two ids could be handed out, so this fits.
        final int grown = (int)Math.min(boundary + 1L + MAX_BLOCKS, 2L * idCapacity);
        assert grown > idCapacity;
        records = Arrays.copyOf(records, grown << RECORD_SHIFT);
        idCapacity = grown;
    }

    @Override
    public long usedBytes()
    {
        return usedBytes;
    }

    @Override
    public long freeBytes()
    {
        return capacity - usedBytes;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Exact: the largest block of the highest non-empty list, found by bit scan and a walk of that one list.
     */
    @Override
    public long largestFreeExtent()
    {
        if (flBitmap == 0)
        {
            return 0;
        }
        final long[] r = records;
        final int fl = 63 - Long.numberOfLeadingZeros(flBitmap);
        final int list = (fl << slLog2) | (63 - Long.numberOfLeadingZeros(slBitmaps[fl]));
        long largest = 0;
        for (int block = nextFree(r, list); block != list; block = nextFree(r, block))
        {
            largest = Math.max(largest, size(r, block));
        }
        return largest;
    }

    @Override
    public long freeExtentCount()
    {
        return freeBlocks;
    }

    @Override
    public long liveBlocks()
    {
        return liveBlocks;
    }

    @Override
    public void walk(final BlockVisitor visitor)
    {
        final long[] r = records;
        for (int block = nextPhys(r, boundary); block != boundary; block = nextPhys(r, block))
        {
            visitor.visit(offset(r, block), size(r, block), isFree(r, block) ? BlockState.FREE : BlockState.LIVE);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Walks the physical chain (tiling, back links, no two adjacent free blocks, live blocks found by the
     * index at their offset, the figures), then every free list (each block free, in the list its size maps
     * to, back links, bitmaps), then the recycled ids, checks that every id is accounted for exactly once,
     * and checks the index's own entries and counts.
     */
    @Override
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        final long[] r = records;
        final byte[] seen = new byte[highWater];
        final byte inChain = 1;
        final byte listed = 2;
        final byte recycled = 3;
        final int first = boundary + 1;

        if (state(r, boundary) != LIVE || offset(r, boundary) != capacity || size(r, boundary) != 0)
        {
            problems.add("boundary record damaged: state=" + state(r, boundary) + ", offset=" + offset(r, boundary)
                + ", size=" + size(r, boundary));
        }
        long position = 0;
        long used = 0;
        long largest = 0;
        int live = 0;
        int free = 0;
        boolean previousFree = false;
        int previous = boundary;
        int block = nextPhys(r, boundary);
        for (; block != boundary; block = nextPhys(r, block))
        {
            if (block < first || block >= highWater)
            {
                problems.add("physical link to an id out of range: id=" + block + ", after id=" + previous);
                break;
            }
            if (seen[block] != 0)
            {
                problems.add("physical chain has a cycle at id=" + block);
                break;
            }
            seen[block] = inChain;
            final int state = state(r, block);
            final long offset = offset(r, block);
            final long size = size(r, block);
            if (state == UNUSED)
            {
                problems.add("recycled id in the physical chain: id=" + block);
            }
            if (prevPhys(r, block) != previous)
            {
                problems.add("physical back link of id=" + block + " is " + prevPhys(r, block) + ", expected " + previous);
            }
            if (offset != position)
            {
                problems.add("blocks do not tile: expected offset=" + position + ", id=" + block + " has offset=" + offset);
            }
            if (size <= 0)
            {
                problems.add("block has no size: id=" + block + ", offset=" + offset + ", size=" + size);
            }
            final boolean isFree = state >= 0;
            if (isFree && previousFree)
            {
                problems.add("adjacent free blocks not coalesced at offset=" + offset);
            }
            if (isFree)
            {
                free++;
                largest = Math.max(largest, size);
            }
            else if (state == LIVE)
            {
                live++;
                used += size;
                if (offset < 0 || offset >= capacity || index.find(r, offset) != block)
                {
                    problems.add("live block not indexed by its offset: id=" + block + ", offset=" + offset);
                }
            }
            previousFree = isFree;
            previous = block;
            position = offset + size;
        }
        if (block == boundary && prevPhys(r, boundary) != previous)
        {
            problems.add("boundary's back link is " + prevPhys(r, boundary) + ", the last block is id=" + previous);
        }
        if (position != capacity)
        {
            problems.add("blocks end at " + position + ", capacity=" + capacity);
        }
        if (used != usedBytes)
        {
            problems.add("usedBytes=" + usedBytes + " but live blocks sum to " + used);
        }
        if (live != liveBlocks)
        {
            problems.add("liveBlocks=" + liveBlocks + " but the chain holds " + live);
        }
        if (free != freeBlocks)
        {
            problems.add("freeBlocks=" + freeBlocks + " but the chain holds " + free);
        }
        if (index.size() != liveBlocks)
        {
            problems.add("block index holds " + index.size() + " entries, liveBlocks=" + liveBlocks);
        }
        if (largest != largestFreeExtent())
        {
            problems.add("largestFreeExtent=" + largestFreeExtent() + " but the largest free block is " + largest);
        }

        verifyLists(r, problems, seen, inChain, listed);

        for (int id = first; id < highWater; id++)
        {
            if (seen[id] == inChain && isFree(r, id))
            {
                problems.add("free block in no free list: id=" + id + ", offset=" + offset(r, id));
            }
        }

        int unused = 0;
        for (int id = unusedHead; id != NIL; id = nextUnused(r, id))
        {
            if (id < first || id >= highWater || seen[id] != 0)
            {
                problems.add("recycled-id chain is broken at id=" + id);
                break;
            }
            seen[id] = recycled;
            if (state(r, id) != UNUSED)
            {
                problems.add("recycled id not marked unused: id=" + id);
            }
            unused++;
        }
        if (live + free + unused != highWater - first)
        {
            problems.add("ids unaccounted for: live=" + live + ", free=" + free + ", recycled=" + unused
                + ", handed out=" + (highWater - first));
        }
        index.verify(r, highWater, problems);
        return problems;
    }

    private void verifyLists(final long[] r, final List<String> problems, final byte[] seen, final byte inChain,
        final byte listed)
    {
        final int slCount = slMask + 1;
        for (int fl = 0; fl < FIRST_LEVEL_COUNT; fl++)
        {
            final long slMap = slBitmaps[fl];
            if ((slMap != 0) != ((flBitmap >>> fl & 1) != 0))
            {
                problems.add("first-level bit " + fl + " disagrees with its second-level word " + Long.toHexString(slMap));
            }
            if (slCount < 64 && slMap >>> slCount != 0)
            {
                problems.add("second-level word " + fl + " has bits past secondLevelCount: " + Long.toHexString(slMap));
            }
            if ((fl << slLog2) >= boundary)
            {
                if (slMap != 0)
                {
                    problems.add("second-level word " + fl + " marks lists above the capacity: " + Long.toHexString(slMap));
                }
                continue;
            }
            for (int sl = 0; sl < slCount; sl++)
            {
                final int list = (fl << slLog2) | sl;
                final boolean nonEmpty = nextFree(r, list) != list;
                if (nonEmpty != ((slMap >>> sl & 1) != 0))
                {
                    problems.add("bitmap bit of list (" + fl + ", " + sl + ") disagrees with its head id=" + nextFree(r, list));
                }
                int previous = list;
                int block = nextFree(r, list);
                for (; block != list; block = nextFree(r, block))
                {
                    if (block < boundary + 1 || block >= highWater || seen[block] != inChain || !isFree(r, block))
                    {
                        problems.add("list (" + fl + ", " + sl + ") holds id=" + block
                            + " which is not a free block of the chain, or is listed twice");
                        break;
                    }
                    seen[block] = listed;
                    if (prevFree(r, block) != previous)
                    {
                        problems.add("free-list back link of id=" + block + " is " + prevFree(r, block)
                            + ", expected " + previous);
                    }
                    final long size = size(r, block);
                    final int expected = listOf(size, slLog2);
                    if (expected != list)
                    {
                        problems.add("block id=" + block + " of size=" + size + " is in list (" + fl + ", " + sl
                            + ") but belongs in (" + (expected >>> slLog2) + ", " + (expected & slMask) + ")");
                    }
                    previous = block;
                }
                if (block == list && prevFree(r, list) != previous)
                {
                    problems.add("list (" + fl + ", " + sl + ") sentinel's back link is " + prevFree(r, list)
                        + ", its last block is id=" + previous);
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Figures: {@code tlsf.blocks} (live and free records in use), {@code tlsf.free.blocks},
     * {@code tlsf.block.capacity} (block records the array holds), {@code tlsf.index.leaves},
     * {@code tlsf.metadata.bytes}, {@code tlsf.second.level.count}, {@code tlsf.minimum.block.size}.
     */
    @Override
    public void metrics(final MetricSink sink)
    {
        sink.metric("tlsf.blocks", liveBlocks + freeBlocks);
        sink.metric("tlsf.free.blocks", freeBlocks);
        sink.metric("tlsf.block.capacity", idCapacity - boundary - 1);
        sink.metric("tlsf.index.leaves", index.leafCount());
        sink.metric("tlsf.metadata.bytes", metadataBytes());
        sink.metric("tlsf.second.level.count", slMask + 1);
        sink.metric("tlsf.minimum.block.size", minimumBlockSize);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The arrays as they are now: the records ({@code 32 * (L + 1 + block capacity)}, list sentinels and
     * boundary included), the block index (root, spare stack, leaves) and the bitmaps ({@code 8 * 65}).
     */
    @Override
    public long metadataBytes()
    {
        return (long)records.length * Long.BYTES + index.footprint() + (slBitmaps.length + 1L) * Long.BYTES;
    }

    /** The record array, for tests that corrupt it on purpose. */
    long[] records()
    {
        return records;
    }

    /** The second-level bitmaps, for tests that corrupt them on purpose. */
    long[] slBitmaps()
    {
        return slBitmaps;
    }

    /** The boundary record's id, which is also the number of lists. */
    int boundary()
    {
        return boundary;
    }

    @Override
    public String toString()
    {
        return "TlsfPolicy{capacity=" + capacity + ", secondLevelCount=" + (slMask + 1)
            + ", minimumBlockSize=" + minimumBlockSize + ", used=" + usedBytes + ", live=" + liveBlocks
            + ", freeBlocks=" + freeBlocks + '}';
    }

    /**
     * Configures and creates {@link TlsfPolicy} instances; hand a configured builder to the pool builder as its
     * {@link PolicyFactory}. Setters validate at once; the builder may create any number of policies.
     */
    public static final class Builder implements PolicyFactory
    {
        private static final long MAX_MINIMUM_BLOCK_SIZE = 1L << 30;
        private static final long MIN_MINIMUM_BLOCK_SIZE = 16;

        private int secondLevelCount = DEFAULT_SECOND_LEVEL_COUNT;
        private long minimumBlockSize;
        private int initialBlocks = DEFAULT_INITIAL_BLOCKS;

        private Builder()
        {
        }

        /**
         * The number of second-level lists per power of two: more lists, closer fit, larger heads array.
         *
         * @param secondLevelCount a power of two in {@code [4, 64]}; default 32.
         * @return this builder.
         * @throws IllegalArgumentException otherwise.
         */
        public Builder secondLevelCount(final int secondLevelCount)
        {
            if (!Align.isPowerOfTwo(secondLevelCount) || secondLevelCount < 4 || secondLevelCount > 64)
            {
                throw new IllegalArgumentException(
                    "secondLevelCount must be a power of 2 in [4, 64]: secondLevelCount=" + secondLevelCount);
            }
            this.secondLevelCount = secondLevelCount;
            return this;
        }

        /**
         * The minimum block size: remainders smaller than this stay inside the allocated block, and alignment
         * gaps smaller than this go to the previous block.
         *
         * @param minimumBlockSize a power of two in {@code [16, 2^30]}; default
         *                         {@code max(128, profile start alignment)}.
         * @return this builder.
         * @throws IllegalArgumentException otherwise.
         */
        public Builder minimumBlockSize(final long minimumBlockSize)
        {
            if (!Align.isPowerOfTwo(minimumBlockSize) || minimumBlockSize < MIN_MINIMUM_BLOCK_SIZE
                || minimumBlockSize > MAX_MINIMUM_BLOCK_SIZE)
            {
                throw new IllegalArgumentException(
                    "minimumBlockSize must be a power of 2 in [16, 2^30]: minimumBlockSize=" + minimumBlockSize);
            }
            this.minimumBlockSize = minimumBlockSize;
            return this;
        }

        /**
         * The number of block records the record array is sized for at creation;
         * it doubles when exceeded.
         *
         * @param initialBlocks in {@code [1, MAX_BLOCKS]}; default 1024.
         * @return this builder.
         * @throws IllegalArgumentException otherwise.
         */
        public Builder initialBlocks(final int initialBlocks)
        {
            if (initialBlocks < 1 || initialBlocks > MAX_BLOCKS)
            {
                throw new IllegalArgumentException(
                    "initialBlocks must be in [1, " + MAX_BLOCKS + "]: initialBlocks=" + initialBlocks);
            }
            this.initialBlocks = initialBlocks;
            return this;
        }

        @Override
        public String name()
        {
            return NAME;
        }

        /**
         * Creates a policy over {@code [0, capacity)}.
         *
         * @param capacity the bytes to manage, in {@code [1, MAX_CAPACITY]}.
         * @param profile  the pool's alignment profile; its start alignment raises the default minimum block.
         * @return a new, empty policy.
         * @throws IllegalArgumentException if capacity is out of range or profile is null.
         */
        @Override
        public TlsfPolicy create(final long capacity, final AlignmentProfile profile)
        {
            if (capacity <= 0 || capacity > MAX_CAPACITY)
            {
                throw new IllegalArgumentException("capacity must be in [1, 2^62]: capacity=" + capacity);
            }
            if (profile == null)
            {
                throw new IllegalArgumentException("profile must not be null: profile=null");
            }
            final long minimum = minimumBlockSize != 0 ?
                minimumBlockSize : Math.max(DEFAULT_MINIMUM_BLOCK_SIZE, profile.startAlignment());
            return new TlsfPolicy(capacity, secondLevelCount, minimum, initialBlocks);
        }

        @Override
        public String toString()
        {
            return NAME + "{secondLevelCount=" + secondLevelCount + ", minimumBlockSize="
                + (minimumBlockSize != 0 ? Long.toString(minimumBlockSize) : "default") + ", initialBlocks="
                + initialBlocks + '}';
        }
    }
}
