package io.carve.pool.device;

/**
 * The state every {@link PhysicalHandle} keeps, whatever its device: which range it is mapped in, and
 * whether it was freed. Subclasses make the vendor's free call in {@link #onFree()}.
 * <p>
 * Guarded by the handle's monitor. A range claims a handle ({@link #claim}) before its map call and gives
 * the claim back if the call fails, so two ranges can never map one handle and a mapped handle can never
 * be freed.
 */
abstract class MappedHandle implements PhysicalHandle
{
    final Object device;
    private final long size;
    private MappedRange range;
    private long offset;
    private boolean freed;

    MappedHandle(final Object device, final long size)
    {
        this.device = device;
        this.size = size;
    }

    /** The vendor's free; throws to refuse, and the handle then stays allocated. */
    abstract void onFree();

    @Override
    public final long size()
    {
        return size;
    }

    @Override
    public final synchronized boolean isMapped()
    {
        return range != null;
    }

    final synchronized boolean isFreed()
    {
        return freed;
    }

    synchronized void claim(final MappedRange into, final long at)
    {
        if (freed)
        {
            throw new IllegalStateException(VendorCall.MAP.cName() + ": the handle was freed: " + this);
        }
        if (range != null)
        {
            throw new IllegalStateException(VendorCall.MAP.cName() + ": the handle is already mapped at offset "
                + offset + " of " + range + ": " + this);
        }
        range = into;
        offset = at;
    }

    synchronized void unclaim()
    {
        range = null;
        offset = 0;
    }

    @Override
    public final synchronized void close()
    {
        if (freed)
        {
            return;
        }
        if (range != null)
        {
            throw new IllegalStateException(VendorCall.FREE_PHYSICAL.cName() + ": the handle is mapped at offset "
                + offset + " of " + range + ": unmap it first: " + this);
        }
        onFree();
        freed = true;
    }
}
