package io.carve.pool.policy.tlsf;

import java.util.Arrays;
import java.util.List;

import static io.carve.pool.policy.tlsf.BlockDescriptor.isLive;
import static io.carve.pool.policy.tlsf.BlockDescriptor.nextPhys;
import static io.carve.pool.policy.tlsf.BlockDescriptor.offset;

/**
 * A direct map from the offset of a live block to its id: a two-level radix tree over granules of
 * {@code 2^G} bytes, with no hashing and no probing, as jemalloc's rtree and mimalloc's segment map find a
 * block's metadata from its address.
 * <pre>
 *   key   = offset &gt;&gt;&gt; G                     G = log2(minimum block), raised for huge capacities (below)
 *   leaf  = root[key &gt;&gt;&gt; 9]                   int[513], allocated when a live block first starts in it
 *   id    = leaf[key &amp; 511]                    the lowest live block starting in the granule, or -1
 *           leaf[512]                          how many of the 512 entries are set
 *
 *   root: ceil(capacity / 2^(G + 9)) references    (1 GiB at G = 7: 16,384, 64 KiB)
 *   leaf: 2,064 bytes, covering 2^(G + 9) bytes     (G = 7: 64 KiB of the pool)
 * </pre>
 * A lookup is two dependent loads and the record's offset compare. A live block is at least the minimum
 * block M unless it was carved from a free block smaller than that, so a granule nearly always holds at most
 * one live block start; when it holds more, its entry names the lowest and a lookup steps along the
 * physical chain from there (every block is linked to the next), which stays inside the granule.
 * <p>
 * Memory follows the live blocks: a leaf whose entries are all cleared stays attached while fewer than
 * {@value #KEEP_EMPTY} such leaves are (so a block freed and carved again in the same place costs no leaf
 * traffic); past that it is detached at once onto a stack of spares, which later leaves come from. A leaf is
 * allocated only when no spare exists, so steady churn allocates nothing: leaves in existence never exceed
 * the most ever holding a live block at once plus {@value #KEEP_EMPTY}. The root holds at most
 * {@code 2^20} references: for a capacity above {@code 2^(G + 29)} (64 GiB with 128-byte blocks) G grows
 * instead, and granules may hold several small blocks.
 * <p>
 * Every method takes the policy's record array, which the policy replaces when it grows. Not thread-safe.
 */
final class BlockIndex
{
    /** What {@link #find} returns for an offset that is not the start of a live block. */
    static final int MISSING = -1;

    static final int LEAF_BITS = 9;
    static final int LEAF_SIZE = 1 << LEAF_BITS;
    static final int MAX_ROOT_BITS = 20;
    /** Empty leaves kept attached at most; further emptied leaves go to the spares. */
    static final int KEEP_EMPTY = 64;

    private static final int LEAF_MASK = LEAF_SIZE - 1;
    private static final int COUNT = LEAF_SIZE;
    private static final int EMPTY = -1;

    private final long capacity;
    private final int granuleShift;
    private final int[][] root;
    private int[][] spares = new int[16][];
    private int spareCount;
    private int attachedLeaves;
    private int emptyLeaves;
    private int entries;

    /**
     * An empty index over {@code [0, capacity)}.
     *
     * @param capacity     the policy's capacity, {@code > 0}.
     * @param minimumShift log2 of the minimum block size.
     */
    BlockIndex(final long capacity, final int minimumShift)
    {
        this.capacity = capacity;
        final long lastKey = (capacity - 1) >>> minimumShift;
        final int keyBits = 64 - Long.numberOfLeadingZeros(lastKey);
        this.granuleShift = minimumShift + Math.max(0, keyBits - LEAF_BITS - MAX_ROOT_BITS);
        this.root = new int[(int)(((capacity - 1) >>> granuleShift >>> LEAF_BITS) + 1)][];
    }

    /**
     * The id of the live block starting at {@code offset}.
     *
     * @param records the policy's records.
     * @param offset  an offset in {@code [0, capacity)}.
     * @return the id, or {@link #MISSING}.
     */
    int find(final long[] records, final long offset)
    {
        final long key = offset >>> granuleShift;
        final int[] leaf = root[(int)(key >>> LEAF_BITS)];
        if (leaf == null)
        {
            return MISSING;
        }
        final int id = leaf[(int)key & LEAF_MASK];
        if (id < 0)
        {
            return MISSING;
        }
        final long start = offset(records, id);
        if (start == offset)
        {
            return id;
        }
        return start < offset ? findAfter(records, id, offset) : MISSING;
    }

    /** Steps along the physical chain from a lower live block of the same granule. */
    private static int findAfter(final long[] records, final int from, final long offset)
    {
        // The chain ends at the boundary record, whose offset is the capacity: the loop stops there.
        int block = nextPhys(records, from);
        long start;
        while ((start = offset(records, block)) < offset)
        {
            block = nextPhys(records, block);
        }
        return start == offset && isLive(records, block) ? block : MISSING;
    }

    /**
     * Indexes a block that has just become live.
     *
     * @param records the policy's records.
     * @param id      the block, live, at {@code offset}.
     * @param offset  its offset.
     */
    void add(final long[] records, final int id, final long offset)
    {
        final long key = offset >>> granuleShift;
        final int leafIndex = (int)(key >>> LEAF_BITS);
        int[] leaf = root[leafIndex];
        if (leaf == null)
        {
            leaf = attach(leafIndex);
        }
        final int slot = (int)key & LEAF_MASK;
        final int current = leaf[slot];
        if (current < 0)
        {
            leaf[slot] = id;
            if (leaf[COUNT]++ == 0)
            {
                emptyLeaves--;
            }
        }
        else if (offset(records, current) > offset)
        {
            leaf[slot] = id;
        }
        entries++;
    }

