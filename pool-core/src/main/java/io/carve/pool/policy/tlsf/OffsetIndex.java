package io.carve.pool.policy.tlsf;

import java.util.Arrays;

/**
 * An open-addressing map from the offset of a live block to its block id, holding only the ids.
 * <p>
 * The key of a slot is not stored: it is the offset of the block the slot names, read from the policy's
 * {@code extents} array ({@code extents[id << 1]}), which every method takes as an argument because the
 * policy replaces that array when it grows. A live block's offset never changes while it is live, so the
 * key of an entry is stable. This keeps the table at 4 bytes a slot; a successful lookup touches the block's
 * record, which the caller reads next anyway.
 * <p>
 * Linear probing with Fibonacci hashing (offsets are multiples of 32 or more, so their low bits carry no
 * information: the top bits of {@code offset * 2^64/phi} are used). Removal shifts the rest of the cluster
 * back (no tombstones), so lookups never degrade with churn. The table is kept at most half full and
 * doubles when that would be exceeded; nothing else allocates.
 */
final class OffsetIndex
{
    /** The value of an empty slot, and what {@link #get} and {@link #remove} return for an absent key. */
    static final int MISSING = -1;

    private static final long FIBONACCI = 0x9E3779B97F4A7C15L;
    private static final int MIN_SLOTS = 16;
    private static final int MAX_SLOTS = 1 << 30;

    private int[] slots;
    private int mask;
    private int shift;
    private int size;
    private int resizeAt;

    /**
     * An empty index sized so that {@code expectedEntries} fit without growing.
     */
    OffsetIndex(final int expectedEntries)
    {
        final long wanted = Math.max(MIN_SLOTS, 2L * expectedEntries);
        allocateSlots((int)Math.min(MAX_SLOTS, Long.highestOneBit(wanted - 1) << 1));
    }

    private void allocateSlots(final int length)
    {
        slots = new int[length];
        Arrays.fill(slots, MISSING);
        mask = length - 1;
        shift = 64 - Integer.numberOfTrailingZeros(length);
        resizeAt = length >>> 1;
    }

    private int home(final long key)
    {
        return (int)((key * FIBONACCI) >>> shift);
    }

    /**
     * The id stored for {@code key}.
     *
     * @param key     a block offset.
     * @param extents the policy's extents array.
     * @return the id, or {@link #MISSING}.
     */
    int get(final long key, final long[] extents)
    {
        final int[] slots = this.slots;
        final int mask = this.mask;
        int i = home(key);
        int id;
        while ((id = slots[i]) != MISSING)
        {
            if (extents[id << 1] == key)
            {
                return id;
            }
            i = (i + 1) & mask;
        }
        return MISSING;
    }

    /**
     * Adds an entry whose key ({@code extents[id << 1]}) is not yet present.
     *
     * @param id      the block id; its offset must already be in {@code extents}.
     * @param extents the policy's extents array.
     */
    void put(final int id, final long[] extents)
    {
        if (size >= resizeAt)
        {
            grow(extents);
        }
        insert(id, extents[id << 1]);
        size++;
    }

    private void insert(final int id, final long key)
    {
        final int[] slots = this.slots;
        final int mask = this.mask;
        int i = home(key);
        while (slots[i] != MISSING)
        {
            i = (i + 1) & mask;
        }
        slots[i] = id;
    }

    private void grow(final long[] extents)
    {
        final int[] old = slots;
        if (old.length == MAX_SLOTS)
        {
            throw new IllegalStateException("offset index is full: entries=" + size);
        }
        allocateSlots(old.length << 1);
        for (final int id : old)
        {
            if (id != MISSING)
            {
                insert(id, extents[id << 1]);
            }
        }
    }

    /**
     * Removes the entry for {@code key}.
     *
     * @param key     a block offset.
     * @param extents the policy's extents array.
     * @return the id it named, or {@link #MISSING} (the map is then unchanged).
     */
    int remove(final long key, final long[] extents)
    {
        final int[] slots = this.slots;
        final int mask = this.mask;
        int hole = home(key);
        int found;
        while (true)
        {
            found = slots[hole];
            if (found == MISSING)
            {
                return MISSING;
            }
            if (extents[found << 1] == key)
            {
                break;
            }
            hole = (hole + 1) & mask;
        }
        // Backward shift: an entry further along the cluster moves into the hole when the hole lies
        // between its home slot and where it sits (cyclically), so every entry stays reachable from home.
        int j = (hole + 1) & mask;
        int id;
        while ((id = slots[j]) != MISSING)
        {
            final int home = home(extents[id << 1]);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                slots[hole] = id;
                hole = j;
            }
            j = (j + 1) & mask;
        }
        slots[hole] = MISSING;
        size--;
        return found;
    }

    /**
     * The number of entries.
     *
     * @return entries.
     */
    int size()
    {
        return size;
    }

    /**
     * The table length in slots.
     *
     * @return slots.
     */
    int slotCount()
    {
        return slots.length;
    }
}
