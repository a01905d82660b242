package io.carve.pool.align;

/**
 * The vendor memory APIs of the alignment table, each with the rules a segment carved for it must satisfy
 * and what the API itself hands out when called directly.
 * <p>
 * Every row carves segments of {@code m = ALIGN_UP(len, 32) + 32} bytes; the rows differ in the start
 * alignment of a segment (64 for the runtime APIs, 128 for the media/DVPP APIs) and in what a direct call
 * reserves ({@link #blockSize(long)}), which the emulated device uses when the pool grabs its block.
 *
 * <pre>
 * row             C / Python                                       start   direct call reserves
 * RT_MALLOC       aclrtMalloc / acl.rt.malloc                        64    ALIGN_UP(size,32)+32
 * RT_MALLOC_ALIGN32 aclrtMallocAlign32 / acl.rt.malloc_align32       64    ALIGN_UP(size,32), size 0 refused
 * RT_MALLOC_CACHED aclrtMallocCached / acl.rt.malloc_cached          64    ALIGN_UP(size,32)+32
 * RT_MALLOC_HOST  aclrtMallocHost / acl.rt.malloc_host               64    ALIGN_UP(size,32)+32 (pinned host)
 * DVPP_V1         acldvppMalloc / acl.media.dvpp_malloc             128    ALIGN_UP(size,32)+32
 * DVPP_V2         hi_mpi_dvpp_malloc / acl.himpi.dvpp_malloc        128    ALIGN_UP(size,32)+32
 * MEMCPY_ASYNC    aclrtMemcpyAsync (src and dst)                     64    not an allocator
 * UNIFIED         one pool serving all of the above                 128    not an allocator
 * </pre>
 * Sources: the vendor pages on secondary memory allocation, {@code malloc_align32} and
 * {@code hi_mpi_dvpp_malloc}. {@code MEMCPY_ASYNC} constrains only addresses; segments carved for it use
 * the runtime segment size.
 */
public enum MemoryApi
{
    /** {@code aclrtMalloc}: device memory, 64-byte aligned segments. */
    RT_MALLOC("aclrtMalloc", "acl.rt.malloc", 64, 32, true, false),
    /** {@code aclrtMallocAlign32}: as {@link #RT_MALLOC} but a direct call reserves no extra 32 bytes. */
    RT_MALLOC_ALIGN32("aclrtMallocAlign32", "acl.rt.malloc_align32", 64, 0, true, false),
    /** {@code aclrtMallocCached}: cacheable device memory, as {@link #RT_MALLOC}. */
    RT_MALLOC_CACHED("aclrtMallocCached", "acl.rt.malloc_cached", 64, 32, true, false),
    /** {@code aclrtMallocHost}: pinned host memory, 64-byte aligned. */
    RT_MALLOC_HOST("aclrtMallocHost", "acl.rt.malloc_host", 64, 32, true, false),
    /** {@code acldvppMalloc} (media data processing V1): 128-byte aligned segments. */
    DVPP_V1("acldvppMalloc", "acl.media.dvpp_malloc", 128, 32, true, true),
    /** {@code hi_mpi_dvpp_malloc} (media data processing V2): as V1, not shareable across processes. */
    DVPP_V2("hi_mpi_dvpp_malloc", "acl.himpi.dvpp_malloc", 128, 32, true, true),
    /** {@code aclrtMemcpyAsync}: source and destination must be 64-byte aligned. */
    MEMCPY_ASYNC("aclrtMemcpyAsync", "acl.rt.memcpy_async", 64, 0, false, false),
    /** The seeds' advice for one pool serving every API: the larger alignment, 128 bytes. */
    UNIFIED("(unified pool)", "(unified pool)", 128, 0, false, false);

    /** Every segment size and every direct reservation is first rounded up to this many bytes. */
    public static final int GRANULE = 32;

    /** The default tail a carved segment carries past its rounded length. */
    public static final int DEFAULT_TAIL = 32;

    private final String cName;
    private final String pythonName;
    private final int startAlignment;
    private final int directExtra;
    private final boolean allocator;
    private final boolean media;

    MemoryApi(
        final String cName,
        final String pythonName,
        final int startAlignment,
        final int directExtra,
        final boolean allocator,
        final boolean media)
    {
        this.cName = cName;
        this.pythonName = pythonName;
        this.startAlignment = startAlignment;
        this.directExtra = directExtra;
        this.allocator = allocator;
        this.media = media;
    }

    /**
     * The C function's name.
     *
     * @return for example {@code "aclrtMalloc"}.
     */
    public String cName()
    {
        return cName;
    }

    /**
     * The Python binding's name.
     *
     * @return for example {@code "acl.rt.malloc"}.
     */
    public String pythonName()
    {
        return pythonName;
    }

    /**
     * The alignment in bytes that the start address of a segment carved for this API must have.
     *
     * @return 64 or 128.
     */
    public int startAlignment()
    {
        return startAlignment;
    }

    /**
     * Whether this row is an allocation API (that the emulated device can emulate a direct call of).
     *
     * @return {@code false} for {@link #MEMCPY_ASYNC} and {@link #UNIFIED}.
     */
    public boolean isAllocator()
    {
        return allocator;
    }

    /**
     * Whether memory from this API lives in the media (DVPP) address space, capped at 16 GB per process.
     *
     * @return {@code true} for the DVPP rows.
     */
    public boolean isMedia()
    {
        return media;
    }

    /**
     * The alignment profile for segments carved for this API, with the default 32-byte tail.
     *
     * @return the profile; never null.
     */
    public AlignmentProfile profile()
    {
        return AlignmentProfile.of(this);
    }

    /**
     * The bytes a direct call of this API reserves for {@code size} requested bytes.
     *
     * @param size the requested size, {@code >= 1}.
     * @return {@code ALIGN_UP(size, 32) + 32}, or {@code ALIGN_UP(size, 32)} for {@link #RT_MALLOC_ALIGN32}.
     * @throws IllegalArgumentException if size is not positive, overflows, or this row is not an allocator.
     */
    public long blockSize(final long size)
    {
        if (!allocator)
        {
            throw new IllegalArgumentException(name() + " is not an allocation API: api=" + name());
        }
        if (size <= 0)
        {
            throw new IllegalArgumentException(cName + " size must be positive: size=" + size);
        }
        final long rounded = Align.alignUp(size, GRANULE);
        if (rounded > Long.MAX_VALUE - directExtra)
        {
            throw new IllegalArgumentException(cName + " size overflows: size=" + size);
        }
        return rounded + directExtra;
    }
}
