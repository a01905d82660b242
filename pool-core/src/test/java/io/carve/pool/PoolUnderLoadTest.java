package io.carve.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pool's whole-pool views under load: every {@code stats()} snapshot agrees with itself and every
 * {@code verify()} is clean while other threads allocate and free; and a seeded stress with thread churn,
 * timed waits, cross-thread frees and a stamp in every segment ends with exact accounting and nothing
 * parked by a thread that ended.
 */
class PoolUnderLoadTest
{
    private static final long MB = 1L << 20;
    private static final long FRAME = 3_110_400;

    @Test
    @Timeout(60)
    void shouldAgreeWithItselfInEverySnapshotAndVerifyCleanUnderLoad() throws Exception
    {
        try (SegmentPool pool = SegmentPool.builder().name("load").capacity(64 * MB).leakAction(LeakAction.IGNORE).build())
        {
            final long m = pool.alignment().segmentSize(FRAME);
            final AtomicBoolean stop = new AtomicBoolean();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final ConcurrentLinkedQueue<Long> handed = new ConcurrentLinkedQueue<>();
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++)
            {
                final int id = t;
                final Thread worker = new Thread(() ->
                {
                    final Random random = new Random(id);
                    final List<Long> mine = new ArrayList<>();
                    try
                    {
                        while (!stop.get())
                        {
                            if (mine.size() < 6 && random.nextBoolean())
                            {
                                final long address = pool.tryAllocate(FRAME);
                                if (address != SegmentPool.NULL_ADDRESS)
                                {
                                    if (id == 0 && random.nextBoolean())
                                    {
                                        handed.offer(address);
                                    }
                                    else
                                    {
                                        mine.add(address);
                                    }
                                }
                            }
                            else if (!mine.isEmpty())
                            {
                                pool.free(mine.remove(random.nextInt(mine.size())));
                            }
                            final Long other = id == 1 ? handed.poll() : null;
                            if (other != null)
                            {
                                pool.free(other);
                            }
                        }
                        mine.forEach(pool::free);
                    }
                    catch (final RuntimeException | Error e)
                    {
                        failure.compareAndSet(null, e);
                    }
                });
                workers.add(worker);
                worker.start();
            }
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            int snapshots = 0;
            while (System.nanoTime() < deadline && failure.get() == null)
            {
                final PoolStats stats = pool.stats();
                assertEquals(stats.cachedSegments() * m, stats.cachedBytes(), stats::toString);
                assertEquals(stats.liveSegments() * m, stats.bytesInUse(), stats::toString);
                assertEquals(stats.liveSegments() * FRAME, stats.bytesRequested(), stats::toString);
                assertEquals(stats.bytesInUse() + stats.cachedBytes(), stats.bytesHeld(), stats::toString);
                assertTrue(stats.bytesInUse() + stats.freeBytes() <= pool.capacity(), stats::toString);
                assertTrue(stats.allocations() - stats.frees() == stats.liveSegments(), stats::toString);
                final IntegrityReport report = pool.verify();
                assertTrue(report.isClean(), report::toString);
                snapshots++;
            }
            stop.set(true);
            for (final Thread worker : workers)
            {
                worker.join();
            }
            Long rest;
            while ((rest = handed.poll()) != null)
            {
                pool.free(rest);
            }
            assertNull(failure.get());
            assertTrue(snapshots > 10, "snapshots=" + snapshots);
            assertEquals(0, pool.stats().liveSegments());
            assertTrue(pool.verify().isClean());
        }
    }

    /**
     * Threads come and go (each round starts new ones), allocate mixed sizes (some with a timed wait),
     * stamp each segment with owner and serial, hand some to another thread, and free what they get after
     * checking its stamp. At the end nothing is live, the counters agree, and once a new thread arrives
     * nothing is parked by the ended ones.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    @Timeout(120)
    void shouldEndExactAfterChurnWaitsAndCrossThreadFrees(final long seed) throws Exception
    {
        final SegmentPool pool = SegmentPool.builder().name("stamps").capacity(24 * MB).build();
        final ConcurrentHashMap<Long, long[]> live = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<long[]> handed = new ConcurrentLinkedQueue<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong serials = new AtomicLong();
        final long[] lengths = {FRAME, FRAME, 1_382_400, 65_536, 100, 992, 4000};
        final Random seeds = new Random(seed);
        for (int round = 0; round < 12; round++)
        {
            final List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++)
            {
                final long threadSeed = seeds.nextLong();
                final Thread thread = new Thread(() ->
                {
                    final Random random = new Random(threadSeed);
                    final List<long[]> mine = new ArrayList<>();
                    final byte[] stamp = new byte[16];
                    try
                    {
                        for (int step = 0; step < 1_500; step++)
                        {
                            final long[] other = handed.poll();
                            if (other != null)
                            {
                                checkAndFree(pool, live, other, stamp);
                            }
                            if (mine.size() < 5 && random.nextInt(100) < 55)
                            {
                                final long len = lengths[random.nextInt(lengths.length)];
                                final long address = random.nextInt(10) == 0
                                    ? timed(pool, len) : pool.tryAllocate(len);
                                if (address == SegmentPool.NULL_ADDRESS)
                                {
                                    continue;
                                }
                                final long[] segment = {address, len, serials.incrementAndGet()};
                                if (live.putIfAbsent(address, segment) != null)
                                {
                                    throw new AssertionError("address handed out twice: 0x" + Long.toHexString(address));
                                }
                                ByteBuffer.wrap(stamp).putLong(segment[2]).putLong(len);
                                pool.memory().copyFromHost(stamp, 0, address, (int)Math.min(16, len));
                                mine.add(segment);
                            }
                            else if (!mine.isEmpty())
                            {
                                final long[] segment = mine.remove(random.nextInt(mine.size()));
                                if (random.nextInt(3) == 0)
                                {
                                    handed.offer(segment);
                                }
                                else
                                {
                                    checkAndFree(pool, live, segment, stamp);
                                }
                            }
                        }
                        for (final long[] segment : mine)
                        {
                            checkAndFree(pool, live, segment, stamp);
                        }
                    }
                    catch (final RuntimeException | Error | InterruptedException e)
                    {
                        failure.compareAndSet(null, e);
                    }
                });
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
        }
        long[] rest;
        while ((rest = handed.poll()) != null)
        {
            checkAndFree(pool, live, rest, new byte[16]);
        }
        assertTrue(live.isEmpty());
        final Thread newcomer = new Thread(() -> pool.free(pool.allocate(100)));
        newcomer.start();
        newcomer.join();
        final PoolStats stats = pool.stats();
        assertEquals(0, stats.liveSegments(), stats::toString);
        assertEquals(0, stats.bytesInUse(), stats::toString);
        assertEquals(0, stats.bytesRequested(), stats::toString);
        assertEquals(stats.allocations(), stats.frees(), stats::toString);
        assertEquals(serials.get() + 1, stats.allocations(), "every allocation counted once");
        assertTrue(stats.cachedBytes() <= pool.alignment().segmentSize(100),
            "only the newcomer's cache may hold a segment: " + stats);
        assertEquals(0, stats.guardViolations());
        final IntegrityReport report = pool.verify();
        assertTrue(report.isClean(), report::toString);
        pool.close();
    }

    private static long timed(final SegmentPool pool, final long len) throws InterruptedException
    {
        try
        {
            return pool.allocate(len, 2, TimeUnit.MILLISECONDS);
        }
        catch (final PoolExhaustedException e)
        {
            return SegmentPool.NULL_ADDRESS;
        }
    }

    private static void checkAndFree(
        final SegmentPool pool, final ConcurrentHashMap<Long, long[]> live, final long[] segment, final byte[] read)
    {
        final int n = (int)Math.min(16, segment[1]);
        pool.memory().copyToHost(segment[0], read, 0, n);
        final ByteBuffer stamp = ByteBuffer.wrap(read);
        if (n == 16)
        {
            assertEquals(segment[2], stamp.getLong(), "segment overwritten by another allocation");
            assertEquals(segment[1], stamp.getLong());
        }
        assertEquals(segment[1], pool.requestedLength(segment[0]));
        assertTrue(live.remove(segment[0], segment));
        pool.free(segment[0]);
    }
}
