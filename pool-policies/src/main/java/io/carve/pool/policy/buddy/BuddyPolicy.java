package io.carve.pool.policy.buddy;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.BlockVisitor;
import io.carve.pool.policy.MetricSink;
import io.carve.pool.policy.PolicyFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A binary buddy placement policy: every block is a power-of-two multiple of the minimum block and starts
 * at a multiple of its own size, so a 128-byte minimum block satisfies the 128-byte DVPP start rule for
 * free, and splitting and merging cost a few bit operations. The price is power-of-two rounding: a
 * 3,110,400-byte 1080p NV12 frame (segment 3,110,432 bytes) occupies a 4 MiB block. {@link #usedBytes()}
 * counts block bytes, rounding included, so the pool's requested and segment bytes beside it show the waste.
 *
 * <h2>Notation</h2>
 * <pre>
 *   C        capacity in bytes                      B = 2^b   minimum block size (default 128)
 *   N        slots = floor(C / B)                   slot s    the bytes [s*B, (s+1)*B)
 *   order k  a block of B &lt;&lt; k bytes               node (k, s)  the order-k block at slot s, s % 2^k == 0
 *   buddy    of (k, s) is (k, s ^ 2^k)               parent    of (k, s) is (k + 1, s &amp; ~2^k)
 *   K        maxOrder() = floor(log2 N)
 * </pre>
 * Every slot of {@code [0, N)} lies in exactly one <em>leaf</em>: a node that is a free block or a live
 * block; the nodes above a leaf are <em>split</em>, the nodes below it do not exist.
 *
 * <h2>Covering a capacity that is not a power of two</h2>
 * The usable range {@code [0, N*B)} is covered by one <em>root</em> per set bit of {@code N}, largest first;
 * each root starts at a multiple of its own size (the sum of the larger roots), so the alignment rule holds
 * in every root. A root has no buddy: the one it would have runs past {@code N}, so merging stops at the
 * root's order. The tail {@code C - N*B < B} cannot hold a block: {@link #walk(BlockVisitor)} visits it as
 * {@link BlockState#RESERVED} and {@link #unusableBytes()} reports it. Example, {@code N = 11}:
 * <pre>
 *   slot    0   1   2   3   4   5   6   7   8   9   10   (C mod B)
 *         |------------ root order 3 -----------|- o1 --|- o0 -|-tail--|
 *                                                                RESERVED
 * </pre>
 * The root of slot {@code s} has order {@code 63 - numberOfLeadingZeros(s ^ N)}: the highest bit where
 * {@code s} and {@code N} differ.
 *
 * <h2>Metadata layout (out-of-band, no object per block)</h2>
 * Two bitmaps per order, indexed by {@code s >> k} for node {@code (k, s)}; order {@code k} has
 * {@code N_k = floor(N / 2^k)} nodes, exactly the order-k nodes inside the roots:
 * <pre>
 *   order  free[k] (SummaryBitmap)                  live[k] (long[])          freeCount[k] liveCount[k]
 *     0    |0|1|2|3|4|5|6|7|8|9|10|   N bits        |0|1|2|3|4|5|6|7|8|9|10|
 *     1    | 0 | 1 | 2 | 3 | 4 |      N/2 bits      | 0 | 1 | 2 | 3 | 4 |
 *     2    |   0   |   1   |          N/4 bits      |   0   |   1   |
 *     3    |       0       |          N/8 bits      |       0       |
 *          + summary levels: bit i of level j+1 set &lt;=&gt; word i of level j non-empty
 *
 *   nonEmptyOrders (one long): bit k set &lt;=&gt; freeCount[k] &gt; 0
 * </pre>
 * {@code free[k]} bit set: node {@code (k, s)} is a free block. {@code live[k]} bit set: node {@code (k, s)}
 * is a live block. A node with neither bit is split, or lies inside a leaf above it. {@link #free(long)}
 * therefore needs no size: a block of order k starts at a multiple of {@code 2^k} slots, so the live block at
 * slot {@code s} has an order of at most {@code numberOfTrailingZeros(s)}; the live bitmaps of those orders,
 * read from the largest down, name it (usually at the first or second read), and an offset where none is
 * set is not a live block.
 *
 * <h2>Footprint</h2>
 * Level-0 bits: {@code sum_k N_k} free plus {@code sum_k N_k} live, under {@code 2N + 2N}; summaries add
 * at most {@code 1/63} of the free part; so about
 * <pre>
 *   metadataBytes() ~ (N / 8) * (4 + 2/63)  ~ 0.504 * N bytes  (~4.03 bits per minimum block)
 * </pre>
 * plus array headers and per-order word rounding ({@code O(K)}). A 64 GiB pool with 128-byte minimum blocks
 * ({@code N = 2^29}) holds ~258 MiB of metadata (0.39% of capacity; a byte per slot would be 512 MiB); with
 * 4 KiB minimum blocks, ~8 MiB. {@link #metadataBytes()} reports the exact figure. All of it is allocated at
 * creation; {@code allocate} and {@code free} allocate nothing.
 *
 * <h2>Allocation and free</h2>
 * {@code allocate(size, alignment)} wants order {@code j = ceil(log2(ceil(size / B)))}; an alignment above
 * {@code B} needs a block starting at a multiple of it, so the search order is
 * {@code max(j, log2(alignment / B))}. The smallest non-empty order {@code k} at or above it comes from one
 * {@code numberOfTrailingZeros} of {@code nonEmptyOrders}; the lowest free block of that order from the
 * summary levels of {@code free[k]}; the block is split down to order {@code j} keeping the lowest half each
 * time (so it stays aligned), each upper half becoming a free block. {@code free(offset)} finds the leaf on
 * the root-to-slot path, then merges with the buddy while the buddy is a free block of the same order and
 * the root's order is not reached.
 * <pre>
 *   allocate   O(1) order pick + O(log64 N) bitmap descent + O(k - j) splits     = O(log(C / B))
 *   free       O(tz(s) - j) live-bit reads + O(log64 N) per bitmap update per merge step
 *   walk       O(blocks * K);  verify O(N / 64 + blocks * K)
 * </pre>
 * Blocks are taken lowest address first within the smallest fitting order, which keeps the high end of the
 * range free for large requests.
 *
 * <h2>Waste</h2>
 * Internal: a block is less than twice its size request, or one minimum block; with the unified profile
 * (segments of at least 64 bytes, minimum block 128) at most half of every block is rounding. External: a
 * request fails when no free block of its order exists even if the free bytes would hold it;
 * {@link #largestFreeExtent()} is the largest free block. Without frees, at most one free block per order
 * remains, so a failed request of order {@code j} leaves fewer than {@code B << j} bytes free.
 * <p>
 * Not thread-safe: the pool serialises calls.
 */
public final class BuddyPolicy implements AllocationPolicy
{
    /** The name reported in stats and messages. */
    public static final String NAME = "buddy";

    /** The minimum block size unless the builder is told otherwise. */
    public static final long DEFAULT_MINIMUM_BLOCK_SIZE = 128;

    /** Arrays of longs are indexed by int: the bitmaps of order 0 must fit one. */
    private static final long MAX_WORDS = Integer.MAX_VALUE - 8;

    private final long capacity;
    private final long minimumBlockSize;
    private final int minimumBlockShift;
    private final long slots;
    private final long usableBytes;
    private final int maxOrder;
    private final long unusableBytes;

    final SummaryBitmap[] free;
    final long[][] live;
    final long[] freeCount;
    final long[] liveCount;
    long nonEmptyOrders;
    private long usedBytes;
    private long liveBlocks;
    private long freeBlocks;

    private final String[] freeMetricNames;
    private final String[] liveMetricNames;

    private BuddyPolicy(final long capacity, final long minimumBlockSize)
    {
        this.capacity = capacity;
        this.minimumBlockSize = minimumBlockSize;
        this.minimumBlockShift = Long.numberOfTrailingZeros(minimumBlockSize);
        this.slots = capacity >>> minimumBlockShift;
        this.usableBytes = slots << minimumBlockShift;
        this.maxOrder = 63 - Long.numberOfLeadingZeros(slots);
        this.unusableBytes = capacity & (minimumBlockSize - 1);
        free = new SummaryBitmap[maxOrder + 1];
        live = new long[maxOrder + 1][];
        freeCount = new long[maxOrder + 1];
        liveCount = new long[maxOrder + 1];
        freeMetricNames = new String[maxOrder + 1];
        liveMetricNames = new String[maxOrder + 1];
        for (int k = 0; k <= maxOrder; k++)
        {
            final long nodes = slots >>> k;
            free[k] = new SummaryBitmap(nodes);
            live[k] = new long[(int)SummaryBitmap.wordsFor(nodes)];
            freeMetricNames[k] = "buddy.free.order." + k;
            liveMetricNames[k] = "buddy.live.order." + k;
        }
        for (int k = maxOrder; k >= 0; k--)
        {
            if ((slots & (1L << k)) != 0)
            {
                addFree(k, rootStart(k));
            }
        }
    }

    /**
     * A builder with the default minimum block size.
     *
     * @return a new builder, also the factory to hand to the pool builder.
     */
    public static Builder builder()
    {
        return new Builder();
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
     * The size of an order-0 block; every block is this size shifted left by its order.
     *
     * @return a power of two.
     */
    public long minimumBlockSize()
    {
        return minimumBlockSize;
    }

    /**
     * The order of the largest root, {@code floor(log2(capacity / minimumBlockSize()))}.
     *
     * @return the highest order a block can have.
     */
    public int maxOrder()
    {
        return maxOrder;
    }

    /**
     * The tail of the capacity too small for a minimum block: never allocatable, visited by
     * {@link #walk(BlockVisitor)} as {@link BlockState#RESERVED}.
     *
     * @return {@code capacity mod minimumBlockSize()}.
     */
    public long unusableBytes()
    {
        return unusableBytes;
    }

    /**
     * The block size of an order.
     *
     * @param order in {@code [0, maxOrder()]}.
     * @return {@code minimumBlockSize() << order}.
     * @throws IllegalArgumentException if the order is out of range.
     */
    public long blockSize(final int order)
    {
        return minimumBlockSize << checkOrder(order);
    }

    /**
     * The number of free blocks of an order (a row of {@code /proc/buddyinfo}).
     *
     * @param order in {@code [0, maxOrder()]}.
     * @return free blocks of that order.
     * @throws IllegalArgumentException if the order is out of range.
     */
    public long freeBlockCount(final int order)
    {
        return freeCount[checkOrder(order)];
    }

    /**
     * The number of live blocks of an order.
     *
     * @param order in {@code [0, maxOrder()]}.
     * @return live blocks of that order.
     * @throws IllegalArgumentException if the order is out of range.
     */
    public long liveBlockCount(final int order)
    {
        return liveCount[checkOrder(order)];
    }

    /**
     * {@inheritDoc}
     * <p>
     * The largest root, {@code minimumBlockSize() << maxOrder()}: it starts at offset 0, so any alignment up to
     * its own size holds; a block aligned beyond the largest root cannot exist.
     */
    @Override
    public long maximumAllocation(final long alignment)
    {
        Align.checkPowerOfTwo(alignment, "alignment");
        final long largest = minimumBlockSize << maxOrder;
        return alignment > largest ? 0 : largest;
    }

    @Override
    public long allocate(final long size, final long alignment)
    {
        if (size <= 0)
        {
            throw new IllegalArgumentException("size must be positive: size=" + size);
        }
        Align.checkPowerOfTwo(alignment, "alignment");
        if (size > usableBytes)
        {
            return NO_OFFSET;
        }
        final int order = orderOf(size);
        final int alignOrder = alignment <= minimumBlockSize ? 0 : Long.numberOfTrailingZeros(alignment) - minimumBlockShift;
        final int searchOrder = Math.max(order, alignOrder);
        if (searchOrder > maxOrder)
        {
            return NO_OFFSET;
        }
        final long candidates = nonEmptyOrders & (-1L << searchOrder);
        if (candidates == 0)
        {
            return NO_OFFSET;
        }
        int k = Long.numberOfTrailingZeros(candidates);
        final long slot = free[k].first() << k;
        removeFree(k, slot);
        while (k > order)
        {
            k--;
            addFree(k, slot + (1L << k));
        }
        setBit(live[order], slot >>> order);
        liveCount[order]++;
        liveBlocks++;
        usedBytes += minimumBlockSize << order;
        return slot << minimumBlockShift;
    }

    /**
     * The order of the live block starting at {@code offset}. A block of order k starts at a multiple of
     * {@code 2^k} slots, so only the orders up to the slot's trailing zeros (and its root's order) can hold
     * it: they are tried from the largest down, and a live bit there names a live leaf that starts exactly
     * at the slot (a live bit is never set on a node inside another leaf). Typically one or two bitmap reads.
     *
     * @throws IllegalArgumentException if no live block starts there.
     */
    private int liveOrder(final long offset)
    {
        if (offset < 0 | offset >= usableBytes | (offset & (minimumBlockSize - 1)) != 0)
        {
            throw notLive(offset);
        }
        final long slot = offset >>> minimumBlockShift;
        for (int k = Math.min(Long.numberOfTrailingZeros(slot), rootOrder(slot)); k >= 0; k--)
        {
            if (getBit(live[k], slot >>> k))
            {
                return k;
            }
        }
        throw notLive(offset);
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@code minimumBlockSize() << order}, the order found as {@code free} finds it.
     */
    @Override
    public long blockSize(final long offset)
    {
        return minimumBlockSize << liveOrder(offset);
    }

    @Override
    public long free(final long offset)
    {
        final int order = liveOrder(offset);
        final long slot = offset >>> minimumBlockShift;
        final int rootOrder = rootOrder(slot);
        clearBit(live[order], slot >>> order);
        liveCount[order]--;
        liveBlocks--;
        final long bytes = minimumBlockSize << order;
        usedBytes -= bytes;

        long merged = slot;
        int k = order;
        while (k < rootOrder)
        {
            final long buddy = merged ^ (1L << k);
            if (!free[k].get(buddy >>> k))
            {
                break;
            }
            removeFree(k, buddy);
            merged &= ~(1L << k);
            k++;
        }
        addFree(k, merged);
        return bytes;
    }

    @Override
    public long usedBytes()
    {
        return usedBytes;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The bytes of all free blocks: the usable range less {@link #usedBytes()}; the unusable tail is not
     * counted.
     */
    @Override
    public long freeBytes()
    {
        return usableBytes - usedBytes;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The largest free block, {@code minimumBlockSize() << k} for the highest order {@code k} with a free block.
     */
    @Override
    public long largestFreeExtent()
    {
        return nonEmptyOrders == 0 ? 0 : minimumBlockSize << (63 - Long.numberOfLeadingZeros(nonEmptyOrders));
    }

    /**
     * {@inheritDoc}
     * <p>
     * Every free block is one extent: free neighbours that are not buddies are not coalesced.
     */
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
        forEachLeaf((slot, order, isLive) -> visitor.visit(
            slot << minimumBlockShift, minimumBlockSize << order, isLive ? BlockState.LIVE : BlockState.FREE));
        if (unusableBytes > 0)
        {
            visitor.visit(usableBytes, unusableBytes, BlockState.RESERVED);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * Checks each bitmap's summary levels and spare bits, that no node is both free and live, that the
     * counters and {@code nonEmptyOrders} match the bitmaps, that the leaves reached from the roots tile the
     * usable range and account for every set bit (no bit on a split node or inside a leaf), that the live
     * figures match the leaves, and that no free block has a free buddy of its order left unmerged.
     */
    @Override
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        if ((nonEmptyOrders & (-1L << maxOrder << 1)) != 0)
        {
            problems.add("nonEmptyOrders has bits above maxOrder=" + maxOrder + ": " + Long.toBinaryString(nonEmptyOrders));
        }
        long freeTotal = 0;
        for (int k = 0; k <= maxOrder; k++)
        {
            free[k].verify("free[" + k + "]", problems);
            final long nodes = free[k].bits();
            final long[] liveBits = live[k];
            for (int word = 0; word < liveBits.length; word++)
            {
                if ((liveBits[word] & free[k].word(word)) != 0)
                {
                    problems.add("order " + k + " nodes both free and live at word " + word);
                }
            }
            if (liveBits.length > 0 && (liveBits[liveBits.length - 1] & spareMask(nodes)) != 0)
            {
                problems.add("live[" + k + "]: bits set past the end, bits=" + nodes);
            }
            final long freeSet = free[k].cardinality();
            if (freeSet != freeCount[k])
            {
                problems.add("order " + k + ": freeCount=" + freeCount[k] + " but free bitmap holds " + freeSet);
            }
            if (((nonEmptyOrders >>> k) & 1) != (freeCount[k] > 0 ? 1 : 0))
            {
                problems.add("order " + k + ": nonEmptyOrders bit disagrees with freeCount=" + freeCount[k]);
            }
            freeTotal += freeCount[k];
        }
        if (freeTotal != freeBlocks)
        {
            problems.add("freeBlocks=" + freeBlocks + " but the orders hold " + freeTotal);
        }

        final long[] freeLeaves = new long[maxOrder + 1];
        final long[] liveLeaves = new long[maxOrder + 1];
        final long[] nextSlot = {0};
        final long[] liveLeafBytes = {0};
        final long[] freeLeafBytes = {0};
        forEachLeaf((slot, order, isLive) ->
        {
            if (slot != nextSlot[0])
            {
                problems.add("leaves do not tile: expected slot=" + nextSlot[0] + ", found slot=" + slot);
            }
            nextSlot[0] = slot + (1L << order);
            if (isLive)
            {
                liveLeaves[order]++;
                liveLeafBytes[0] += minimumBlockSize << order;
            }
            else
            {
                freeLeaves[order]++;
                freeLeafBytes[0] += minimumBlockSize << order;
                final long buddy = slot ^ (1L << order);
                if (order < rootOrder(slot) && free[order].get(buddy >>> order))
                {
                    problems.add("free buddies left unmerged: order=" + order + ", slots " + slot + " and " + buddy);
                }
            }
        });
        if (nextSlot[0] != slots)
        {
            problems.add("leaves end at slot " + nextSlot[0] + ", slots=" + slots);
        }
        long liveTotal = 0;
        for (int k = 0; k <= maxOrder; k++)
        {
            if (freeLeaves[k] != freeCount[k])
            {
                problems.add("order " + k + ": " + freeLeaves[k] + " free leaves reached but free bitmap holds "
                    + freeCount[k] + " (a bit on a split node or inside a block)");
            }
            if (liveLeaves[k] != liveBitCount(k))
            {
                problems.add("order " + k + ": " + liveLeaves[k] + " live leaves reached but live bitmap holds "
                    + liveBitCount(k) + " (a bit on a split node or inside a block)");
            }
            if (liveLeaves[k] != liveCount[k])
            {
                problems.add("order " + k + ": liveCount=" + liveCount[k] + " but " + liveLeaves[k] + " live leaves");
            }
            liveTotal += liveLeaves[k];
        }
        if (liveTotal != liveBlocks)
        {
            problems.add("liveBlocks=" + liveBlocks + " but " + liveTotal + " live leaves");
        }
        if (liveLeafBytes[0] != usedBytes)
        {
            problems.add("usedBytes=" + usedBytes + " but live leaves hold " + liveLeafBytes[0]);
        }
        if (freeLeafBytes[0] != freeBytes())
        {
            problems.add("freeBytes=" + freeBytes() + " but free leaves hold " + freeLeafBytes[0]);
        }
        return problems;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Reports, for every order {@code N} in {@code [0, maxOrder()]}, {@code buddy.free.order.N} (free blocks
     * of {@code minimumBlockSize() << N} bytes, as {@code /proc/buddyinfo}) and {@code buddy.live.order.N} (live
     * blocks of that order); then {@code buddy.unusable.bytes} and {@code buddy.minimum.block.size}. Allocates
     * nothing: the names are built at creation.
     */
    @Override
    public void metrics(final MetricSink sink)
    {
        for (int k = 0; k <= maxOrder; k++)
        {
            sink.metric(freeMetricNames[k], freeCount[k]);
        }
        for (int k = 0; k <= maxOrder; k++)
        {
            sink.metric(liveMetricNames[k], liveCount[k]);
        }
        sink.metric("buddy.unusable.bytes", unusableBytes);
        sink.metric("buddy.minimum.block.size", minimumBlockSize);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The bytes of the bitmaps and the per-order arrays, counting 16 bytes per array or object header and
     * 8 per element; about {@code 0.504 * capacity / minimumBlockSize()}, see the class documentation for the
     * formula. The metric names built at creation are not counted.
     */
    @Override
    public long metadataBytes()
    {
        long bytes = 4 * (16L + 8L * (maxOrder + 1));
        for (int k = 0; k <= maxOrder; k++)
        {
            bytes += free[k].footprint() + 16L + 8L * live[k].length;
        }
        return bytes;
    }

    @Override
    public String toString()
    {
        return "BuddyPolicy{capacity=" + capacity + ", minimumBlockSize=" + minimumBlockSize + ", maxOrder=" + maxOrder
            + ", used=" + usedBytes + ", live=" + liveBlocks + ", freeBlocks=" + freeBlocks
            + ", unusable=" + unusableBytes + '}';
    }

    /** Receives the leaves of the buddy trees in ascending slot order. */
    @FunctionalInterface
    interface LeafVisitor
    {
        void leaf(long slot, int order, boolean isLive);
    }

    /**
     * Visits every leaf of every root in ascending slot order by descending the split nodes.
     *
     * @param visitor receives each leaf.
     */
    void forEachLeaf(final LeafVisitor visitor)
    {
        for (int rootOrder = maxOrder; rootOrder >= 0; rootOrder--)
        {
            if ((slots & (1L << rootOrder)) == 0)
            {
                continue;
            }
            final long rootStart = rootStart(rootOrder);
            final long rootEnd = rootStart + (1L << rootOrder);
            long slot = rootStart;
            while (slot < rootEnd)
            {
                // The largest node starting here: every larger node starting earlier holds leaves already seen.
                int k = Math.min(Long.numberOfTrailingZeros(slot), rootOrder);
                boolean isLive;
                while (true)
                {
                    if (free[k].get(slot >>> k))
                    {
                        isLive = false;
                        break;
                    }
                    if (k == 0 || getBit(live[k], slot >>> k))
                    {
                        isLive = true;
                        break;
                    }
                    k--;
                }
                visitor.leaf(slot, k, isLive);
                slot += 1L << k;
            }
        }
    }

    /**
     * The order of the smallest block that holds {@code size} bytes.
     *
     * @param size bytes, {@code > 0}.
     * @return {@code ceil(log2(ceil(size / minimumBlockSize())))}.
     */
    private int orderOf(final long size)
    {
        final long blocks = ((size - 1) >>> minimumBlockShift) + 1;
        return 64 - Long.numberOfLeadingZeros(blocks - 1);
    }

    /** The first slot of the root of an order, which is a set bit of {@code slots}: the larger roots come first. */
    private long rootStart(final int order)
    {
        assert (slots & (1L << order)) != 0 : "no root of order " + order;
        return slots & -(1L << order << 1);
    }

    private int rootOrder(final long slot)
    {
        assert slot >= 0 && slot < slots : "slot=" + slot;
        return 63 - Long.numberOfLeadingZeros(slot ^ slots);
    }

    private void addFree(final int order, final long slot)
    {
        free[order].set(slot >>> order);
        freeCount[order]++;
        freeBlocks++;
        nonEmptyOrders |= 1L << order;
    }

    private void removeFree(final int order, final long slot)
    {
        free[order].clear(slot >>> order);
        freeBlocks--;
        if (--freeCount[order] == 0)
        {
            nonEmptyOrders &= ~(1L << order);
        }
    }

    private int checkOrder(final int order)
    {
        if (order < 0 || order > maxOrder)
        {
            throw new IllegalArgumentException(
                "order must be in [0, " + maxOrder + "]: order=" + order);
        }
        return order;
    }

    private long liveBitCount(final int order)
    {
        long count = 0;
        for (final long word : live[order])
        {
            count += Long.bitCount(word);
        }
        return count;
    }

    private static long spareMask(final long bits)
    {
        final int used = (int)(bits & 63);
        return used == 0 ? 0 : -1L << used;
    }

    private static IllegalArgumentException notLive(final long offset)
    {
        return new IllegalArgumentException("not the offset of a live block: offset=" + offset);
    }

    private static boolean getBit(final long[] bits, final long index)
    {
        return (bits[(int)(index >>> 6)] & (1L << index)) != 0;
    }

    private static void setBit(final long[] bits, final long index)
    {
        bits[(int)(index >>> 6)] |= 1L << index;
    }

    private static void clearBit(final long[] bits, final long index)
    {
        bits[(int)(index >>> 6)] &= ~(1L << index);
    }

    /**
     * Configures and creates {@link BuddyPolicy} instances; hand it to the pool builder as the policy factory.
     * Setters validate at once; {@link #create(long, AlignmentProfile)} checks the settings against the pool.
     */
    public static final class Builder implements PolicyFactory
    {
        private long minimumBlockSize = DEFAULT_MINIMUM_BLOCK_SIZE;

        private Builder()
        {
        }

        /**
         * Sets the minimum block size: the smallest block and the granule of every block. Larger values cut
         * the metadata ({@code ~0.504 * capacity / minimumBlockSize} bytes) and raise the rounding of small
         * segments.
         *
         * @param minimumBlockSize a power of two, at least the pool profile's start alignment (checked by
         *                     {@link #create(long, AlignmentProfile)}); default 128.
         * @return this builder.
         * @throws IllegalArgumentException if not a power of two.
         */
        public Builder minimumBlockSize(final long minimumBlockSize)
        {
            this.minimumBlockSize = Align.checkPowerOfTwo(minimumBlockSize, "minimumBlockSize");
            return this;
        }

        /**
         * The minimum block size the policies will be created with.
         *
         * @return bytes.
         */
        public long minimumBlockSize()
        {
            return minimumBlockSize;
        }

        @Override
        public String name()
        {
            return NAME;
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException if the capacity is not positive, the minimum block size is below
         *                                  the profile's start alignment (blocks would not start aligned) or
         *                                  above the capacity, or the bitmaps of order 0 would not fit a Java
         *                                  array.
         */
        @Override
        public BuddyPolicy create(final long capacity, final AlignmentProfile profile)
        {
            Objects.requireNonNull(profile, "profile");
            if (capacity <= 0)
            {
                throw new IllegalArgumentException("capacity must be positive: capacity=" + capacity);
            }
            if (minimumBlockSize < profile.startAlignment())
            {
                throw new IllegalArgumentException("minimumBlockSize must be at least the profile's start alignment: "
                    + "minimumBlockSize=" + minimumBlockSize + ", startAlignment=" + profile.startAlignment()
                    + ", profile=" + profile.name());
            }
            if (capacity < minimumBlockSize)
            {
                throw new IllegalArgumentException("capacity must hold at least one minimum block: capacity="
                    + capacity + ", minimumBlockSize=" + minimumBlockSize);
            }
            if (SummaryBitmap.wordsFor(capacity / minimumBlockSize) > MAX_WORDS)
            {
                throw new IllegalArgumentException("capacity has too many minimum blocks for the bitmaps, raise "
                    + "minimumBlockSize: capacity=" + capacity + ", minimumBlockSize=" + minimumBlockSize);
            }
            return new BuddyPolicy(capacity, minimumBlockSize);
        }

        @Override
        public String toString()
        {
            return NAME + "{minimumBlockSize=" + minimumBlockSize + '}';
        }
    }
}
