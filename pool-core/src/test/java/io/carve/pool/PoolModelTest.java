package io.carve.pool;

import io.carve.pool.device.DeviceAllocator;
import io.carve.pool.device.DeviceBlock;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Model-checks the pool with Lincheck on a block of four segments: allocate, free a segment (possibly
 * allocated by another thread), read the live count, and close, from several threads, in the
 * interleavings the checker explores. Every outcome must match some sequential order of the same calls,
 * no call may touch the block after close (the heap-backed device below throws if one does), and after
 * each run {@code verify()} must be clean.
 */
public class PoolModelTest
{
    private static final long LEN = 992;

    private final HeapDevice device = new HeapDevice();
    private final SegmentPool pool = SegmentPool.builder().name("model").capacity(4 * 1024).device(device)
        .sizeClassCacheBytes(4 * 1024).leakAction(LeakAction.IGNORE).build();
    private final ConcurrentLinkedDeque<Long> held = new ConcurrentLinkedDeque<>();

    /** Allocates a segment and keeps it: "ok", "full" or "closed". */
    @Operation
    public String allocate()
    {
        try
        {
            final long address = pool.tryAllocate(LEN);
            if (address == SegmentPool.NULL_ADDRESS)
            {
                return "full";
            }
            held.push(address);
            return "ok";
        }
        catch (final PoolClosedException e)
        {
            return "closed";
        }
    }

    /**
     * Frees a kept segment, whichever thread allocated it: "ok", "empty" or "closed". A segment whose free
     * found the pool closed is kept again.
     */
    @Operation
    public String free()
    {
        final Long address = held.poll();
        try
        {
            if (address == null)
            {
                pool.stats();
                return "empty";
            }
            pool.free(address);
            return "ok";
        }
        catch (final PoolClosedException e)
        {
            if (address != null)
            {
                held.push(address);
            }
            return "closed";
        }
    }

    /**
     * Allocates, frees, allocates and frees again on one thread: the first free teaches the thread's cache
     * the size, so the second allocation and free take the cached path. "ok", "full" or "closed".
     */
    @Operation
    public String cycle()
    {
        try
        {
            for (int i = 0; i < 2; i++)
            {
                final long address = pool.tryAllocate(LEN);
                if (address == SegmentPool.NULL_ADDRESS)
                {
                    return "full";
                }
                pool.free(address);
            }
            return "ok";
        }
        catch (final PoolClosedException e)
        {
            return "closed";
        }
    }

    /** The live segment count, or -1 once closed. */
    @Operation
    public long live()
    {
        try
        {
            return pool.stats().liveSegments();
        }
        catch (final PoolClosedException e)
        {
            return -1;
        }
    }

    /** Closes the pool (an operation named {@code close} would be skipped by Lincheck). */
    @Operation
    public void shutdown()
    {
        pool.close();
    }

    /** After every run: nothing touched the block after close; an open pool verifies clean. */
    @Validate
    public void validate()
    {
        if (device.violation != null)
        {
            throw device.violation;
        }
        try
        {
            final IntegrityReport report = pool.verify();
            if (!report.isClean())
            {
                throw new IllegalStateException(report.toString());
            }
        }
        catch (final PoolClosedException expected)
        {
            // Closed during the run: nothing more to check.
        }
    }

    @Test
    void shouldBeLinearizableAndNeverTouchTheBlockAfterClose()
    {
        ModelChecking.options().iterations(8).invocationsPerIteration(80).threads(3).actorsPerThread(2)
            .check(getClass());
    }

    /** Device memory in a heap array: every touch after close is recorded and refused. */
    static final class HeapDevice implements DeviceAllocator
    {
        volatile IllegalStateException violation;

        @Override
        public String name()
        {
            return "heap";
        }

        @Override
        public DeviceBlock allocate(final long size, final long alignment)
        {
            return new Block(size);
        }

        private final class Block implements DeviceBlock
        {
            private static final long ADDRESS = 1L << 20;
            private final byte[] bytes;
            private volatile boolean closed;

            Block(final long size)
            {
                bytes = new byte[(int)size];
            }

            private int index(final long address, final long length)
            {
                if (closed)
                {
                    final IllegalStateException e = new IllegalStateException("memory touched after close");
                    violation = e;
                    throw e;
                }
                final long index = address - ADDRESS;
                if (index < 0 || length < 0 || index + length > bytes.length)
                {
                    throw new IndexOutOfBoundsException("address=" + address + ", length=" + length);
                }
                return (int)index;
            }

            @Override
            public long address()
            {
                return ADDRESS;
            }

            @Override
            public long size()
            {
                return bytes.length;
            }

            @Override
            public long reservedSize()
            {
                return bytes.length;
            }

            @Override
            public boolean isHostAccessible()
            {
                return false;
            }

            @Override
            public void fill(final long address, final long length, final byte value)
            {
                final int from = index(address, length);
                Arrays.fill(bytes, from, from + (int)length, value);
            }

            @Override
            public void copyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
            {
                System.arraycopy(bytes, index(address, length), dst, dstOffset, length);
            }

            @Override
            public void copyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
            {
                System.arraycopy(src, srcOffset, bytes, index(address, length), length);
            }

            @Override
            public void close()
            {
                closed = true;
            }
        }
    }
}