    /**
     * Finds the live block starting at {@code offset} and removes it, for a free: one lookup. Call before the
     * block merges with a neighbour, since the next live block of its granule, if any, is found along the
     * physical chain.
     *
     * @param records the policy's records.
     * @param offset  an offset in {@code [0, capacity)}.
     * @return the block's id, or {@link #MISSING} (the index is then unchanged).
     */
    int take(final long[] records, final long offset)
    {
        final long key = offset >>> granuleShift;
        final int leafIndex = (int)(key >>> LEAF_BITS);
        final int[] leaf = root[leafIndex];
        if (leaf == null)
        {
            return MISSING;
        }
        final int slot = (int)key & LEAF_MASK;
        final int id = leaf[slot];
        if (id < 0)
        {
            return MISSING;
        }
        final long start = offset(records, id);
        if (start != offset)
        {
            // Not the granule's first live block: its entry stays.
            final int found = start < offset ? findAfter(records, id, offset) : MISSING;
            entries -= found != MISSING ? 1 : 0;
            return found;
        }
        entries--;
        final int next = nextLiveInGranule(records, id, key);
        leaf[slot] = next;
        if (next == EMPTY && --leaf[COUNT] == 0)
        {
            leafEmptied(leafIndex, leaf);
        }
        return id;
    }

    /** The next live block after {@code id} that starts in granule {@code key}, or {@link #EMPTY}. */
    private int nextLiveInGranule(final long[] records, final int id, final long key)
    {
        final long granuleEnd = Math.min((key + 1) << granuleShift, capacity);
        for (int block = nextPhys(records, id); offset(records, block) < granuleEnd; block = nextPhys(records, block))
        {
            if (isLive(records, block))
            {
                return block;
            }
        }
        return EMPTY;
    }

    /** Keeps an emptied leaf attached, or detaches it onto the spares when enough empty leaves are kept. */
    private void leafEmptied(final int leafIndex, final int[] leaf)
    {
        if (emptyLeaves < KEEP_EMPTY)
        {
            emptyLeaves++;
        }
        else
        {
            // attach() keeps the stack large enough for every leaf in existence: no allocation here.
            root[leafIndex] = null;
            spares[spareCount++] = leaf;
            attachedLeaves--;
        }
    }

    private int[] attach(final int leafIndex)
    {
        final int[] leaf;
        if (spareCount > 0)
        {
            leaf = spares[--spareCount];
            spares[spareCount] = null;
        }
        else
        {
            leaf = new int[LEAF_SIZE + 1];
            Arrays.fill(leaf, 0, LEAF_SIZE, EMPTY);
            if (spares.length < attachedLeaves + 1)
            {
                spares = Arrays.copyOf(spares, spares.length * 2);
            }
        }
        root[leafIndex] = leaf;
        attachedLeaves++;
        emptyLeaves++;
        return leaf;
    }

    /**
     * The number of live blocks indexed.
     *
     * @return entries.
     */
    int size()
    {
        return entries;
    }

    /**
     * log2 of the granule.
     *
     * @return G.
     */
    int granuleShift()
    {
        return granuleShift;
    }

    /**
     * The leaves allocated, attached or spare.
     *
     * @return leaves.
     */
    int leafCount()
    {
        return attachedLeaves + spareCount;
    }

    /**
     * Heap bytes: the root, the spare stack and every leaf, at 16 bytes per array header and 4 per element
     * (references compressed).
     *
     * @return bytes.
     */
    long footprint()
    {
        return 16L + 4L * root.length + 16L + 4L * spares.length + (long)leafCount() * (16L + 4L * (LEAF_SIZE + 1));
    }

    /**
     * Checks every entry names a live block of its granule, every leaf's count and the figures.
     *
     * @param records  the policy's records.
     * @param blocks   ids below this are in range.
     * @param problems receives what is wrong.
     */
    void verify(final long[] records, final int blocks, final List<String> problems)
    {
        int attached = 0;
        int empty = 0;
        for (int i = 0; i < root.length; i++)
        {
            final int[] leaf = root[i];
            if (leaf == null)
            {
                continue;
            }
            attached++;
            int set = 0;
            for (int slot = 0; slot < LEAF_SIZE; slot++)
            {
                final int id = leaf[slot];
                if (id == EMPTY)
                {
                    continue;
                }
                set++;
                final long key = ((long)i << LEAF_BITS) | slot;
                if (id < 0 || id >= blocks || !isLive(records, id) || offset(records, id) >>> granuleShift != key)
                {
                    problems.add("block index entry " + key + " names id=" + id + ", not a live block of its granule");
                }
            }
            if (leaf[COUNT] != set)
            {
                problems.add("block index leaf " + i + " counts " + leaf[COUNT] + " entries, holds " + set);
            }
            empty += set == 0 ? 1 : 0;
        }
        for (int i = 0; i < spareCount; i++)
        {
            final int[] leaf = spares[i];
            if (leaf[COUNT] != 0 || Arrays.stream(leaf, 0, LEAF_SIZE).anyMatch(id -> id != EMPTY))
            {
                problems.add("block index spare leaf " + i + " is not empty");
            }
        }
        if (attached != attachedLeaves || empty != emptyLeaves)
        {
            problems.add("block index has " + attached + " leaves attached, " + empty + " empty; figures say "
                + attachedLeaves + " and " + emptyLeaves);
        }
    }
}
