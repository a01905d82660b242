package io.carve.pool;

import io.carve.pool.record.EventKind;
import io.carve.pool.record.Recording;
import io.carve.pool.record.RecordingFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The recorder behind {@link Recording}: a bounded many-producer, one-consumer ring of fixed-size events
 * (Vyukov's bounded queue: a sequence per slot says whether it holds a published event) and a daemon thread
 * that writes them to the file in {@link RecordingFormat}.
 * <p>
 * A producer claims a slot with one compare-and-set on {@code tail}, or drops the event when the ring is
 * full (the drainer has not caught up): the pool never waits for the disk. It writes the five fields and
 * publishes the slot with a release store of its sequence; the drainer reads a slot only once its
 * sequence is published, so it never sees half an event, and advances {@code head} with a release store,
 * which frees the slot for reuse.
 */
final class EventRecorder implements Recording
{
    private static final int FIELDS = 5;
    private static final long PARK_NANOS = 200_000;
    private static final VarHandle SEQUENCES = MethodHandles.arrayElementVarHandle(long[].class);

    private final Path file;
    private final FileChannel channel;
    private final int mask;
    private final long[] slots;
    private final long[] sequences;
    private final AtomicLong tail = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private final Thread drainer;
    private final Runnable onStop;
    private final ByteBuffer out = ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    private volatile long head;
    private volatile boolean stopping;
    private volatile IOException failure;
    private boolean stopped;

    /**
     * Opens the file, writes the header and starts the drainer.
     *
     * @param events the ring's capacity in events, a power of two.
     * @param onStop told once when the recording stops (the pool detaches it).
     */
    EventRecorder(final Path file, final RecordingFormat.Header header, final int events, final Runnable onStop)
    {
        assert Integer.bitCount(events) == 1;
        this.file = file;
        this.mask = events - 1;
        this.slots = new long[events * FIELDS];
        this.sequences = new long[events];
        for (int i = 0; i < events; i++)
        {
            sequences[i] = i;
        }
        this.onStop = onStop;
        try
        {
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
            channel.write(header.encode());
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot start recording to " + file, e);
        }
        this.drainer = new Thread(this::drain, "carve-recorder-" + header.poolName());
        drainer.setDaemon(true);
        drainer.start();
    }

    /** Records an event; never blocks, drops it when the ring is full. Allocates nothing. */
    void record(final EventKind kind, final long offset, final long length, final int alignment, final int tailBytes)
    {
        long claimed;
        do
        {
            claimed = tail.get();
            if (claimed - head > mask)
            {
                dropped.incrementAndGet();
                return;
            }
        }
        while (!tail.compareAndSet(claimed, claimed + 1));
        final int slot = (int)(claimed & mask);
        final int i = slot * FIELDS;
        slots[i] = System.nanoTime() - startNanos;
        slots[i + 1] = Thread.currentThread().getId();
        slots[i + 2] = offset;
        slots[i + 3] = length;
        slots[i + 4] = RecordingFormat.info(kind, alignment, tailBytes);
        SEQUENCES.setRelease(sequences, slot, claimed + 1);
    }

    private void drain()
    {
        try
        {
            while (true)
            {
                final long h = head;
                final int slot = (int)(h & mask);
                if ((long)SEQUENCES.getAcquire(sequences, slot) == h + 1)
                {
                    if (out.remaining() < RecordingFormat.RECORD_BYTES)
                    {
                        flush();
                    }
                    final int i = slot * FIELDS;
                    out.putLong(slots[i]).putLong(slots[i + 1]).putLong(slots[i + 2]).putLong(slots[i + 3])
                        .putLong(slots[i + 4]);
                    // Free the slot for the lap after this one, then move on.
                    SEQUENCES.setRelease(sequences, slot, h + mask + 1);
                    head = h + 1;
                    continue;
                }
                if (stopping && tail.get() == h)
                {
                    break;
                }
                flush();
                LockSupport.parkNanos(this, PARK_NANOS);
            }
            flush();
        }
        catch (final IOException e)
        {
            failure = e;
        }
    }

    private void flush() throws IOException
    {
        out.flip();
        while (out.hasRemaining())
        {
            channel.write(out);
        }
        out.clear();
    }

    @Override
    public Path file()
    {
        return file;
    }

    @Override
    public long eventsRecorded()
    {
        return tail.get();
    }

    @Override
    public long eventsDropped()
    {
        return dropped.get();
    }

    @Override
    public synchronized void stop()
    {
        if (stopped)
        {
            return;
        }
        stopped = true;
        onStop.run();
        stopping = true;
        LockSupport.unpark(drainer);
        boolean interrupted = false;
        while (drainer.isAlive())
        {
            try
            {
                drainer.join();
            }
            catch (final InterruptedException e)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            channel.close();
        }
        catch (final IOException e)
        {
            if (failure == null)
            {
                failure = e;
            }
        }
        if (failure != null)
        {
            throw new UncheckedIOException("recording to " + file + " failed", failure);
        }
    }

    @Override
    public String toString()
    {
        return "Recording{file=" + file + ", recorded=" + eventsRecorded() + ", dropped=" + eventsDropped() + '}';
    }
}
