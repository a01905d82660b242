package io.carve.pool.policy.slab;

import io.carve.pool.align.Align;
import io.carve.pool.align.AlignmentProfile;
import io.carve.pool.policy.AllocationPolicy;
import io.carve.pool.policy.BlockState;
import io.carve.pool.policy.BlockVisitor;
import io.carve.pool.policy.MetricSink;
import io.carve.pool.policy.PolicyFactory;
import io.carve.pool.policy.tlsf.TlsfPolicy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Slabs of fixed-size objects for the buffer sizes a workload repeats (video frames of one resolution, model
 * inputs of one shape), layered over a backing policy that owns the same range, the way the Linux kernel
 * layers its slab caches over the buddy allocator.
 *
 * <h2>Size classes</h2>
 * Classes are configured as caller lengths ({@link Builder#sizeClass(long)}). For a length {@code len} under
 * the pool's {@link AlignmentProfile}:
 * <pre>
 *   segmentSize = profile.segmentSize(len)                       = ALIGN_UP(len, 32) + tail
 *   objectSize  = alignUp(segmentSize, profile.startAlignment()) so consecutive objects stay aligned
 *   minSize     = min(segmentSize, ceil(objectSize * minFill))   the smallest request the class serves
 * </pre>
 * Classes are sorted by object size and numbered from 0 in that order ({@code slab.class.N.*} metrics);
 * lengths that round to the same object size are one class. With the unified profile (128-byte start,
 * 32-byte tail) and the defaults:
 * <pre>
 *   class  NV12 frame   len          segmentSize  objectSize   slab     objects  padding
 *   0      1280x720      1,382,400    1,382,432    1,382,528    8 MiB      6      93,440 (1.1%)
 *   1      1920x1080     3,110,400    3,110,432    3,110,528   12 MiB      4     140,800 (1.1%)
 *   2      3840x2160    12,441,600   12,441,632   12,441,728   48 MiB      4     564,736 (1.1%)
 * </pre>
 *
 * <h2>Routing a request</h2>
 * The pool calls {@code allocate(m, a)} with {@code m = profile.segmentSize(len)}.
 * <ol>
 *   <li>If {@code a <= profile.startAlignment()}, the request belongs to the <em>smallest</em> class with
 *       {@code objectSize >= m}, provided {@code m >= minSize} of that class. So a request equal to a class's
 *       segment size always lands in that class, and one that is a little smaller (a 1920x1072 frame in the
 *       1080p class) too, but never wastes more than {@code 1 - minFill} of an object (default
 *       {@value #DEFAULT_MIN_FILL}: at most 6.25%, plus the start-alignment round-up). A JPEG output of a
 *       random size therefore does not consume a 4K frame slot: it goes to the backing policy.</li>
 *   <li>A class request takes the lowest free object of the slab at the head of the class's partial list
 *       (the slab most recently opened or made partial by a free, so its metadata is warm); else a spare empty slab of
 *       the class; else a new slab from the backing policy; if the backing policy has no room for a slab,
 *       every spare slab of every class is given back and the new slab is tried once more; if that fails too
 *       the request is served by the backing policy directly (a <em>fallback</em>, counted in
 *       {@code slab.fallback.total}), so a class request fails only when the backing policy cannot hold
 *       {@code m} bytes either.</li>
 *   <li>Every other request (no class, or a larger alignment) goes to the backing policy, which on failure
 *       is retried once after giving back the spare slabs.</li>
 * </ol>
 * So a request that fails may still have given the spare slabs back (the only change a failed request
 * makes; a second failing request changes nothing). The backing policy must honour an alignment of 2 MiB
 * for slabs, beyond the profile's start alignment the pool itself asks for.
 *
 * <h2>Slab layout</h2>
 * A slab is one block of the backing policy, asked for with {@code allocate(slabSize, 2 MiB)}; its size is
 * a multiple of {@link #SLAB_GRANULE} (2 MiB, the device's huge-page granularity).
 * <pre>
 *   start (2 MiB aligned)                                              start + slabSize   start + held
 *   |&lt;- object 0 -&gt;|&lt;- object 1 -&gt;| ... |&lt;- object n-1 -&gt;|&lt;--- padding ---&gt;|&lt;- backing rounding -&gt;|
 *   |  objectSize  |  objectSize  |     |   objectSize   |    RESERVED     |  RESERVED (if any)   |
 *   |&lt;------ 2 MiB chunk ------&gt;|&lt;------ 2 MiB chunk ------&gt;| ... (slabSize / 2 MiB chunks)
 *
 *   n = slabSize / objectSize (at most 4096), padding = slabSize - n * objectSize
 * </pre>
 * The default slab size is the multiple {@code k} of 2 MiB, between the smallest one holding
 * {@link Builder#minObjectsPerSlab(int) minObjectsPerSlab} objects ({@code k0}, default 4 objects) and
 * {@code 2 * k0} (at most {@code k0 + 64}), that wastes the smallest fraction in padding (the smallest such multiple on a tie): for
 * 720p that is 8 MiB with 6 frames (1.1% padding) rather than 6 MiB with 4 (12.1%). A slab size can be given
 * per class instead ({@link Builder#sizeClass(long, long)}). A class whose slab is larger than the capacity
 * never gets a slab: its requests are all fallbacks.
 * <p>
 * Per slab the metadata is a bitmap of free objects in {@code long} words (bit set = free) with a summary
 * word that marks the words holding a set bit, its free count and its links in one of the class's three
 * intrusive doubly-linked lists, all in {@code int[]} / {@code long[]} arrays indexed by a class-local slot:
 * <pre>
 *   PARTIAL  0 &lt; free &lt; n   allocations come from its head
 *   FULL     free == 0
 *   EMPTY    free == n      spare slabs, at most spareSlabs per class (default 1)
 * </pre>
 * A slab whose last object is freed becomes a spare if the class has fewer than {@code spareSlabs} spares,
 * and otherwise goes straight back to the backing policy, so memory moves between classes when a stream
 * changes resolution.
 *
 * <h2>The chunk index: which slab covers an offset</h2>
 * Slabs start on 2 MiB boundaries and span whole 2 MiB chunks, so no chunk holds bytes of two slabs or of a
 * slab and a backing block. An {@code int[]} over the {@code ceil(capacity / 2 MiB)} chunks holds, for each
 * chunk a slab covers, {@code classIndex << 24 | slot}, and -1 elsewhere (a 64 GiB pool: 32768 ints, 128 KiB).
 * {@code free(offset)} reads {@code chunks[offset >>> 21]}: -1 means a backing block, which the backing
 * policy frees (and validates); otherwise the object index is {@code (offset - start) / objectSize}, which
 * must be exact, below {@code n} and live.
 *
 * <h2>What the policy reports</h2>
 * <pre>
 *   usedBytes         = live objects * their objectSize + the backing blocks of non-slab requests
 *   freeBytes         = backing.freeBytes() + free objects * their objectSize
 *   liveBlocks        = live objects + backing.liveBlocks() - slabs
 *   freeExtentCount   = backing.freeExtentCount() + free objects
 *   largestFreeExtent = max(backing.largestFreeExtent(), largest objectSize of a class with a free object)
 * </pre>
 * {@link #walk(BlockVisitor)} visits the backing policy's extents, replacing each slab's backing block by
 * its objects (LIVE or FREE, one extent each) and its padding (RESERVED). A free object is only usable by
 * its own class, but {@code allocate(largestFreeExtent(), 1)} still succeeds: a request equal to a class's
 * object size is routed to exactly that class. Padding is neither free nor used, so to make a policy whose
 * blocks have all been freed look exactly like a new one (same {@code freeBytes}, same extents), <b>the
 * spare slabs are given back when the last live block is freed</b>: an idle policy holds no slab. Spares
 * pay off in steady state, where a class's live count swings across a slab boundary.
 *
 * <h2>Costs</h2>
 * {@code allocate}: O(number of classes) to route (a few compares; at most {@value #MAX_CLASSES} classes),
 * O(1) to take an object (two {@code numberOfTrailingZeros}); opening a slab adds the backing policy's
 * allocate and {@code slabSize / 2 MiB} chunk-index stores, once per {@code n} objects. {@code free}: O(1)
 * for an object (one array read, one division, two bit operations, list moves); closing a slab adds the
 * backing policy's free and the chunk-index stores. Neither allocates on the Java heap (given a backing
 * policy that does not).
 * <p>
 * Metadata ({@link #metadataBytes()}): {@code 4 * ceil(capacity / 2 MiB)} bytes of chunk index, plus per
 * class {@code maxSlabs = capacity / slabSize} slots of {@code 41 + 8 * ceil(n / 64)} bytes each, plus the
 * backing policy's own. Memory overhead: per slab its padding (at most one object, typically ~1% with the
 * default slab sizes); per object {@code objectSize - m} (at most {@code 1 - minFill} of the object plus
 * the start-alignment round-up). No external fragmentation inside slabs.
 * <p>
 * Limits: at most {@value #MAX_CLASSES} classes, {@value #MAX_OBJECTS_PER_SLAB} objects per slab (so a 2 MiB
 * slab needs objects of at least 512 bytes: smaller buffers are better served by the backing policy), and a
 * capacity of at most {@code 2^24} chunks (32 TiB).
 * <p>
 * Not thread-safe: the pool serialises calls.
 */
public final class SlabPolicy implements AllocationPolicy
{
    /** The name reported in stats and messages. */
    public static final String NAME = "slab";

    /** Slab sizes are multiples of this and slabs start on multiples of it: the huge-page granularity, 2 MiB. */
    public static final long SLAB_GRANULE = 2L << 20;

    /** The most objects one slab holds: a summary word over 64 bitmap words. */
    public static final int MAX_OBJECTS_PER_SLAB = 64 * 64;

    /** The most size classes a policy has. */
    public static final int MAX_CLASSES = 64;

    /** The default lower bound of objects per slab when the slab size is derived. */
    public static final int DEFAULT_MIN_OBJECTS_PER_SLAB = 4;

    /** The default number of empty slabs a class keeps instead of returning them to the backing policy. */
    public static final int DEFAULT_SPARE_SLABS = 1;

    /** The default smallest fraction of an object a request must fill to be served by the object's class. */
    public static final double DEFAULT_MIN_FILL = 0.9375;

    static final int CHUNK_SHIFT = 21;
    static final int NO_SLAB = -1;
    static final int SLOT_BITS = 24;
    static final int SLOT_MASK = (1 << SLOT_BITS) - 1;

    private final long capacity;
    private final long startAlignment;
    private final int spareSlabs;
    private final AllocationPolicy backing;
    final SlabClass[] classes;
    final int[] chunks;

    private long classesWithFreeObjects;
    private long liveObjects;
    private long liveObjectBytes;
    private long freeObjects;
    private long freeObjectBytes;
    private long slabCount;
    private long slabBytes;
    private long spareCount;
    private long fallbackTotal;

    private SlabPolicy(
        final long capacity,
        final AlignmentProfile profile,
        final int spareSlabs,
        final AllocationPolicy backing,
        final SlabClass[] classes)
    {
        this.capacity = capacity;
        this.startAlignment = profile.startAlignment();
        this.spareSlabs = spareSlabs;
        this.backing = backing;
        this.classes = classes;
        this.chunks = new int[(int)((capacity + SLAB_GRANULE - 1) >>> CHUNK_SHIFT)];
        Arrays.fill(chunks, NO_SLAB);
    }

    /**
     * A builder with the defaults: no classes yet, TLSF backing, one spare slab per class.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /** {@inheritDoc} */
    @Override
    public long capacity()
    {
        return capacity;
    }

    /**
     * The backing policy slabs and unmatched requests are carved from (for reports and tests).
     *
     * @return the backing policy; do not allocate from or free into it directly.
     */
    public AllocationPolicy backing()
    {
        return backing;
    }

    /**
     * The number of size classes.
     *
     * @return classes, numbered by ascending object size.
     */
    public int classCount()
    {
        return classes.length;
    }

    /**
     * The object size of a class: its segment size rounded up to the start alignment.
     *
     * @param classIndex in {@code [0, classCount())}.
     * @return the bytes of one object.
     */
    public long objectSize(final int classIndex)
    {
        return classes[checkClass(classIndex)].objectSize;
    }

    /**
     * The slab size of a class, a multiple of {@link #SLAB_GRANULE}.
     *
     * @param classIndex in {@code [0, classCount())}.
     * @return the bytes one slab asks of the backing policy.
     */
    public long slabSize(final int classIndex)
    {
        return classes[checkClass(classIndex)].slabSize;
    }

    /**
     * The number of objects one slab of a class holds.
     *
     * @param classIndex in {@code [0, classCount())}.
     * @return objects per slab.
     */
    public int objectsPerSlab(final int classIndex)
    {
        return classes[checkClass(classIndex)].objectsPerSlab;
    }

    /**
     * The class a request of {@code size} bytes at the start alignment is routed to.
     *
     * @param size a segment size, {@code > 0}.
     * @return the class index, or -1 when the request goes to the backing policy.
     */
    public int classOf(final long size)
    {
        final SlabClass c = classFor(size);
        return c == null ? -1 : c.index;
    }

    private int checkClass(final int classIndex)
    {
        if (classIndex < 0 || classIndex >= classes.length)
        {
            throw new IllegalArgumentException(
                "classIndex must be in [0, " + classes.length + "): classIndex=" + classIndex);
        }
        return classIndex;
    }

    private SlabClass classFor(final long size)
    {
        for (final SlabClass c : classes)
        {
            if (size <= c.objectSize)
            {
                return size >= c.minSize ? c : null;
            }
        }
        return null;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The backing policy's: every slab and every request outside the classes comes from it.
     */
    @Override
    public long maximumAllocation(final long alignment)
    {
        return backing.maximumAllocation(alignment);
    }

    /**
     * {@inheritDoc}
     * <p>
     * The larger of what the backing policy can carve and the largest class that has a free object or can
     * open a slab (requests at most the pool's alignment). Empty spare slabs go back to the backing first, as
     * a failing allocation would send them. Not every smaller size need succeed: a size below a class's
     * minimum goes to the backing, which may be full.
     */
    @Override
    public long largestAllocatable(final long alignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new IllegalArgumentException("alignment must be a power of 2: alignment=" + alignment);
        }
        if (spareCount > 0)
        {
            releaseSpares();
        }
        long largest = backing.largestAllocatable(alignment);
        if (alignment <= startAlignment)
        {
            final long slabRoom = backing.largestAllocatable(SLAB_GRANULE);
            for (final SlabClass c : classes)
            {
                if (c.objectSize > largest && (c.freeObjects > 0 || c.hasUnusedSlot() && slabRoom >= c.slabSize))
                {
                    largest = c.objectSize;
                }
            }
        }
        return largest;
    }

    /** {@inheritDoc} */
    @Override
    public long allocate(final long size, final long alignment)
    {
        if (size <= 0 | alignment <= 0 | (alignment & (alignment - 1)) != 0)
        {
            throw badRequest(size, alignment);
        }
        if (alignment <= startAlignment)
        {
            final SlabClass c = classFor(size);
            if (c != null)
            {
                final long offset = allocateObject(c);
                if (offset != NO_OFFSET)
                {
                    return offset;
                }
                final long fallback = backing.allocate(size, alignment);
                if (fallback != NO_OFFSET)
                {
                    fallbackTotal++;
                }
                return fallback;
            }
        }
        final long offset = backing.allocate(size, alignment);
        if (offset != NO_OFFSET || spareCount == 0)
        {
            return offset;
        }
        releaseSpares();
        return backing.allocate(size, alignment);
    }

    private static IllegalArgumentException badRequest(final long size, final long alignment)
    {
        if (size <= 0)
        {
            return new IllegalArgumentException("size must be positive: size=" + size);
        }
        return new IllegalArgumentException("alignment must be a power of 2: alignment=" + alignment);
    }

    private long allocateObject(final SlabClass c)
    {
        int slot = c.partialHead;
        if (slot == SlabClass.NIL)
        {
            slot = c.emptyHead;
            if (slot != SlabClass.NIL)
            {
                c.move(SlabClass.PARTIAL, slot);
                spareCount--;
            }
            else
            {
                slot = openSlab(c);
                if (slot == SlabClass.NIL && spareCount > 0)
                {
                    releaseSpares();
                    slot = openSlab(c);
                }
                if (slot == SlabClass.NIL)
                {
                    return NO_OFFSET;
                }
            }
        }
        final int object = c.takeObject(slot);
        if (c.freeCount[slot] == 0)
        {
            c.move(SlabClass.FULL, slot);
        }
        c.liveObjects++;
        c.freeObjects--;
        if (c.freeObjects == 0)
        {
            classesWithFreeObjects &= ~(1L << c.index);
        }
        liveObjects++;
        liveObjectBytes += c.objectSize;
        freeObjects--;
        freeObjectBytes -= c.objectSize;
        return c.start[slot] + object * c.objectSize;
    }

    private int openSlab(final SlabClass c)
    {
        if (!c.hasUnusedSlot())
        {
            return SlabClass.NIL;
        }
        final long start = backing.allocate(c.slabSize, SLAB_GRANULE);
        if (start == NO_OFFSET)
        {
            return SlabClass.NIL;
        }
        if (!Align.isAligned(start, SLAB_GRANULE) || start > capacity - c.slabSize)
        {
            backing.free(start);
            throw new IllegalStateException("backing policy " + backing.name() + " returned a misplaced slab: offset="
                + start + ", size=" + c.slabSize + ", alignment=" + SLAB_GRANULE);
        }
        final long heldBytes = backing.blockSize(start);
        assert heldBytes >= c.slabSize : "backing held " + heldBytes + " for a slab of " + c.slabSize;
        final int slot = c.openSlab(start, heldBytes);
        c.push(SlabClass.PARTIAL, slot);
        final int ref = (c.index << SLOT_BITS) | slot;
        final int first = (int)(start >>> CHUNK_SHIFT);
        final int last = (int)((start + c.slabSize - 1) >>> CHUNK_SHIFT);
        for (int chunk = first; chunk <= last; chunk++)
        {
            assert chunks[chunk] == NO_SLAB;
            chunks[chunk] = ref;
        }
        slabCount++;
        slabBytes += heldBytes;
        c.freeObjects += c.objectsPerSlab;
        classesWithFreeObjects |= 1L << c.index;
        freeObjects += c.objectsPerSlab;
        freeObjectBytes += c.objectsPerSlab * c.objectSize;
        return slot;
    }

    private void closeSlab(final SlabClass c, final int slot)
    {
        final long start = c.start[slot];
        final int first = (int)(start >>> CHUNK_SHIFT);
        final int last = (int)((start + c.slabSize - 1) >>> CHUNK_SHIFT);
        for (int chunk = first; chunk <= last; chunk++)
        {
            chunks[chunk] = NO_SLAB;
        }
        slabCount--;
        slabBytes -= c.held[slot];
        c.freeObjects -= c.objectsPerSlab;
        if (c.freeObjects == 0)
        {
            classesWithFreeObjects &= ~(1L << c.index);
        }
        freeObjects -= c.objectsPerSlab;
        freeObjectBytes -= c.objectsPerSlab * c.objectSize;
        c.closeSlab(slot);
        backing.free(start);
    }

    private void releaseSpares()
    {
        for (final SlabClass c : classes)
        {
            int slot;
            while ((slot = c.emptyHead) != SlabClass.NIL)
            {
                c.unlink(slot);
                spareCount--;
                closeSlab(c, slot);
            }
        }
        assert spareCount == 0;
    }

    /** {@inheritDoc} */
    @Override
    public long free(final long offset)
    {
        if (offset < 0 | offset >= capacity)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        final int ref = chunks[(int)(offset >>> CHUNK_SHIFT)];
        final long bytes;
        if (ref == NO_SLAB)
        {
            bytes = backing.free(offset);
        }
        else
        {
            bytes = freeObject(classes[ref >>> SLOT_BITS], ref & SLOT_MASK, offset);
        }
        if (spareCount > 0 && liveObjects == 0 && backing.liveBlocks() == slabCount)
        {
            releaseSpares();
        }
        return bytes;
    }

    /**
     * {@inheritDoc}
     * <p>
     * An object's class object size, or the backing policy's size of a block outside the slabs.
     */
    @Override
    public long blockSize(final long offset)
    {
        if (offset < 0 || offset >= capacity)
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        final int ref = chunks[(int)(offset >>> CHUNK_SHIFT)];
        if (ref == NO_SLAB)
        {
            return backing.blockSize(offset);
        }
        final SlabClass c = classes[ref >>> SLOT_BITS];
        objectIndex(c, ref & SLOT_MASK, offset);
        return c.objectSize;
    }

    /** The index of the live object at {@code offset} in a slab, or an exception naming the offset. */
    private static int objectIndex(final SlabClass c, final int slot, final long offset)
    {
        final int object = c.objectAt(offset - c.start[slot]);
        if (object < 0 || c.isFree(slot, object))
        {
            throw new IllegalArgumentException("not the offset of a live block: offset=" + offset);
        }
        return object;
    }

    private long freeObject(final SlabClass c, final int slot, final long offset)
    {
        final int object = objectIndex(c, slot, offset);
        c.putObject(slot, object);
        c.liveObjects--;
        c.freeObjects++;
        classesWithFreeObjects |= 1L << c.index;
        liveObjects--;
        liveObjectBytes -= c.objectSize;
        freeObjects++;
        freeObjectBytes += c.objectSize;
        final int free = c.freeCount[slot];
        if (free == c.objectsPerSlab)
        {
            c.unlink(slot);
            if (c.emptyCount < spareSlabs)
            {
                c.push(SlabClass.EMPTY, slot);
                spareCount++;
            }
            else
            {
                closeSlab(c, slot);
            }
        }
        else if (free == 1)
        {
            c.move(SlabClass.PARTIAL, slot);
        }
        return c.objectSize;
    }

    /** {@inheritDoc} */
    @Override
    public long usedBytes()
    {
        return liveObjectBytes + backing.usedBytes() - slabBytes;
    }

    /** {@inheritDoc} */
    @Override
    public long freeBytes()
    {
        return backing.freeBytes() + freeObjectBytes;
    }

    /** {@inheritDoc} */
    @Override
    public long largestFreeExtent()
    {
        final long inBacking = backing.largestFreeExtent();
        if (classesWithFreeObjects == 0)
        {
            return inBacking;
        }
        final int largest = 63 - Long.numberOfLeadingZeros(classesWithFreeObjects);
        return Math.max(inBacking, classes[largest].objectSize);
    }

    /** {@inheritDoc} */
    @Override
    public long freeExtentCount()
    {
        return backing.freeExtentCount() + freeObjects;
    }

    /** {@inheritDoc} */
    @Override
    public long liveBlocks()
    {
        return liveObjects + backing.liveBlocks() - slabCount;
    }

    /**
     * {@inheritDoc}
     * <p>
     * The backing policy's extents, with each slab's block replaced by its objects (LIVE or FREE) and its
     * padding (RESERVED).
     */
    @Override
    public void walk(final BlockVisitor visitor)
    {
        backing.walk((offset, size, state) ->
        {
            final int ref = state == BlockState.LIVE ? chunks[(int)(offset >>> CHUNK_SHIFT)] : NO_SLAB;
            if (ref == NO_SLAB)
            {
                visitor.visit(offset, size, state);
                return;
            }
            final SlabClass c = classes[ref >>> SLOT_BITS];
            final int slot = ref & SLOT_MASK;
            assert c.start[slot] == offset : "a backing block starts inside a slab at offset=" + offset;
            long position = offset;
            for (int i = 0; i < c.objectsPerSlab; i++)
            {
                visitor.visit(position, c.objectSize, c.isFree(slot, i) ? BlockState.FREE : BlockState.LIVE);
                position += c.objectSize;
            }
            if (position < offset + size)
            {
                visitor.visit(position, offset + size - position, BlockState.RESERVED);
            }
        });
    }

    /**
     * {@inheritDoc}
     * <p>
     * Checks the backing policy's own {@code verify()}; per class that its three lists are well linked,
     * end, hold slabs whose free count suits the list and equals the bitmap's population, whose summary word
     * matches the bitmap words and whose bits past the last object are clear, and that the list lengths,
     * spare count and object counters agree; that every chunk of every slab maps to it and no other chunk is
     * mapped; and that the slabs are exactly the backing policy's live blocks in slab chunks (same start, same
     * held size), with no other backing extent overlapping a slab. Costs O(chunks + slabs * bitmap words +
     * backing extents); meant for tests.
     */
    @Override
    public List<String> verify()
    {
        final List<String> problems = new ArrayList<>();
        for (final String problem : backing.verify())
        {
            problems.add("backing: " + problem);
        }
        long slabsSeen = 0;
        long heldSeen = 0;
        long liveSeen = 0;
        long liveBytesSeen = 0;
        long freeSeen = 0;
        long freeBytesSeen = 0;
        long sparesSeen = 0;
        long withFree = 0;
        long mappedChunks = 0;
        for (int i = 0; i < classes.length; i++)
        {
            final SlabClass c = classes[i];
            if (c.index != i || (i > 0 && classes[i - 1].objectSize >= c.objectSize))
            {
                problems.add("class " + i + " out of order: index=" + c.index + ", objectSize=" + c.objectSize);
            }
            long classFree = 0;
            long classLive = 0;
            int slabs = 0;
            for (byte kind = SlabClass.PARTIAL; kind <= SlabClass.EMPTY; kind++)
            {
                int count = 0;
                int previous = SlabClass.NIL;
                for (int slot = c.head(kind); slot != SlabClass.NIL; slot = c.next[slot])
                {
                    final String where = "class " + i + " " + SlabClass.listName(kind) + " slab slot=" + slot;
                    if (++count > c.maxSlabs)
                    {
                        problems.add(where + ": list does not end");
                        break;
                    }
                    if (c.list[slot] != kind)
                    {
                        problems.add(where + ": marked as on list " + SlabClass.listName(c.list[slot]));
                    }
                    if (c.prev[slot] != previous)
                    {
                        problems.add(where + ": prev=" + c.prev[slot] + ", expected " + previous);
                    }
                    previous = slot;
                    problems.addAll(verifySlab(c, slot, kind, where));
                    classFree += c.freeCount[slot];
                    classLive += c.objectsPerSlab - c.freeCount[slot];
                    heldSeen += c.held[slot];
                    mappedChunks += c.slabSize >>> CHUNK_SHIFT;
                }
                final int expected = kind == SlabClass.PARTIAL ? c.partialCount
                    : kind == SlabClass.FULL ? c.fullCount : c.emptyCount;
                if (count != expected)
                {
                    problems.add("class " + i + " " + SlabClass.listName(kind) + " list holds " + count
                        + " slabs, count=" + expected);
                }
                slabs += count;
            }
            if (c.emptyCount > spareSlabs)
            {
                problems.add("class " + i + " keeps " + c.emptyCount + " empty slabs, spareSlabs=" + spareSlabs);
            }
            if (classFree != c.freeObjects || classLive != c.liveObjects)
            {
                problems.add("class " + i + " counts free=" + c.freeObjects + ", live=" + c.liveObjects
                    + " but its slabs hold free=" + classFree + ", live=" + classLive);
            }
            if ((c.freeObjects > 0) != ((classesWithFreeObjects & (1L << i)) != 0))
            {
                problems.add("class " + i + " free-object mask bit disagrees with freeObjects=" + c.freeObjects);
            }
            slabsSeen += slabs;
            sparesSeen += c.emptyCount;
            liveSeen += classLive;
            liveBytesSeen += classLive * c.objectSize;
            freeSeen += classFree;
            freeBytesSeen += classFree * c.objectSize;
            withFree |= c.freeObjects > 0 ? 1L << i : 0;
        }
        if (slabsSeen != slabCount || heldSeen != slabBytes || sparesSeen != spareCount)
        {
            problems.add("slabs=" + slabCount + ", slabBytes=" + slabBytes + ", spares=" + spareCount
                + " but the lists hold slabs=" + slabsSeen + ", bytes=" + heldSeen + ", spares=" + sparesSeen);
        }
        if (liveSeen != liveObjects || liveBytesSeen != liveObjectBytes || freeSeen != freeObjects
            || freeBytesSeen != freeObjectBytes)
        {
            problems.add("liveObjects=" + liveObjects + "/" + liveObjectBytes + "B, freeObjects=" + freeObjects
                + "/" + freeObjectBytes + "B but the slabs hold live=" + liveSeen + "/" + liveBytesSeen
                + "B, free=" + freeSeen + "/" + freeBytesSeen + "B");
        }
        if (withFree != classesWithFreeObjects)
        {
            problems.add("classesWithFreeObjects=" + Long.toBinaryString(classesWithFreeObjects) + ", expected "
                + Long.toBinaryString(withFree));
        }
        long mapped = 0;
        for (final int ref : chunks)
        {
            mapped += ref == NO_SLAB ? 0 : 1;
        }
        if (mapped != mappedChunks)
        {
            problems.add("chunk index maps " + mapped + " chunks, the slabs span " + mappedChunks);
        }
        verifyAgainstBacking(problems);
        return problems;
    }

    private List<String> verifySlab(final SlabClass c, final int slot, final byte kind, final String where)
    {
        final List<String> problems = new ArrayList<>(0);
        final int free = c.freeCount[slot];
        final boolean fits = kind == SlabClass.PARTIAL ? free > 0 && free < c.objectsPerSlab
            : kind == SlabClass.FULL ? free == 0 : free == c.objectsPerSlab;
        if (!fits)
        {
            problems.add(where + ": free=" + free + " of " + c.objectsPerSlab + " does not belong on this list");
        }
        if (c.popCount(slot) != free)
        {
            problems.add(where + ": bitmap holds " + c.popCount(slot) + " free objects, freeCount=" + free);
        }
        final int base = slot * c.wordsPerSlab;
        long summary = 0;
        for (int w = 0; w < c.wordsPerSlab; w++)
        {
            summary |= c.bits[base + w] != 0 ? 1L << w : 0;
        }
        if (summary != c.summary[slot])
        {
            problems.add(where + ": summary=" + Long.toBinaryString(c.summary[slot]) + ", bitmap words say "
                + Long.toBinaryString(summary));
        }
        final int rest = c.objectsPerSlab & 63;
        if (rest != 0 && (c.bits[base + c.wordsPerSlab - 1] & -(1L << rest)) != 0)
        {
            problems.add(where + ": bits set past object " + c.objectsPerSlab);
        }
        final long start = c.start[slot];
        if (!Align.isAligned(start, SLAB_GRANULE) || start < 0 || start > capacity - c.slabSize)
        {
            problems.add(where + ": start=" + start + " is not a 2 MiB boundary inside the capacity");
            return problems;
        }
        final int ref = (c.index << SLOT_BITS) | slot;
        for (long chunk = start >>> CHUNK_SHIFT; chunk <= (start + c.slabSize - 1) >>> CHUNK_SHIFT; chunk++)
        {
            if (chunks[(int)chunk] != ref)
            {
                problems.add(where + ": chunk " + chunk + " maps to " + chunks[(int)chunk] + ", expected " + ref);
            }
        }
        return problems;
    }

    private void verifyAgainstBacking(final List<String> problems)
    {
        final long[] found = new long[2];
        backing.walk((offset, size, state) ->
        {
            final int first = (int)Math.min(chunks.length - 1, offset >>> CHUNK_SHIFT);
            final int ref = chunks[first];
            if (state == BlockState.LIVE && ref != NO_SLAB)
            {
                final SlabClass c = classes[ref >>> SLOT_BITS];
                final int slot = ref & SLOT_MASK;
                if (c.start[slot] != offset || c.held[slot] != size)
                {
                    problems.add("backing block offset=" + offset + ", size=" + size + " is not the slab of class "
                        + c.index + " slot=" + slot + " at start=" + c.start[slot] + ", held=" + c.held[slot]);
                }
                else
                {
                    found[0]++;
                    found[1] += size;
                }
                return;
            }
            final long end = offset + size;
            for (long chunk = offset >>> CHUNK_SHIFT; chunk < chunks.length && chunk << CHUNK_SHIFT < end; chunk++)
            {
                final int r = chunks[(int)chunk];
                if (r != NO_SLAB)
                {
                    final SlabClass c = classes[r >>> SLOT_BITS];
                    final long slabStart = c.start[r & SLOT_MASK];
                    if (offset < slabStart + c.slabSize && end > slabStart)
                    {
                        problems.add("backing " + state + " extent offset=" + offset + ", size=" + size
                            + " overlaps the slab at " + slabStart);
                        return;
                    }
                }
            }
        });
        if (found[0] != slabCount || found[1] != slabBytes)
        {
            problems.add("backing policy holds " + found[0] + " slab blocks of " + found[1] + " bytes, registry has "
                + slabCount + " of " + slabBytes);
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * {@code slab.bytes} (held by slabs, padding included), {@code slab.free.bytes} (free objects),
     * {@code slab.backing.bytes} (blocks of the backing policy that are not slabs), {@code slab.slabs},
     * {@code slab.spare.slabs}, {@code slab.live.objects}, {@code slab.fallback.total} (class requests served
     * by the backing policy since creation), per class {@code slab.class.N.length}, {@code .object.size},
     * {@code .slab.size}, {@code .objects} (live), {@code .free.objects}, {@code .slabs}, {@code .slabs.partial},
     * {@code .slabs.full}, {@code .slabs.empty}; then the backing policy's own metrics prefixed with
     * {@code backing.}.
     */
    @Override
    public void metrics(final MetricSink sink)
    {
        sink.metric("slab.bytes", slabBytes);
        sink.metric("slab.free.bytes", freeObjectBytes);
        sink.metric("slab.backing.bytes", backing.usedBytes() - slabBytes);
        sink.metric("slab.slabs", slabCount);
        sink.metric("slab.spare.slabs", spareCount);
        sink.metric("slab.live.objects", liveObjects);
        sink.metric("slab.fallback.total", fallbackTotal);
        for (final SlabClass c : classes)
        {
            sink.metric(c.lengthMetric, c.length);
            sink.metric(c.objectSizeMetric, c.objectSize);
            sink.metric(c.slabSizeMetric, c.slabSize);
            sink.metric(c.objectsMetric, c.liveObjects);
            sink.metric(c.freeObjectsMetric, c.freeObjects);
            sink.metric(c.slabsMetric, c.slabs());
            sink.metric(c.partialMetric, c.partialCount);
            sink.metric(c.fullMetric, c.fullCount);
            sink.metric(c.emptyMetric, c.emptyCount);
        }
        backing.metrics((name, value) -> sink.metric("backing." + name, value));
    }

    /** {@inheritDoc} */
    @Override
    public long metadataBytes()
    {
        long bytes = chunks.length * 4L + 128;
        for (final SlabClass c : classes)
        {
            bytes += c.metadataBytes();
        }
        return bytes + backing.metadataBytes();
    }

    @Override
    public String toString()
    {
        return "SlabPolicy{capacity=" + capacity + ", classes=" + classes.length + ", slabs=" + slabCount
            + ", liveObjects=" + liveObjects + ", backing=" + backing.name() + '}';
    }

    /**
     * Configures a {@link SlabPolicy}; hand it to the pool builder as its {@link PolicyFactory}. Setters
     * validate their argument; {@link #create(long, AlignmentProfile)} derives the classes under the pool's
     * profile and validates them against the capacity.
     */
    public static final class Builder implements PolicyFactory
    {
        private long[] lengths = new long[4];
        private long[] slabSizes = new long[4];
        private int classCount;
        private int minObjectsPerSlab = DEFAULT_MIN_OBJECTS_PER_SLAB;
        private int spareSlabs = DEFAULT_SPARE_SLABS;
        private double minFill = DEFAULT_MIN_FILL;
        private PolicyFactory backing = TlsfPolicy.builder();

        private Builder()
        {
        }

        /**
         * Adds a size class for buffers of {@code len} caller bytes, with a derived slab size (see the class
         * documentation).
         *
         * @param len the caller's length, {@code > 0} (for example {@code 1920 * 1080 * 3 / 2}).
         * @return this builder.
         * @throws IllegalArgumentException if {@code len} is not positive.
         */
        public Builder sizeClass(final long len)
        {
            return addClass(len, 0);
        }

        /**
         * Adds a size class for buffers of {@code len} caller bytes, with slabs of {@code slabSize} bytes.
         *
         * @param len      the caller's length, {@code > 0}.
         * @param slabSize a positive multiple of {@link #SLAB_GRANULE} that holds at least one object.
         * @return this builder.
         * @throws IllegalArgumentException if {@code len} is not positive or {@code slabSize} not a positive
         *                                  multiple of 2 MiB.
         */
        public Builder sizeClass(final long len, final long slabSize)
        {
            if (slabSize <= 0 || !Align.isAligned(slabSize, SLAB_GRANULE))
            {
                throw new IllegalArgumentException(
                    "slabSize must be a positive multiple of 2 MiB (2097152): slabSize=" + slabSize);
            }
            return addClass(len, slabSize);
        }

        /**
         * Adds one size class per length, each with a derived slab size.
         *
         * @param lens caller lengths, each {@code > 0}.
         * @return this builder.
         * @throws IllegalArgumentException if a length is not positive.
         */
        public Builder sizeClasses(final long... lens)
        {
            for (final long len : lens)
            {
                sizeClass(len);
            }
            return this;
        }

        private Builder addClass(final long len, final long slabSize)
        {
            if (len <= 0)
            {
                throw new IllegalArgumentException("len must be positive: len=" + len);
            }
            if (classCount == MAX_CLASSES)
            {
                throw new IllegalArgumentException("at most " + MAX_CLASSES + " size classes: len=" + len);
            }
            if (classCount == lengths.length)
            {
                lengths = Arrays.copyOf(lengths, classCount * 2);
                slabSizes = Arrays.copyOf(slabSizes, classCount * 2);
            }
            lengths[classCount] = len;
            slabSizes[classCount] = slabSize;
            classCount++;
            return this;
        }

        /**
         * The fewest objects a derived slab holds (default {@value #DEFAULT_MIN_OBJECTS_PER_SLAB}).
         *
         * @param minObjectsPerSlab in {@code [1, 4096]}.
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder minObjectsPerSlab(final int minObjectsPerSlab)
        {
            if (minObjectsPerSlab < 1 || minObjectsPerSlab > MAX_OBJECTS_PER_SLAB)
            {
                throw new IllegalArgumentException("minObjectsPerSlab must be in [1, " + MAX_OBJECTS_PER_SLAB
                    + "]: minObjectsPerSlab=" + minObjectsPerSlab);
            }
            this.minObjectsPerSlab = minObjectsPerSlab;
            return this;
        }

        /**
         * How many empty slabs each class keeps instead of returning them to the backing policy (default
         * {@value #DEFAULT_SPARE_SLABS}). Spares are given back when the backing policy runs out of room and
         * when the last live block is freed.
         *
         * @param spareSlabs {@code >= 0}.
         * @return this builder.
         * @throws IllegalArgumentException if negative.
         */
        public Builder spareSlabs(final int spareSlabs)
        {
            if (spareSlabs < 0)
            {
                throw new IllegalArgumentException("spareSlabs must not be negative: spareSlabs=" + spareSlabs);
            }
            this.spareSlabs = spareSlabs;
            return this;
        }

        /**
         * The smallest fraction of an object a request must fill to be served by the object's class (default
         * {@value #DEFAULT_MIN_FILL}); a request equal to the class's segment size always is.
         *
         * @param minFill in {@code (0, 1]}.
         * @return this builder.
         * @throws IllegalArgumentException if out of range.
         */
        public Builder minFill(final double minFill)
        {
            if (!(minFill > 0 && minFill <= 1))
            {
                throw new IllegalArgumentException("minFill must be in (0, 1]: minFill=" + minFill);
            }
            this.minFill = minFill;
            return this;
        }

        /**
         * The policy slabs and unmatched requests are carved from (default {@link TlsfPolicy#builder()}: constant time, no garbage).
         * It must honour an alignment of {@link #SLAB_GRANULE}; a slab's held bytes are the backing's
         * {@link AllocationPolicy#blockSize(long)} of its block.
         *
         * @param backing a factory; it creates its policy over the same capacity and profile.
         * @return this builder.
         * @throws IllegalArgumentException if null.
         */
        public Builder backing(final PolicyFactory backing)
        {
            if (backing == null)
            {
                throw new IllegalArgumentException("backing must not be null: backing=null");
            }
            this.backing = backing;
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public String name()
        {
            return NAME;
        }

        /**
         * {@inheritDoc}
         *
         * @throws IllegalArgumentException if no class was given, a class's objects are too small for its slab
         *                                  (more than 4096 per slab) or larger than an explicit slab size, or the
         *                                  capacity exceeds {@code 2^24} chunks of 2 MiB.
         */
        @Override
        public AllocationPolicy create(final long capacity, final AlignmentProfile profile)
        {
            if (capacity <= 0)
            {
                throw new IllegalArgumentException("capacity must be positive: capacity=" + capacity);
            }
            if (profile == null)
            {
                throw new IllegalArgumentException("profile must not be null: profile=null");
            }
            if (classCount == 0)
            {
                throw new IllegalArgumentException("at least one size class is required: sizeClasses=0");
            }
            if (((capacity - 1) >>> CHUNK_SHIFT) >= (1L << SLOT_BITS))
            {
                throw new IllegalArgumentException(
                    "capacity must be at most 2^24 chunks of 2 MiB (32 TiB): capacity=" + capacity);
            }
            final long[][] derived = new long[classCount][];
            int distinct = 0;
            for (int i = 0; i < classCount; i++)
            {
                final long[] d = derive(lengths[i], slabSizes[i], profile);
                boolean duplicate = false;
                for (int j = 0; j < distinct; j++)
                {
                    duplicate |= derived[j][2] == d[2];
                }
                if (!duplicate)
                {
                    derived[distinct++] = d;
                }
            }
            final long[][] sorted = Arrays.copyOf(derived, distinct);
            Arrays.sort(sorted, (a, b) -> Long.compare(a[2], b[2]));
            final SlabClass[] classes = new SlabClass[distinct];
            for (int i = 0; i < distinct; i++)
            {
                final long[] d = sorted[i];
                classes[i] = new SlabClass(i, d[0], d[1], d[2], d[3], d[4], (int)(capacity / d[4]));
            }
            return new SlabPolicy(capacity, profile, spareSlabs, backing.create(capacity, profile), classes);
        }

        /** {len, segmentSize, objectSize, minSize, slabSize} of one class. */
        private long[] derive(final long len, final long explicitSlabSize, final AlignmentProfile profile)
        {
            final long segmentSize = profile.segmentSize(len);
            final long objectSize = Align.alignUp(segmentSize, profile.startAlignment());
            final long minSize = Math.min(segmentSize, (long)Math.ceil(objectSize * minFill));
            final long slabSize;
            if (explicitSlabSize != 0)
            {
                if (explicitSlabSize < objectSize)
                {
                    throw new IllegalArgumentException("slabSize must hold at least one object: slabSize="
                        + explicitSlabSize + ", objectSize=" + objectSize + ", len=" + len);
                }
                slabSize = explicitSlabSize;
            }
            else
            {
                if (objectSize > (Long.MAX_VALUE >>> 2) / minObjectsPerSlab)
                {
                    throw new IllegalArgumentException("len too large for a slab: len=" + len);
                }
                slabSize = defaultSlabSize(objectSize, minObjectsPerSlab);
            }
            if (slabSize / objectSize > MAX_OBJECTS_PER_SLAB)
            {
                throw new IllegalArgumentException("objects too small for the slab: at most " + MAX_OBJECTS_PER_SLAB
                    + " per slab, objectSize=" + objectSize + ", slabSize=" + slabSize + ", len=" + len);
            }
            return new long[] {len, segmentSize, objectSize, minSize, slabSize};
        }

        /**
         * The multiple of 2 MiB in {@code [k0, k0 + min(k0, 64)]} with the smallest padding fraction, where
         * {@code k0} is the smallest multiple holding {@code minObjects} objects.
         */
        static long defaultSlabSize(final long objectSize, final int minObjects)
        {
            final long k0 = Align.alignUp(objectSize * minObjects, SLAB_GRANULE) >>> CHUNK_SHIFT;
            long best = k0 << CHUNK_SHIFT;
            double bestWaste = (best % objectSize) / (double)best;
            for (long k = k0 + 1, last = k0 + Math.min(k0, 64); k <= last; k++)
            {
                final long size = k << CHUNK_SHIFT;
                final double waste = (size % objectSize) / (double)size;
                if (waste < bestWaste)
                {
                    best = size;
                    bestWaste = waste;
                }
            }
            return best;
        }

        @Override
        public String toString()
        {
            return "SlabPolicy.Builder{classes=" + classCount + ", minObjectsPerSlab=" + minObjectsPerSlab
                + ", spareSlabs=" + spareSlabs + ", minFill=" + minFill + ", backing=" + backing.name() + '}';
        }
    }
}
