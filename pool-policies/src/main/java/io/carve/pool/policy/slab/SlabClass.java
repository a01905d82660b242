package io.carve.pool.policy.slab;

import java.util.Arrays;

/**
 * The out-of-band metadata of one size class: its figures and, per slab slot, the slab's start, the bytes
 * its backing block holds, its free-object bitmap and its links in one of three intrusive lists.
 * <p>
 * Slots are class-local: {@code maxSlabs = capacity / slabSize} slots are preallocated, a stack of unused
 * slots hands them out. Bitmap bit {@code i} of a slot is set when object {@code i} is free; a summary
 * word has bit {@code w} set when bitmap word {@code w} has a set bit, so finding a free object is two
 * {@link Long#numberOfTrailingZeros(long)} calls ({@code objectsPerSlab <= 64 * 64}).
 */
final class SlabClass
{
    static final int NIL = -1;
    static final byte NO_LIST = 0;
    static final byte PARTIAL = 1;
    static final byte FULL = 2;
    static final byte EMPTY = 3;

    final int index;
    final long length;
    final long segmentSize;
    final long objectSize;
    /** log2 of the largest power of two dividing {@code objectSize}. */
    final int objectSizeShift;
    /** The inverse of {@code objectSize >> objectSizeShift} (odd) modulo 2^64: see {@link #objectAt(long)}. */
    final long oddInverse;
    final long minSize;
    final long slabSize;
    final int objectsPerSlab;
    final int wordsPerSlab;
    final int maxSlabs;

    final long[] start;
    final long[] held;
    final long[] summary;
    final long[] bits;
    final int[] freeCount;
    final int[] next;
    final int[] prev;
    final byte[] list;
    private final int[] unusedSlots;
    private int unusedSlotCount;

    int partialHead = NIL;
    int fullHead = NIL;
    int emptyHead = NIL;
    int partialCount;
    int fullCount;
    int emptyCount;
    long liveObjects;
    long freeObjects;

    final String objectsMetric;
    final String freeObjectsMetric;
    final String slabsMetric;
    final String partialMetric;
    final String fullMetric;
    final String emptyMetric;
    final String objectSizeMetric;
    final String slabSizeMetric;
    final String lengthMetric;

    SlabClass(
        final int index,
        final long length,
        final long segmentSize,
        final long objectSize,
        final long minSize,
        final long slabSize,
        final int maxSlabs)
    {
        assert objectSize > 0 && slabSize >= objectSize && slabSize / objectSize <= SlabPolicy.MAX_OBJECTS_PER_SLAB;
        this.index = index;
        this.length = length;
        this.segmentSize = segmentSize;
        this.objectSize = objectSize;
        this.objectSizeShift = Long.numberOfTrailingZeros(objectSize);
        this.oddInverse = inverseModulo64(objectSize >>> objectSizeShift);
        this.minSize = minSize;
        this.slabSize = slabSize;
        this.objectsPerSlab = (int)(slabSize / objectSize);
        this.wordsPerSlab = (objectsPerSlab + 63) >>> 6;
        this.maxSlabs = maxSlabs;

        start = new long[maxSlabs];
        held = new long[maxSlabs];
        summary = new long[maxSlabs];
        bits = new long[maxSlabs * wordsPerSlab];
        freeCount = new int[maxSlabs];
        next = new int[maxSlabs];
        prev = new int[maxSlabs];
        list = new byte[maxSlabs];
        unusedSlots = new int[maxSlabs];
        for (int i = 0; i < maxSlabs; i++)
        {
            unusedSlots[i] = maxSlabs - 1 - i;
        }
        unusedSlotCount = maxSlabs;
        Arrays.fill(next, NIL);
        Arrays.fill(prev, NIL);

        final String prefix = "slab.class." + index + '.';
        objectsMetric = prefix + "objects";
        freeObjectsMetric = prefix + "free.objects";
        slabsMetric = prefix + "slabs";
        partialMetric = prefix + "slabs.partial";
        fullMetric = prefix + "slabs.full";
        emptyMetric = prefix + "slabs.empty";
        objectSizeMetric = prefix + "object.size";
        slabSizeMetric = prefix + "slab.size";
        lengthMetric = prefix + "length";
    }

    /**
     * The multiplicative inverse of an odd number modulo 2^64, by Newton's iteration (each step doubles the
     * correct low bits: 3, 6, 12, 24, 48, 96).
     */
    static long inverseModulo64(final long odd)
    {
        assert (odd & 1) == 1;
        long inverse = odd;
        for (int i = 0; i < 5; i++)
        {
            inverse *= 2 - odd * inverse;
        }
        return inverse;
    }

    /**
     * The index of the object that starts {@code relative} bytes into a slab, by exact division without a
     * divide instruction (Granlund and Montgomery): with {@code objectSize = d * 2^k}, d odd,
     * {@code rotateRight(relative * inverse(d), k)} is {@code relative / objectSize} when {@code relative} is a
     * multiple of it, and at least {@code 2^64 / objectSize} (unsigned) when it is not, far above any object
     * count.
     *
     * @param relative bytes from the slab's start, {@code >= 0}.
     * @return the object index, or -1 when no object of this slab starts there.
     */
    int objectAt(final long relative)
    {
        final long quotient = Long.rotateRight(relative * oddInverse, objectSizeShift);
        return Long.compareUnsigned(quotient, objectsPerSlab) < 0 ? (int)quotient : -1;
    }

