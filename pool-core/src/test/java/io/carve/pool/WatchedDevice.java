package io.carve.pool;

import io.carve.pool.device.DeviceAllocator;
import io.carve.pool.device.DeviceBlock;
import io.carve.pool.device.EmulatedDevice;
import io.carve.pool.device.HugePagePolicy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A device for lifecycle tests: wraps an emulated device so that every memory operation of the pool goes
 * through it (it says its memory is not host-accessible), and records any fill or copy that starts or ends
 * after its block was closed (the memory itself stays allocated until {@link #dispose()}, so a faulty pool
 * is caught rather than crashing the test). It can also hold a
 * memory operation at a gate, to stop a pool call half-way, and fail the Nth fill.
 */
final class WatchedDevice implements DeviceAllocator
{
    private final DeviceAllocator inner = EmulatedDevice.builder().pagePolicy(HugePagePolicy.NORMAL_ONLY).build();
    private final AtomicReference<Throwable> violation = new AtomicReference<>();
    private final AtomicLong fills = new AtomicLong();
    private volatile CountDownLatch gate;
    private volatile CountDownLatch release;
    private volatile CountDownLatch atGate;
    private volatile long failFill = -1;
    private volatile Block block;

    @Override
    public String name()
    {
        return "watched";
    }

    @Override
    public DeviceBlock allocate(final long size, final long alignment)
    {
        final Block taken = new Block(inner.allocate(size, alignment));
        block = taken;
        return taken;
    }

    /** The first memory operation after this call waits at the gate until {@link #openGate()}. */
    void closeGate()
    {
        atGate = new CountDownLatch(1);
        release = new CountDownLatch(1);
        gate = release;
    }

    /** Waits until a memory operation is held at the gate. */
    void awaitAtGate() throws InterruptedException
    {
        if (!atGate.await(10, TimeUnit.SECONDS))
        {
            throw new AssertionError("no memory operation reached the gate");
        }
    }

    void openGate()
    {
        release.countDown();
    }

    /** The {@code n}th fill from now throws. */
    void failFill(final long n)
    {
        failFill = fills.get() + n;
    }

    /** The first operation that touched memory after close, or null. */
    Throwable violation()
    {
        return violation.get();
    }

    boolean isBlockClosed()
    {
        return block != null && block.closed;
    }

    /** Frees the memory of the last block, once the pool is closed and no thread can touch it. */
    void dispose()
    {
        if (block != null)
        {
            block.memory.close();
        }
    }

    private final class Block implements DeviceBlock
    {
        private final DeviceBlock memory;
        private volatile boolean closed;

        Block(final DeviceBlock memory)
        {
            this.memory = memory;
        }

        private void touch(final String operation)
        {
            if (closed)
            {
                final IllegalStateException e = new IllegalStateException(operation + " after the block was closed");
                violation.compareAndSet(null, e);
                throw e;
            }
        }

        private void holdAtGate()
        {
            final CountDownLatch held = gate;
            if (held != null)
            {
                gate = null;
                atGate.countDown();
                try
                {
                    held.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public long address()
        {
            return memory.address();
        }

        @Override
        public long size()
        {
            return memory.size();
        }

        @Override
        public long reservedSize()
        {
            return memory.reservedSize();
        }

        @Override
        public boolean isHostAccessible()
        {
            return false;
        }

        @Override
        public void fill(final long address, final long length, final byte value)
        {
            touch("fill");
            holdAtGate();
            if (fills.incrementAndGet() == failFill)
            {
                throw new IllegalStateException("injected fill failure");
            }
            memory.fill(address, length, value);
            touch("fill");
        }

        @Override
        public void copyToHost(final long address, final byte[] dst, final int dstOffset, final int length)
        {
            touch("copyToHost");
            holdAtGate();
            memory.copyToHost(address, dst, dstOffset, length);
            touch("copyToHost");
        }

        @Override
        public void copyFromHost(final byte[] src, final int srcOffset, final long address, final int length)
        {
            touch("copyFromHost");
            holdAtGate();
            memory.copyFromHost(src, srcOffset, address, length);
            touch("copyFromHost");
        }

        /**
         * Marks the block closed but keeps its memory until {@link WatchedDevice#dispose()}: a pool that
         * touches it afterwards is recorded, and cannot crash the test by writing to freed memory.
         */
        @Override
        public void close()
        {
            closed = true;
        }
    }
}
