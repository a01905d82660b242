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
 *   list(n)  = fl(n) * SL + sl(n), an index into heads
 * </pre>
 * List {@code (fl, sl)} holds the free blocks with sizes in
 * {@code [(SL + sl) * 2^(fl - s), (SL + sl + 1) * 2^(fl - s))}: each power of two is cut into SL lists of
 * equal width, so a list is at most {@code n / SL} wide (about 3% for SL = 32). For example, with SL = 32
 * a 1080p NV12 segment of 3,110,432 bytes has fl = 21, sl = floor(3,110,432 / 65,536) - 32 = 15: list
 * (21, 15) holds sizes in [3,080,192, 3,145,728).
 *
 * <h2>Metadata (no object per block, nothing on the managed memory)</h2>
 * <pre>
 *  block id b | extents: long[2 * blocks]  | links: int[4 * blocks]
 *             |  [2b]      [2b+1]          |  [4b]       [4b+1]      [4b+2]      [4b+3]
 *  -----------+----------------------------+------------------------------------------------
 *      0      |  offset    size            |  prevPhys   nextPhys    prevFree    nextFree
 *      1      |  offset    size            |  prevPhys   nextPhys    prevFree    nextFree
 *     ...     |                            |
 *
 *  prevFree doubles as the state:  &gt;= 0 previous block of its free list  \  FREE
 *                                   -1 head of its free list (NIL)        /
 *                                   -2 LIVE
 *                                   -3 UNUSED (a recycled id; nextFree chains the recycled ids)
 *
 *  heads      int[64 * SL]   first block id of list (fl, sl) at fl * SL + sl, or -1
 *  slBitmaps  long[64]       bit sl of word fl set iff list (fl, sl) is non-empty
 *  flBitmap   long           bit fl set iff slBitmaps[fl] != 0
 *  index      int[slots]     OffsetIndex: offset of a live block -&gt; its id (open addressing,
 *                            the key is read back from extents; at most half full)
 * </pre>
 * A block's record is 32 bytes in two 16-byte slices that never straddle a cache line. Id 0 is the block
 * at offset 0 for the policy's whole life (carving keeps the front of a free block under its id, and a freed
 * block merges into the free block before it, never the other way round): walks start there. Ids of
 * merged-away blocks are recycled; the arrays double only when every id is in use.
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
 * The offset is looked up (and removed) in the index; an offset that is not the start of a live block is
 * rejected before anything changes. A free next neighbour leaves its list and its id is recycled; a free
 * previous neighbour takes the block (and the next) in, keeping its id and, unless its size crosses a list
 * boundary, its list; otherwise the block joins the head of its list.
 *
 * <h2>Complexity</h2>
 * <ul>
 *   <li>{@code allocate}: O(1) (two bit scans, list head, a constant number of link updates, one index
 *       insertion), except the exact-fit scan of step 3, bounded by the blocks in at most
 *       {@code list(n + a - 1) - list(n) + 1} lists.</li>
 *   <li>{@code free}: O(1) expected (one index removal, at most two merges).</li>
 *   <li>{@link #largestFreeExtent()}: the highest non-empty list by bit scan, then its blocks (usually one:
 *       the largest free blocks rarely share a list); exact.</li>
 *   <li>{@link #walk(BlockVisitor)}, {@link #verify()}: O(blocks).</li>
 * </ul>
 * Neither {@code allocate} nor {@code free} allocates on the Java heap except when the block arrays or the
 * index double (amortised; pre-size with {@link Builder#initialBlocks(int)}).
 *
 * <h2>Overheads</h2>
 * <pre>
 *   per block (live or free)   32 bytes   (extents 16 + links 16)
 *   per live block             + 8..16    (index slots of 4 bytes, the table kept between a quarter and
 *                                          half full once it has grown)
 *   per pool, fixed            64 * SL * 4 + 65 * 8 bytes  (heads and bitmaps: 8,712 bytes for SL = 32)
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

    /** The largest number of blocks (live and free) the metadata arrays can hold. */
    public static final int MAX_BLOCKS = 1 << 28;

    /** The default second-level count: lists about 1/32 of their power of two wide. */
    public static final int DEFAULT_SECOND_LEVEL_COUNT = 32;

    /** The default minimum block size when the profile's start alignment is not larger. */
    public static final long DEFAULT_MINIMUM_BLOCK_SIZE = 128;

    /** The default number of block records the arrays are created with. */
    public static final int DEFAULT_INITIAL_BLOCKS = 1024;

    /** The fixed bytes of one block record: offset and size (2 longs), four links (4 ints). */
    static final int RECORD_BYTES = 2 * Long.BYTES + 4 * Integer.BYTES;

    /** No block: the end of a list or chain; as a block's prevFree, a free block at the head of its list. */
    static final int NIL = -1;
    /** A block's prevFree when it is live. */
    static final int LIVE = -2;
    /** A block's prevFree when its id is recycled. */
    static final int UNUSED = -3;

    private static final int FIRST_LEVEL_COUNT = 64;
    private static final int PREV_PHYS = 0;
    private static final int NEXT_PHYS = 1;
    private static final int PREV_FREE = 2;
    private static final int NEXT_FREE = 3;

    private final long capacity;
    private final int slLog2;
    private final int slMask;
    private final long minimumBlockSize;
    private final int[] heads;
    private final long[] slBitmaps = new long[FIRST_LEVEL_COUNT];
    private final OffsetIndex index;
    private long flBitmap;
    private long[] extents;
    private int[] links;
    private int blockCapacity;
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
        this.heads = new int[FIRST_LEVEL_COUNT << slLog2];
        Arrays.fill(heads, NIL);
        this.blockCapacity = Math.max(2, initialBlocks);
        this.extents = new long[blockCapacity << 1];
        this.links = new int[blockCapacity << 2];
        this.index = new OffsetIndex(initialBlocks);

        final int first = newId();
        assert first == 0;
        extents[0] = 0;
        extents[1] = capacity;
        links[PREV_PHYS] = NIL;
        links[NEXT_PHYS] = NIL;
        insertFree(first, listOf(capacity, slLog2));
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
     * @return the index into the heads array.
     */
    static int listOf(final long size, final int slLog2)
    {
        final int fl = 63 - Long.numberOfLeadingZeros(size);
        final int shift = fl - slLog2;
        final long top = shift >= 0 ? size >>> shift : size << -shift;
        return (fl << slLog2) | ((int)top & ((1 << slLog2) - 1));
    }

    /**
     * The first list index whose every block holds {@code size}: the list of {@code size} rounded up to the
     * next list boundary.
     *
     * @param size   the request, {@code >= 1} and at most {@link #MAX_CAPACITY}.
     * @param slLog2 log2 of the second-level count.
     * @return the index into the heads array.
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
     * Heap bytes of metadata per live block at most: its 32-byte record plus its share of the offset index
     * when the index has just doubled (a quarter full, 16 bytes an entry). A free block costs its record only.
     *
     * @return 48.
     */
    public int metadataBytesPerBlock()
    {
        return RECORD_BYTES + 4 * Integer.BYTES;
    }

    @Override
    public long allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        // Also keeps every sum below in range: size <= capacity <= 2^62 and alignment <= 2^62.
        if (size > capacity - usedBytes || liveBlocks + freeBlocks > MAX_BLOCKS - 2)
        {
            return NO_OFFSET;
        }

        final int slLog2 = this.slLog2;
        int block = firstBlockFrom(searchListOf(size, slLog2));
        if (block != NIL && alignment > 1 && !fits(block, size, alignment))
        {
            block = NIL;
            final long padded = size + alignment - 1;
            if (padded <= capacity - usedBytes)
            {
                block = firstBlockFrom(searchListOf(padded, slLog2));
            }
        }
        if (block == NIL)
        {
            block = scanForFit(size, alignment);
            if (block == NIL)
            {
                return NO_OFFSET;
            }
        }
        return carve(block, size, alignment);
    }

    private boolean fits(final int block, final long size, final long alignment)
    {
        final long[] extents = this.extents;
        final long gap = -extents[block << 1] & (alignment - 1);
        return extents[(block << 1) + 1] - gap >= size;
    }

    private int firstBlockFrom(final int list)
    {
        final int found = nonEmptyListFrom(list);
        return found == NIL ? NIL : heads[found];
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
        final int last = listOf(size + alignment - 1, slLog2);
        final long[] extents = this.extents;
        final int[] links = this.links;
        int list = listOf(size, slLog2);
        while ((list = nonEmptyListFrom(list)) != NIL && list <= last)
        {
            for (int block = heads[list]; block != NIL; block = links[(block << 2) + NEXT_FREE])
            {
                final long gap = -extents[block << 1] & (alignment - 1);
                if (extents[(block << 1) + 1] - gap >= size)
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
        final int slLog2 = this.slLog2;
        final long minimum = this.minimumBlockSize;
        long[] extents = this.extents;
        int[] links = this.links;

        final long start = extents[block << 1];
        final long blockSize = extents[(block << 1) + 1];
        final long end = start + blockSize;
        final long frontGap = -start & (alignment - 1);
        final long needed = Math.min(Math.max(size, minimum), blockSize - frontGap);
        final long top = (end - needed) & -alignment;

        // The live block starts at the highest aligned offset that leaves a free block of at least M in front,
        // else at the first aligned offset: a front gap (0 < g < M) stays a free block of its own, so no live
        // block ever changes size after its allocate.
        final long liveStart = top - start >= minimum ? top : start + frontGap;
        final int live;
        final long offset;
        if (liveStart != start)
        {
            // Tail placement: the free block keeps its id and its front, and stays in its list unless its size
            // class changed (never, while a large free block is being eaten from its top).
            final long front = liveStart - start;
            final int oldList = listOf(blockSize, slLog2);
            final int newList = listOf(front, slLog2);
            if (oldList != newList)
            {
                moveFree(block, oldList, newList);
            }
            live = newId();
            extents = this.extents;
            links = this.links;
            extents[(block << 1) + 1] = front;
            final int next = links[(block << 2) + NEXT_PHYS];
            extents[live << 1] = liveStart;
            extents[(live << 1) + 1] = end - liveStart;
            links[(live << 2) + PREV_PHYS] = block;
            links[(live << 2) + NEXT_PHYS] = next;
            links[(block << 2) + NEXT_PHYS] = live;
            if (next != NIL)
            {
                links[(next << 2) + PREV_PHYS] = live;
            }
            offset = liveStart;
        }
        else
        {
            removeFree(block, listOf(blockSize, slLog2));
            live = block;
            offset = start;
        }

        final long rest = end - offset - needed;
        if (rest >= minimum)
        {
            final int free = newId();
            extents = this.extents;
            links = this.links;
            final int next = links[(live << 2) + NEXT_PHYS];
            extents[free << 1] = offset + needed;
            extents[(free << 1) + 1] = rest;
            links[(free << 2) + PREV_PHYS] = live;
            links[(free << 2) + NEXT_PHYS] = next;
            links[(live << 2) + NEXT_PHYS] = free;
            if (next != NIL)
            {
                links[(next << 2) + PREV_PHYS] = free;
            }
            insertFree(free, listOf(rest, slLog2));
            extents[(live << 1) + 1] = needed;
        }

        links[(live << 2) + PREV_FREE] = LIVE;
        index.put(live, extents);
        usedBytes += extents[(live << 1) + 1];
        liveBlocks++;
        return offset;
    }

    @Override
    public long free(final long offset)
    {
        if (offset < 0 || offset >= capacity)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        final long[] extents = this.extents;
        final int[] links = this.links;
        final int block = index.remove(offset, extents);
        if (block == OffsetIndex.MISSING)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }

        final int slLog2 = this.slLog2;
        final long held = extents[(block << 1) + 1];
        usedBytes -= held;
        liveBlocks--;

        long merged = held;
        final int next = links[(block << 2) + NEXT_PHYS];
        if (next != NIL && links[(next << 2) + PREV_FREE] >= NIL)
        {
            final long nextSize = extents[(next << 1) + 1];
            removeFree(next, listOf(nextSize, slLog2));
            merged += nextSize;
            unlinkPhysical(next);
            recycle(next);
        }

        final int previous = links[(block << 2) + PREV_PHYS];
        if (previous != NIL && links[(previous << 2) + PREV_FREE] >= NIL)
        {
            // The free block before keeps its id and stays in its list unless its size class changes.
            final long previousSize = extents[(previous << 1) + 1];
            final long grown = previousSize + merged;
            final int oldList = listOf(previousSize, slLog2);
            final int newList = listOf(grown, slLog2);
            if (oldList != newList)
            {
                moveFree(previous, oldList, newList);
            }
            extents[(previous << 1) + 1] = grown;
            unlinkPhysical(block);
            recycle(block);
        }
        else
        {
            extents[(block << 1) + 1] = merged;
            insertFree(block, listOf(merged, slLog2));
        }
        return held;
    }

    private void unlinkPhysical(final int block)
    {
        final int[] links = this.links;
        final int previous = links[(block << 2) + PREV_PHYS];
        final int next = links[(block << 2) + NEXT_PHYS];
        links[(previous << 2) + NEXT_PHYS] = next;
        if (next != NIL)
        {
            links[(next << 2) + PREV_PHYS] = previous;
        }
    }

    private void moveFree(final int block, final int from, final int to)
    {
        final int[] links = this.links;
        final int[] heads = this.heads;
        if (links[(block << 2) + PREV_FREE] == NIL && links[(block << 2) + NEXT_FREE] == NIL && heads[to] == NIL)
        {
            // The common case of a large block crossing a list boundary: alone in its list, and alone after.
            final long[] slBitmaps = this.slBitmaps;
            final int flFrom = from >>> slLog2;
            final int flTo = to >>> slLog2;
            heads[from] = NIL;
            heads[to] = block;
            final long slFrom = slBitmaps[flFrom] & ~(1L << (from & slMask));
            slBitmaps[flFrom] = slFrom;
            slBitmaps[flTo] |= 1L << (to & slMask);
            flBitmap = (slFrom == 0 ? flBitmap & ~(1L << flFrom) : flBitmap) | (1L << flTo);
        }
        else
        {
            removeFree(block, from);
            insertFree(block, to);
        }
    }

    private void insertFree(final int block, final int list)
    {
        final int[] links = this.links;
        final int head = heads[list];
        links[(block << 2) + PREV_FREE] = NIL;
        links[(block << 2) + NEXT_FREE] = head;
        if (head != NIL)
        {
            links[(head << 2) + PREV_FREE] = block;
        }
        else
        {
            final int fl = list >>> slLog2;
            slBitmaps[fl] |= 1L << (list & slMask);
            flBitmap |= 1L << fl;
        }
        heads[list] = block;
        freeBlocks++;
    }

    private void removeFree(final int block, final int list)
    {
        final int[] links = this.links;
        final int previous = links[(block << 2) + PREV_FREE];
        final int next = links[(block << 2) + NEXT_FREE];
        assert previous >= NIL : "block " + block + " is not free";
        if (next != NIL)
        {
            links[(next << 2) + PREV_FREE] = previous;
        }
        if (previous != NIL)
        {
            links[(previous << 2) + NEXT_FREE] = next;
        }
        else
        {
            assert heads[list] == block : "block " + block + " is not the head of list " + list;
            heads[list] = next;
            if (next == NIL)
            {
                final int fl = list >>> slLog2;
                final long slMap = slBitmaps[fl] & ~(1L << (list & slMask));
                slBitmaps[fl] = slMap;
                if (slMap == 0)
                {
                    flBitmap &= ~(1L << fl);
                }
            }
        }
        freeBlocks--;
    }

    private int newId()
    {
        final int id = unusedHead;
        if (id != NIL)
        {
            unusedHead = links[(id << 2) + NEXT_FREE];
            return id;
        }
        if (highWater == blockCapacity)
        {
            growBlocks();
        }
        return highWater++;
    }

    private void recycle(final int block)
    {
        links[(block << 2) + PREV_FREE] = UNUSED;
        links[(block << 2) + NEXT_FREE] = unusedHead;
        unusedHead = block;
    }

    private void growBlocks()
    {
        // allocate() refuses before carving when fewer than two ids could be handed out, so this fits.
        final int grown = (int)Math.min(MAX_BLOCKS, 2L * blockCapacity);
        assert grown > blockCapacity;
        extents = Arrays.copyOf(extents, grown << 1);
        links = Arrays.copyOf(links, grown << 2);
        blockCapacity = grown;
    }

    /**
     * {@inheritDoc}
     * <p>
     * One index lookup, as {@code free} makes.
     */
    @Override
    public long blockSize(final long offset)
    {
        final int block = offset < 0 || offset >= capacity ? OffsetIndex.MISSING : index.get(offset, extents);
        if (block == OffsetIndex.MISSING)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        return extents[(block << 1) + 1];
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
        final int fl = 63 - Long.numberOfLeadingZeros(flBitmap);
        final int sl = 63 - Long.numberOfLeadingZeros(slBitmaps[fl]);
        long largest = 0;
        for (int block = heads[(fl << slLog2) | sl]; block != NIL; block = links[(block << 2) + NEXT_FREE])
        {
            largest = Math.max(largest, extents[(block << 1) + 1]);
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
        for (int block = 0; block != NIL; block = links[(block << 2) + NEXT_PHYS])
        {
            visitor.visit(extents[block << 1], extents[(block << 1) + 1],
                links[(block << 2) + PREV_FREE] == LIVE ? BlockState.LIVE : BlockState.FREE);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Walks the physical chain (tiling, back links, no two adjacent free blocks, live blocks indexed by their
     * offset, the figures), then every free list (each block free, in the list its size maps to, back links,
     * bitmaps), then the recycled ids, and checks that every id is accounted for exactly once.
     */
    @Override
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        final byte[] seen = new byte[highWater];
        final byte inChain = 1;
        final byte listed = 2;
        final byte recycled = 3;

        long position = 0;
        long used = 0;
        long largest = 0;
        int live = 0;
        int free = 0;
        boolean previousFree = false;
        int previous = NIL;
        for (int block = 0; block != NIL; block = links[(block << 2) + NEXT_PHYS])
        {
            if (block < 0 || block >= highWater)
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
            final int state = links[(block << 2) + PREV_FREE];
            final long offset = extents[block << 1];
            final long size = extents[(block << 1) + 1];
            if (state == UNUSED)
            {
                problems.add("recycled id in the physical chain: id=" + block);
            }
            if (links[(block << 2) + PREV_PHYS] != previous)
            {
                problems.add("physical back link of id=" + block + " is " + links[(block << 2) + PREV_PHYS]
                    + ", expected " + previous);
            }
            if (offset != position)
            {
                problems.add("blocks do not tile: expected offset=" + position + ", id=" + block + " has offset=" + offset);
            }
            if (size <= 0)
            {
                problems.add("block has no size: id=" + block + ", offset=" + offset + ", size=" + size);
            }
            final boolean isFree = state >= NIL;
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
                if (index.get(offset, extents) != block)
                {
                    problems.add("live block not indexed by its offset: id=" + block + ", offset=" + offset);
                }
            }
            previousFree = isFree;
            previous = block;
            position = offset + size;
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
            problems.add("offset index holds " + index.size() + " entries, liveBlocks=" + liveBlocks);
        }
        if (largest != largestFreeExtent())
        {
            problems.add("largestFreeExtent=" + largestFreeExtent() + " but the largest free block is " + largest);
        }

        verifyLists(problems, seen, inChain, listed);

        for (int block = 0; block < highWater; block++)
        {
            if (seen[block] == inChain && links[(block << 2) + PREV_FREE] >= NIL)
            {
                problems.add("free block in no free list: id=" + block + ", offset=" + extents[block << 1]);
            }
        }

        int unused = 0;
        for (int block = unusedHead; block != NIL; block = links[(block << 2) + NEXT_FREE])
        {
            if (block < 0 || block >= highWater || seen[block] != 0)
            {
                problems.add("recycled-id chain is broken at id=" + block);
                break;
            }
            seen[block] = recycled;
            if (links[(block << 2) + PREV_FREE] != UNUSED)
            {
                problems.add("recycled id not marked unused: id=" + block);
            }
            unused++;
        }
        if (live + free + unused != highWater)
        {
            problems.add("ids unaccounted for: live=" + live + ", free=" + free + ", recycled=" + unused
                + ", handed out=" + highWater);
        }
        return problems;
    }

    private void verifyLists(final List<String> problems, final byte[] seen, final byte inChain, final byte listed)
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
            for (int sl = 0; sl < slCount; sl++)
            {
                final int list = (fl << slLog2) | sl;
                final int head = heads[list];
                if ((head != NIL) != ((slMap >>> sl & 1) != 0))
                {
                    problems.add("bitmap bit of list (" + fl + ", " + sl + ") disagrees with its head id=" + head);
                }
                int previous = NIL;
                for (int block = head; block != NIL; block = links[(block << 2) + NEXT_FREE])
                {
                    if (block < 0 || block >= highWater || seen[block] != inChain || links[(block << 2) + PREV_FREE] < NIL)
                    {
                        problems.add("list (" + fl + ", " + sl + ") holds id=" + block
                            + " which is not a free block of the chain, or is listed twice");
                        break;
                    }
                    seen[block] = listed;
                    if (links[(block << 2) + PREV_FREE] != previous)
                    {
                        problems.add("free-list back link of id=" + block + " is " + links[(block << 2) + PREV_FREE]
                            + ", expected " + previous);
                    }
                    final long size = extents[(block << 1) + 1];
                    final int expected = listOf(size, slLog2);
                    if (expected != list)
                    {
                        problems.add("block id=" + block + " of size=" + size + " is in list (" + fl + ", " + sl
                            + ") but belongs in (" + (expected >>> slLog2) + ", " + (expected & slMask) + ")");
                    }
                    previous = block;
                }
            }
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Figures: {@code tlsf.blocks} (live and free records in use), {@code tlsf.free.blocks},
     * {@code tlsf.block.capacity} (records the arrays hold), {@code tlsf.index.slots},
     * {@code tlsf.metadata.bytes}, {@code tlsf.second.level.count}, {@code tlsf.minimum.block.size}.
     */
    @Override
    public void metrics(final MetricSink sink)
    {
        sink.metric("tlsf.blocks", liveBlocks + freeBlocks);
        sink.metric("tlsf.free.blocks", freeBlocks);
        sink.metric("tlsf.block.capacity", blockCapacity);
        sink.metric("tlsf.index.slots", index.slotCount());
        sink.metric("tlsf.metadata.bytes", metadataBytes());
        sink.metric("tlsf.second.level.count", slMask + 1);
        sink.metric("tlsf.minimum.block.size", minimumBlockSize);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The arrays as they are now: block records ({@code 32 * block capacity}), index slots
     * ({@code 4 * slots}), list heads ({@code 4 * 64 * SL}) and bitmaps ({@code 8 * 65}).
     */
    @Override
    public long metadataBytes()
    {
        return (long)extents.length * Long.BYTES
            + (long)links.length * Integer.BYTES
            + (long)index.slotCount() * Integer.BYTES
            + (long)heads.length * Integer.BYTES
            + (slBitmaps.length + 1L) * Long.BYTES;
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
         * The number of block records the metadata arrays and the offset index are sized for at creation;
         * they double when exceeded.
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