    int slabs()
    {
        return partialCount + fullCount + emptyCount;
    }

    boolean hasUnusedSlot()
    {
        return unusedSlotCount > 0;
    }

    /**
     * Takes an unused slot and marks every object of the slab at {@code slabStart} free; the slot is on no list.
     */
    int openSlab(final long slabStart, final long heldBytes)
    {
        assert unusedSlotCount > 0;
        final int slot = unusedSlots[--unusedSlotCount];
        start[slot] = slabStart;
        held[slot] = heldBytes;
        freeCount[slot] = objectsPerSlab;
        final int base = slot * wordsPerSlab;
        final int fullWords = objectsPerSlab >>> 6;
        for (int w = 0; w < fullWords; w++)
        {
            bits[base + w] = -1L;
        }
        final int rest = objectsPerSlab & 63;
        if (rest != 0)
        {
            bits[base + fullWords] = (1L << rest) - 1;
        }
        summary[slot] = wordsPerSlab == 64 ? -1L : (1L << wordsPerSlab) - 1;
        list[slot] = NO_LIST;
        return slot;
    }

    void closeSlab(final int slot)
    {
        assert list[slot] == NO_LIST && freeCount[slot] == objectsPerSlab;
        start[slot] = 0;
        held[slot] = 0;
        summary[slot] = 0;
        freeCount[slot] = 0;
        unusedSlots[unusedSlotCount++] = slot;
    }

    /**
     * Claims the lowest free object of a slab that has one.
     *
     * @return the object's index in the slab.
     */
    int takeObject(final int slot)
    {
        final long words = summary[slot];
        assert words != 0 && freeCount[slot] > 0;
        final int w = Long.numberOfTrailingZeros(words);
        final int at = slot * wordsPerSlab + w;
        final long word = bits[at];
        final int b = Long.numberOfTrailingZeros(word);
        final long rest = word & (word - 1);
        bits[at] = rest;
        if (rest == 0)
        {
            summary[slot] = words & ~(1L << w);
        }
        freeCount[slot]--;
        return (w << 6) + b;
    }

    boolean isFree(final int slot, final int object)
    {
        return (bits[slot * wordsPerSlab + (object >>> 6)] & (1L << object)) != 0;
    }

    void putObject(final int slot, final int object)
    {
        assert !isFree(slot, object);
        final int w = object >>> 6;
        bits[slot * wordsPerSlab + w] |= 1L << object;
        summary[slot] |= 1L << w;
        freeCount[slot]++;
    }

    void push(final byte kind, final int slot)
    {
        assert list[slot] == NO_LIST;
        final int head = head(kind);
        next[slot] = head;
        prev[slot] = NIL;
        if (head != NIL)
        {
            prev[head] = slot;
        }
        list[slot] = kind;
        setHead(kind, slot);
        count(kind, 1);
    }

    void unlink(final int slot)
    {
        final byte kind = list[slot];
        assert kind != NO_LIST;
        final int before = prev[slot];
        final int after = next[slot];
        if (before == NIL)
        {
            setHead(kind, after);
        }
        else
        {
            next[before] = after;
        }
        if (after != NIL)
        {
            prev[after] = before;
        }
        next[slot] = NIL;
        prev[slot] = NIL;
        list[slot] = NO_LIST;
        count(kind, -1);
    }

    void move(final byte kind, final int slot)
    {
        unlink(slot);
        push(kind, slot);
    }

    int head(final byte kind)
    {
        switch (kind)
        {
            case PARTIAL:
                return partialHead;
            case FULL:
                return fullHead;
            default:
                return emptyHead;
        }
    }

    private void setHead(final byte kind, final int slot)
    {
        switch (kind)
        {
            case PARTIAL:
                partialHead = slot;
                break;
            case FULL:
                fullHead = slot;
                break;
            default:
                emptyHead = slot;
                break;
        }
    }

    private void count(final byte kind, final int delta)
    {
        switch (kind)
        {
            case PARTIAL:
                partialCount += delta;
                break;
            case FULL:
                fullCount += delta;
                break;
            default:
                emptyCount += delta;
                break;
        }
    }

    int popCount(final int slot)
    {
        final int base = slot * wordsPerSlab;
        int count = 0;
        for (int w = 0; w < wordsPerSlab; w++)
        {
            count += Long.bitCount(bits[base + w]);
        }
        return count;
    }

    long metadataBytes()
    {
        return maxSlabs * (8L * 3 + 4L * 4 + 1) + bits.length * 8L + 6 * 16;
    }

    static String listName(final byte kind)
    {
        switch (kind)
        {
            case PARTIAL:
                return "partial";
            case FULL:
                return "full";
            case EMPTY:
                return "empty";
            default:
                return "none";
        }
    }
}
