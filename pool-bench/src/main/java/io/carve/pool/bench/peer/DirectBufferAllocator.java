package io.carve.pool.bench.peer;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * {@code ByteBuffer.allocateDirect(n)}, freed at once with {@code sun.misc.Unsafe.invokeCleaner} rather
 * than left to the garbage collector, so that a long trace does not exhaust
 * {@code -XX:MaxDirectMemorySize}. Every buffer is zero-filled by the JDK and costs a {@code Cleaner} and a
 * buffer object on the heap.
 */
public final class DirectBufferAllocator implements BenchAllocator
{
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private final ByteBuffer[] buffers;
    private long liveRequested;

    /**
     * A peer with {@code slots} slots.
     *
     * @param slots the number of slots.
     */
    public DirectBufferAllocator(final int slots)
    {
        this.buffers = new ByteBuffer[Slots.checkSlots(slots)];
    }

    private static sun.misc.Unsafe unsafe()
    {
        try
        {
            final Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe)field.get(null);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new IllegalStateException("sun.misc.Unsafe is not reachable", e);
        }
    }

    @Override
    public String name()
    {
        return "direct";
    }

    @Override
    public String settings()
    {
        return "ByteBuffer.allocateDirect (zero-filled by the JDK), freed by Unsafe.invokeCleaner";
    }

    @Override
    public String kind()
    {
        return "peer";
    }

    @Override
    public boolean allocate(final int slot, final long len)
    {
        buffers[slot] = ByteBuffer.allocateDirect(Slots.checkIntLength(len));
        liveRequested += len;
        return true;
    }

    @Override
    public void free(final int slot)
    {
        final ByteBuffer buffer = buffers[slot];
        if (buffer != null)
        {
            buffers[slot] = null;
            liveRequested -= buffer.capacity();
            UNSAFE.invokeCleaner(buffer);
        }
    }

    @Override
    public void touch(final int slot, final long len)
    {
        final ByteBuffer buffer = buffers[slot];
        final int n = (int)len;
        for (int i = 0; i < n; i += PAGE)
        {
            buffer.put(i, (byte)1);
        }
    }

    /** The JDK's own page rounding is not visible: the live requested bytes. */
    @Override
    public long occupancyBytes()
    {
        return liveRequested;
    }

    @Override
    public boolean showsOccupancy()
    {
        return false;
    }

    @Override
    public void close()
    {
        for (int slot = 0; slot < buffers.length; slot++)
        {
            free(slot);
        }
    }
}
