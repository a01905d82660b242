package io.carve.pool.device;

/**
 * The vendor's page policies for device memory ({@code aclrtMemMallocPolicy}), as the emulated device
 * applies them to the size of a block.
 * <p>
 * Normal pages are taken to be 4 KiB (an assumption: the vendor documents do not state the device's normal
 * page size); huge pages are 2 MB, and the 1 GB policies exist on A2/A3 parts only.
 */
public enum HugePagePolicy
{
    /** 0: up to 1 MB on normal pages; larger blocks on huge pages first, rounded up to 2 MB. */
    HUGE_FIRST(0),
    /** 1: huge pages only, 2 MB granularity. */
    HUGE_ONLY(1),
    /** 2: normal pages only. */
    NORMAL_ONLY(2),
    /** 3: {@link #HUGE_FIRST} for peer-to-peer memory. */
    HUGE_FIRST_P2P(3),
    /** 4: {@link #HUGE_ONLY} for peer-to-peer memory. */
    HUGE_ONLY_P2P(4),
    /** 5: {@link #NORMAL_ONLY} for peer-to-peer memory. */
    NORMAL_ONLY_P2P(5),
    /** 6: 1 GB huge pages only (A2/A3). */
    HUGE1G_ONLY(6),
    /** 7: {@link #HUGE1G_ONLY} for peer-to-peer memory. */
    HUGE1G_ONLY_P2P(7);

    /** The normal page size assumed by the emulation. */
    public static final long NORMAL_PAGE = 4L << 10;
    /** The huge page size. */
    public static final long HUGE_PAGE = 2L << 20;
    /** The 1 GB huge page size. */
    public static final long HUGE1G_PAGE = 1L << 30;
    /** Blocks above this size go to huge pages under the HUGE_FIRST policies. */
    public static final long HUGE_FIRST_THRESHOLD = 1L << 20;

    private final int value;

    HugePagePolicy(final int value)
    {
        this.value = value;
    }

    /**
     * The value of the vendor's enum.
     *
     * @return 0 to 7.
     */
    public int value()
    {
        return value;
    }

    /**
     * The page size a block of {@code size} reserved bytes is rounded up to under this policy.
     *
     * @param size the bytes the API reserves before page rounding.
     * @return the granularity in bytes.
     */
    public long granularity(final long size)
    {
        switch (this)
        {
            case HUGE_FIRST:
            case HUGE_FIRST_P2P:
                return size > HUGE_FIRST_THRESHOLD ? HUGE_PAGE : NORMAL_PAGE;
            case HUGE_ONLY:
            case HUGE_ONLY_P2P:
                return HUGE_PAGE;
            case HUGE1G_ONLY:
            case HUGE1G_ONLY_P2P:
                return HUGE1G_PAGE;
            default:
                return NORMAL_PAGE;
        }
    }
}
